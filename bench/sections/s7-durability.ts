// Section 7: what each durability profile costs in write throughput.
// The lab's Galera nodes are switched to strict (innodb_flush_log_at_trx_commit=1,
// sync_binlog=1), relaxed (2, 0) and fast (0) in turn with `stack up --durability`, the same
// order-creating load runs against the shop after each switch, and the lab is put back on
// the profile it had. Switching recreates the nodes, so the sides cannot alternate run by
// run as in the other sections: the profiles run one after another and the report says so.
// While on each profile the section also runs the crash-burst drill (crash-burst.ts): what
// the profile loses when every node is SIGKILLed at once, the README's durability table.
import { HttpClient } from '../../shared/http-client.ts';
import { durabilityFromFlush, nodeStates, stackUp } from '../../stack/index.ts';
import type { Durability, LabConfig } from '../../lab/index.ts';
import { fmtRatio, type Table } from '../format.ts';
import { closedLoop, describeKinds, httpResult, loopFigures } from '../load.ts';
import { aggregate, pairedRatio, type RunFigures } from '../stats.ts';
import { crashBurst, CRASH_DRILL, type CrashFigures } from './crash-burst.ts';
import { labAccess, FIGURES_HEADERS, figuresCells, noisyNote, type SectionContext, defineSection } from './common.ts';

const TITLE = 'Durability profiles: order writes per second under strict, relaxed and fast';
const PROFILES: Durability[] = ['strict', 'relaxed', 'fast'];
const SWITCH_TIMEOUT_MS = 300_000;
/** a crash-burst drill: steady state, 8 s of fault, a full-outage bootstrap, the judgement */
const CRASH_BUDGET_MS = 240_000;

async function currentProfile(ctx: SectionContext): Promise<Durability | 'unknown'> {
  const stack = ctx.stack?.access.stack;
  if (!stack) return 'unknown';
  const flushes = (await nodeStates(stack)).map((n) => n.flushLogAtTrxCommit).filter(Boolean);
  const profiles = new Set(flushes.map(durabilityFromFlush));
  const [only] = [...profiles];
  return profiles.size === 1 && only !== undefined ? only : 'unknown';
}

/** Recreates the lab's Galera nodes with `change` applied to the lab's config (about a minute); §8 too. */
export async function reconfigureNodes(ctx: SectionContext, change: Partial<Pick<LabConfig, 'durability' | 'binlog'>>, what: string): Promise<void> {
  const stack = ctx.stack?.access.stack;
  if (!stack) throw new Error('no stack status');
  ctx.log(`  switching the lab's Galera nodes to ${what} (they are recreated; about a minute)`);
  await stackUp({ ...stack, ...change }, { build: false, timeoutMs: SWITCH_TIMEOUT_MS, log: () => undefined });
}

const switchTo = (ctx: SectionContext, durability: Durability): Promise<void> => reconfigureNodes(ctx, { durability }, durability);

/**
 * POST /api/orders/create in a closed loop: a warm-up, then `opts.runs` measured runs. The
 * lab's order-write throughput as it is configured now (§7 per durability profile, §8 with
 * the binary log on and off).
 */
export async function measureOrderWrites(ctx: SectionContext, http: HttpClient, label: string): Promise<{ list: RunFigures[]; errors: Record<string, number> }> {
  const { opts } = ctx;
  const loop = { concurrency: opts.concurrency, durationMs: opts.seconds * 1000, maxOps: 200_000 };
  const created = await http.post('/api/users/create', { name: 'Bench Writes', email: `bench-writes-${label}-${Date.now()}@bench.example` });
  const userId = created.kind === 'response' && created.status === 201 ? Number((created.body as { id?: unknown }).id) : Number.NaN;
  if (!Number.isInteger(userId)) throw new Error(`could not create the bench's customer (${label})`);
  const op = async (i: number) => httpResult(await http.post('/api/orders/create', { userId, productId: (i % 5) + 1, quantity: 1 }), 201);
  await closedLoop({ ...loop, durationMs: opts.warmupSeconds * 1000 }, op);
  const list: RunFigures[] = [];
  const kinds: Record<string, number>[] = [];
  for (let r = 0; r < opts.runs; r++) {
    const res = await closedLoop(loop, op);
    list.push(loopFigures(res));
    kinds.push(res.errorKinds);
  }
  ctx.log(`  ${label}: ${list.map((f) => `${f.throughput.toFixed(0)}/s`).join(', ')}`);
  return { list, errors: Object.assign({}, ...kinds) as Record<string, number> };
}

export const section7 = defineSection({ id: 7, title: TITLE, needs: ['api', 'mysql'], budgetSeconds: 900 }, async (ctx) => {
  const access = labAccess(ctx);
  const { opts } = ctx;
  const original = await currentProfile(ctx);
  const http = new HttpClient({ baseUrl: access.api, timeoutMs: 10_000 });
  const runs: Record<string, RunFigures[]> = {};
  const crash: Record<string, CrashFigures> = {};
  const notes: string[] = [];
  try {
    for (const profile of PROFILES) {
      if (Date.now() + 90_000 + opts.runs * (opts.seconds * 1000 + 500) > ctx.deadline) {
        notes.push(`${profile}: left out, the run's time was up.`);
        continue;
      }
      await switchTo(ctx, profile);
      const { list, errors } = await measureOrderWrites(ctx, http, profile);
      runs[profile] = list;
      if (Object.keys(errors).length > 0) notes.push(`${profile}: errors ${describeKinds(errors)}.`);
      if (Date.now() + CRASH_BUDGET_MS > ctx.deadline) {
        notes.push(`${profile}: ${CRASH_DRILL} left out, the run's time was up.`);
        continue;
      }
      try {
        const c = await crashBurst(ctx, profile);
        crash[profile] = c;
        ctx.log(`  ${profile}: lost ${c.lost} of ${c.acknowledged} acknowledged writes (${c.report})`);
      } catch (err) {
        notes.push(`${profile}: ${CRASH_DRILL} did not run to a report: ${(err as Error).message}`);
      }
    }
  } finally {
    if (original !== 'unknown') {
      await switchTo(ctx, original).catch((err: unknown) => {
        notes.push(`⚠ could not put the lab back on ${original}: ${(err as Error).message}. Run \`smartshop stack up --durability ${original}\`.`);
      });
    } else {
      notes.push('⚠ the lab\'s profile before the section could not be read; it is left on the last profile measured. `smartshop stack status` shows it.');
    }
  }
  const rows: string[][] = [];
  const aggregates = Object.fromEntries(Object.entries(runs).map(([p, list]) => [p, aggregate(list, opts.noiseThreshold)]));
  for (const [profile, a] of Object.entries(aggregates)) {
    rows.push([profile, ...figuresCells(a, opts.noiseThreshold)]);
    const n = noisyNote(profile, a, opts.noiseThreshold);
    if (n) notes.push(n);
  }
  const strict = runs.strict ?? [];
  const ratioRows = PROFILES.filter((p) => p !== 'strict' && runs[p] && strict.length > 0).map((p) => {
    const other = runs[p] ?? [];
    // runs are paired by index although they ran minutes apart: read it as an estimate
    return [p, fmtRatio(pairedRatio(other.map((f) => f.throughput), strict.map((f) => f.throughput))), fmtRatio(pairedRatio(other.map((f) => f.p99), strict.map((f) => f.p99)))];
  });
  const figures: Table = { headers: ['profile', ...FIGURES_HEADERS], align: ['left'], rows };
  const ratios: Table = { title: 'Ratios against strict', headers: ['profile', 'throughput ÷ strict', 'p99 ÷ strict'], align: ['left'], rows: ratioRows };
  const crashRows = Object.entries(crash).map(([p, c]) => [p, c.verdict, String(c.acknowledged), String(c.lost), c.lostIds.join(', ') || '—', c.report]);
  const crashes: Table = { title: `Every node SIGKILLed at once (${CRASH_DRILL})`, headers: ['profile', 'verdict', 'acknowledged writes', 'lost', 'lost ids (first 20)', 'report'], align: ['left'], rows: crashRows };
  return {
    status: 'ok',
    about: [
      `POST /api/orders/create through the lab's shop, HAProxy and the three Galera nodes, closed loop of ${opts.concurrency} in flight, ${opts.runs} runs of ${opts.seconds} s per profile after a warm-up.`,
      'Profiles run one after another (switching recreates the nodes), not alternating run by run as elsewhere: drift on the machine between them is not cancelled out.',
      `The lab was on ${original} before the section and is put back on it afterwards.`,
      `After the throughput runs on each profile, \`smartshop chaos run ${CRASH_DRILL}\` (10 journeys/s, 8 s of fault) counts what that profile kept when all three nodes were SIGKILLed at once; its report is in reports/chaos/.`,
    ],
    tables: [figures, ratios, crashes],
    notes,
    data: { original, runs, crash },
  };
});
