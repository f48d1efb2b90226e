// Integration tests reach labs whose compose file requires the lab's passwords. Once, before
// any test file runs (so that parallel files never race to write .env): the passwords
// `make up` would write. Each file then loads .env (test/lab-env.ts).
// After the last file: the lab the drills and the integrity tests share (test/shared-lab.ts)
// is removed with its volumes, unless it was up before this run or CHAOS_KEEP_STACK=1.
import { rmSync } from 'node:fs';
import { ensureLabSecrets, stackDown } from '../stack/index.ts';
import { ComposeTarget, resolveLabConfig } from '../lab/index.ts';
import { loadDotEnv } from '../shared/dot-env.ts';
import { SHARED_LAB_ENV } from './shared-lab.ts';

export default async function setup(): Promise<() => Promise<void>> {
  // each file's start and end is appended to it (test/lab-env.ts): this run's only
  rmSync('reports/test-files.log', { force: true });
  await ensureLabSecrets(resolveLabConfig().project);
  const project = SHARED_LAB_ENV.COMPOSE_PROJECT_NAME;
  const upBefore = (await new ComposeTarget(project).list().catch(() => [])).length > 0;
  return async () => {
    if (upBefore || process.env.CHAOS_KEEP_STACK === '1') return;
    if ((await new ComposeTarget(project).list().catch(() => [])).length === 0) return;
    const env = { ...process.env };
    loadDotEnv(env);
    await stackDown(resolveLabConfig({ ...env, ...SHARED_LAB_ENV }), { volumes: true, log: (l) => console.log(`[shared lab] ${l}`) });
  };
}
