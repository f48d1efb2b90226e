// Integration tests reach labs whose compose file requires the lab's passwords. Once per
// vitest project, before any of its files runs: the passwords `make up` would write (one
// vitest process runs its projects' global setups one after the other; `npm test`'s two
// processes find them written already by scripts/lab-secrets.mts, so none races on .env).
// Each file then loads .env (test/lab-env.ts). After the run: the shared labs
// (test/shared-lab.ts) are removed with their volumes, each unless it was up before this run
// or CHAOS_KEEP_STACK=1.
import { ensureLabSecrets, stackDown } from '../stack/index.ts';
import { ComposeTarget, resolveLabConfig } from '../lab/index.ts';
import { loadDotEnv } from '../shared/dot-env.ts';
import { DRILLS_LAB_ENV, PIPELINE_LAB_ENV } from './shared-lab.ts';

type LabEnv = typeof DRILLS_LAB_ENV;

/** The project's global setup: secrets now, and the teardown of the lab its files share. */
function labSetup(lab: LabEnv): () => Promise<() => Promise<void>> {
  return async () => {
    await ensureLabSecrets(resolveLabConfig().project);
    const project = lab.COMPOSE_PROJECT_NAME;
    const upBefore = (await new ComposeTarget(project).list().catch(() => [])).length > 0;
    return async () => {
      if (upBefore || process.env.CHAOS_KEEP_STACK === '1') return;
      if ((await new ComposeTarget(project).list().catch(() => [])).length === 0) return;
      const env = { ...process.env };
      loadDotEnv(env);
      await stackDown(resolveLabConfig({ ...env, ...lab }), { volumes: true, log: (l) => console.log(`[${project}] ${l}`) });
    };
  };
}

/** The `integration` project's: its files share the pipeline lab. */
export default labSetup(PIPELINE_LAB_ENV);

/** The `lab` project's (test/drills-lab.setup.ts): its files share the drills lab. */
export const drillsLabSetup = labSetup(DRILLS_LAB_ENV);
