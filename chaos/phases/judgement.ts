// Phase 5: the judgement, on every Galera node directly: each acknowledged write present
// (the ledger), the invariants, cross-node checksums; for exactly-once drills, one effect
// per answered key and equal replays; for restore drills, the ledger as it was at the
// disaster, split by the backup's and the disaster's times (judge/restore.ts), RPO and RTO. The consistency result is also exported for the
// Galera dashboard and GaleraNodesDiverged.
import type { LedgerExport } from '../../simulator/index.ts';
import { recordConsistency } from '../../stack/index.ts';
import { checkReplays, judgeExactlyOnce, readCreated } from '../judge/exactly-once.ts';
import { fromSimulatorLedger } from '../judge/ledger.ts';
import { checkInvariants, checkLedger } from '../judge/read-nodes.ts';
import { judgeRestore, splitLedger } from '../judge/restore.ts';
import { judgeFulfilment, paidInRestoredData } from '../judge/fulfilment.ts';
import type { Judged } from '../judge/verdict.ts';
import { judgeConsistency, toConsistencyCheck } from '../judge/verify.ts';
import { judgeEdge } from '../judge/edge.ts';
import { policyFor, readEdgeLimitsFile, readLimits, type Limits } from '../../edge/limits.ts';
import type { DrillContext } from './context.ts';
import type { Injection, Traffic } from './method.ts';

const asError = (err: unknown): { error: string } => ({ error: (err as Error).message });

export async function judgement(ctx: DrillContext, traffic: Traffic, injection: Injection, galeraCount: number): Promise<{ judged: Judged; ledger: LedgerExport }> {
  const { target, sql, o, drill, say } = ctx;
  const ledgerAll = traffic.run.ledger.export();
  const ledger = fromSimulatorLedger(ledgerAll);
  const nodes = (await target.list('galera').catch(() => [])).filter((n) => n.state === 'running');
  const restore = injection.fault?.restore?.();
  const judged: Judged = {
    ledger: restore ? { error: 'not read' } : await checkLedger(sql, nodes, ledger).catch(asError),
    invariants: await checkInvariants(sql, nodes).catch(asError),
    consistency: await judgeConsistency(target, o.database).catch(asError),
  };
  if (restore) {
    // what the restore had to bring back is the ledger's check; what a backup alone cannot is only counted
    const split = splitLedger(restore.snapshot, restore.window);
    const required = await checkLedger(sql, nodes, split.required).catch(asError);
    const notInBackup = split.notInBackup ? await checkLedger(sql, nodes, split.notInBackup, 0).catch(asError) : undefined;
    const inStreamLag = split.inStreamLag ? await checkLedger(sql, nodes, split.inStreamLag, 0).catch(asError) : undefined;
    judged.ledger = required;
    const steadyBackAt = traffic.observer.events.find((e) => e.kind === 'steady-state-back')?.at;
    const unread = [required, notInBackup, inStreamLag].find((c) => c !== undefined && 'error' in c);
    if (unread && 'error' in unread) judged.restore = { error: unread.error };
    else if (!('error' in required)) {
      judged.restore = judgeRestore(restore.window, restore.snapshot, ledgerAll, {
        required, ...(notInBackup && !('error' in notInBackup) ? { notInBackup } : {}), ...(inStreamLag && !('error' in inStreamLag) ? { inStreamLag } : {}),
      }, steadyBackAt);
    }
  }
  if (drill.exactlyOnce) {
    const node = nodes[0];
    const marks = traffic.marks;
    if (marks === undefined || node === undefined) judged.exactlyOnce = { error: 'no running Galera node to read the watermarks or the rows from' };
    else {
      say(`exactly once: reading the rows created since the drill began, re-sending ${ledgerAll.answers.length} answered keys`);
      judged.exactlyOnce = await (async () => judgeExactlyOnce(ledgerAll, await readCreated(sql, node, marks), await checkReplays(o.endpoints.api, ledgerAll.answers)))().catch(asError);
    }
  }
  // the pipeline runs through every drill: where workers run, it is judged too. After a
  // restore, every acknowledged paid order the restored data holds as paid must ship once,
  // also one shipped after the restore point: the restore re-arms the outbox for it
  // (backup/pipeline.ts); the orders it took back are not shipped
  const workers = await target.list('worker').catch(() => []);
  if (workers.length > 0) {
    const node = nodes[0];
    judged.fulfilment = node === undefined
      ? { error: 'no running Galera node to read the shipments from' }
      : await (async () => {
        const mustShip = restore ? await paidInRestoredData(sql, node, ledger) : ledger;
        return judgeFulfilment(target, sql, node, mustShip, { say, ...faultWindow(traffic) });
      })().catch(asError);
  }
  if (ctx.alert) judged.alert = await ctx.alert.judge().catch(asError);
  if (drill.edge) {
    const edgeKind = drill.edge;
    const at = (kind: string): number | undefined => traffic.observer.events.find((e) => e.kind === kind)?.at;
    const faultFrom = at('fault-start');
    const faultTo = at('rollback-start');
    const backAt = at('steady-state-back');
    judged.edge = faultFrom === undefined || faultTo === undefined || backAt === undefined
      ? { error: 'the fault never began, or the steady state (the edge answering) never came back' }
      : await (async () => {
        // the limits the edge should enforce: the file it was started with when that one has
        // policies (a lab's own, looser or tighter), else edge/limits.map: a weakened edge
        // (limits-off.map) is judged against what it should have enforced
        const limits = edgeLimitsToEnforce();
        return judgeEdge(edgeKind, traffic.run.stats.samples ?? [], { faultFrom, faultTo, backAt }, ledgerAll, sql, nodes[0], (client, path) => policyFor(limits, client, path));
      })().catch(asError);
  }
  // compose: the project's node-exporter reads the folder; a failure to write is a log line, not a verdict
  if (target.kind === 'compose' && !('error' in judged.consistency)) {
    await recordConsistency({ project: target.project }, toConsistencyCheck(judged.consistency, galeraCount), { warn: say });
  }
  if (nodes.length < galeraCount) {
    judged.ledger = {
      error: `only ${nodes.length} of ${galeraCount} Galera nodes are running; ${ledger.users.length} users, ${ledger.orders.length} orders, ${ledger.payments.length} payments acknowledged and NOT verified`,
    };
  }
  return { judged, ledger: ledgerAll };
}

/** The limits the edge was started with (EDGE_LIMITS_FILE) when they limit something, else edge/limits.map. */
function edgeLimitsToEnforce(): Limits {
  const own = readEdgeLimitsFile();
  return own.policies.length > 0 ? own : readLimits();
}

/** From the fault to the steady state back (or the traffic's end): the lag's "during". */
function faultWindow({ observer }: Traffic): { window?: { from: number; to: number } } {
  const at = (kind: string): number | undefined => observer.events.find((e) => e.kind === kind)?.at;
  const from = at('fault-start');
  const to = at('steady-state-back') ?? at('traffic-stop');
  return from === undefined || to === undefined ? {} : { window: { from, to } };
}

/** One line for the journal. */
export function judgementSummary(judged: Judged): string {
  const part = (name: string, r: object | undefined): string => (r === undefined ? '' : `${name} ${'error' in r ? 'not judged' : 'judged'}`);
  return [part('ledger', judged.ledger), part('invariants', judged.invariants), part('consistency', judged.consistency), part('exactly once', judged.exactlyOnce), part('restore', judged.restore), part('fulfilment', judged.fulfilment), part('alert', judged.alert), part('edge', judged.edge)].filter(Boolean).join(', ');
}
