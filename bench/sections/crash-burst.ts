// Section 7's second half: what each durability profile keeps when every Galera node is
// SIGKILLed at once. While the lab is on a profile, the section runs the chaos drill
// `galera-crash-burst` (the same drill `smartshop chaos run` runs, its report written to
// reports/chaos/) and keeps the drill's own count of acknowledged writes and the ones lost,
// by id. The README's durability table is generated from these figures (readme-figures.ts).
import { join, relative } from 'node:path';
import { findDrill, runDrill } from '../../chaos/index.ts';
import { ComposeTarget, REPO_ROOT, type Durability } from '../../lab/index.ts';
import type { SectionContext } from './common.ts';

export const CRASH_DRILL = 'galera-crash-burst';
const REPORT_DIR = join(REPO_ROOT, 'reports', 'chaos');
/** ids kept in the bench results: the drill's report has them all */
const MAX_IDS = 20;

export interface CrashFigures {
  verdict: string;
  acknowledged: number;
  lost: number;
  lostIds: string[];
  /** the drill's report, relative to the repository */
  report: string;
}

/** Runs the crash-burst drill against the lab as it is now (on `profile`) and returns its figures. */
export async function crashBurst(ctx: SectionContext, profile: Durability): Promise<CrashFigures> {
  const stack = ctx.stack?.access.stack;
  const drill = findDrill(CRASH_DRILL);
  if (!stack || !drill) throw new Error(`no stack status or no drill ${CRASH_DRILL}`);
  const host = '127.0.0.1';
  ctx.log(`  ${profile}: ${CRASH_DRILL} (every node SIGKILLed at once under traffic; about two minutes)`);
  const outcome = await runDrill({
    drill,
    target: new ComposeTarget(stack.project),
    faultMs: 8_000,
    rate: 10,
    seed: 42,
    reportDir: REPORT_DIR,
    dryRun: false,
    // the bench was started on purpose against this lab: the quorum question is answered here
    confirm: () => Promise.resolve(true),
    endpoints: {
      api: `http://${host}:${stack.ports.api}`,
      haproxyStats: `http://${host}:${stack.ports.haproxyStats}`,
      prometheus: `http://${host}:${stack.ports.prometheus}`,
      grafana: `http://${host}:${stack.ports.grafana}`,
    },
    grafanaAuth: { user: process.env.GRAFANA_ADMIN_USER ?? 'admin', password: process.env.GRAFANA_ADMIN_PASSWORD ?? '' },
    metricsPort: 0,
    database: process.env.DB_NAME ?? 'smartshop',
    print: () => undefined,
    steadyWaitSeconds: 120,
    settleSeconds: 2,
  });
  const r = outcome.report;
  if (!r || !outcome.files) throw new Error(`${CRASH_DRILL} wrote no report`);
  if (r.durability !== profile) throw new Error(`${CRASH_DRILL} ran on ${r.durability ?? 'an unknown profile'}, not ${profile}`);
  return {
    verdict: r.verdict.verdict,
    acknowledged: r.writes.acknowledged,
    lost: r.writes.lost,
    lostIds: r.writes.lostIds.slice(0, MAX_IDS),
    report: relative(REPO_ROOT, outcome.files.json),
  };
}
