// The fulfilment ledger (docs/fulfilment.md), in Jepsen's words: every order the shop
// acknowledged as paid during the drill must have exactly one shipment within a bound after
// the fault ended (none: lost; more: duplicated); the outbox drained and the dead-letter
// queue empty (a drill that poisons messages replays them before the judgement). A shipment
// for an order never paid is an invariant of its own (invariants.ts), checked on every node.
// Judged on every drill of a lab that runs workers: the pipeline runs through every fault.
import { setTimeout as sleep } from 'node:timers/promises';
import { type LabContainer, type NodeSql, type Target } from '../../lab/index.ts';
import { queueDepths } from '../../lab/broker.ts';
import type { AckLedger } from './ledger.ts';
import { DEAD_LETTER_QUEUE, FULFILMENT_QUEUE } from '../../shared/broker.ts';
import { percentile } from '../steady-state.ts';

/** How long after the recovery every acknowledged paid order may take to be shipped. */
const FULFILMENT_BOUND_MS = 90_000;
const POLL_MS = 2_000;
/**
 * How long the pipeline must look idle (nothing in the outbox, nothing in the queue, no new
 * shipment) before the wait ends early. A quorum queue's message count comes from a metrics
 * table its leader's node refreshes every 5 s, and reads 0 just after a leader election: the
 * window spans more than two refreshes, so one stale 0 cannot end it.
 */
const IDLE_MS = 12_000;
const CHUNK = 1_000;

/** Payment to shipment, of the orders paid in one part of the drill. */
interface LagFigures {
  orders: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface FulfilmentResult {
  /** orders acknowledged as paid (a 2xx with a successful payment) */
  paid: number;
  /** of those, shipped exactly once */
  shipped: number;
  lost: string[];
  duplicated: { orderId: string; shipments: number }[];
  /** outbox rows never confirmed by the broker, at the end */
  outboxBacklog: number;
  /** messages in the dead-letter queue at the end; undefined when the broker could not be read */
  deadLettered: number | undefined;
  /** how long the judge waited for the last shipment */
  waitedMs: number;
  boundMs: number;
  /** the wait ended before the bound: nothing was left, for IDLE_MS, that could ship an order */
  idle?: boolean;
  /** end-to-end lag (payment to shipment commit) of the orders paid before, during and after the fault */
  lag?: { before?: LagFigures; duringFault?: LagFigures; after?: LagFigures };
}

/** When the fault began and when the steady state was back (epoch ms): the lag's three parts. */
export interface FaultWindow {
  from: number;
  to: number;
}

export function paidOrderIds(ledger: AckLedger): string[] {
  return [...new Set(ledger.payments.filter((p) => p.status === 'success').map((p) => p.orderId))].filter((id) => /^\d+$/.test(id));
}

/**
 * After a restore, the acknowledged paid orders whose successful payment is in the restored
 * data: each must ship once, whether the restore had to bring it back or, paid while the
 * backup ran, it happens to be in it. An order the restore took back is not shipped, rightly.
 */
export async function paidInRestoredData(sql: NodeSql, node: LabContainer, ledger: AckLedger): Promise<AckLedger> {
  const ids = paidOrderIds(ledger);
  const present = new Set<string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await sql.query(node, `SET SESSION wsrep_sync_wait = 1; SELECT DISTINCT order_id FROM payments WHERE status = 'success' AND order_id IN (${ids.slice(i, i + CHUNK).join(',')})`);
    for (const [id = ''] of rows) present.add(id);
  }
  return { ...ledger, payments: ledger.payments.filter((p) => present.has(p.orderId)) };
}

/** Shipments per order id, on one node, causally; with lags, each order's first shipment's lag (ms after its payment). */
async function shipmentsOf(sql: NodeSql, node: LabContainer, ids: string[], lags?: Map<string, number>): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    const rows = await sql.query(node, `SET SESSION wsrep_sync_wait = 1; SELECT order_id, COUNT(*), MIN(TIMESTAMPDIFF(MICROSECOND, paid_at, created_at)) DIV 1000 FROM shipments WHERE order_id IN (${part.join(',')}) GROUP BY order_id`);
    for (const [id = '', n = '0', lag] of rows) {
      found.set(id, Number(n));
      if (lags && lag !== undefined && lag !== 'NULL') lags.set(id, Number(lag));
    }
  }
  return found;
}

function lagFigures(lags: number[]): LagFigures | undefined {
  if (lags.length === 0) return undefined;
  return { orders: lags.length, p50Ms: percentile(lags, 50) ?? 0, p99Ms: percentile(lags, 99) ?? 0, maxMs: Math.max(...lags) };
}

/** Each shipped order's lag, by when its payment was acknowledged: before the fault, during it, after the lab was back. */
export function lagByPart(ledger: AckLedger, lags: Map<string, number>, window: FaultWindow | undefined): FulfilmentResult['lag'] {
  if (window === undefined || lags.size === 0) return undefined;
  const parts: Record<'before' | 'duringFault' | 'after', number[]> = { before: [], duringFault: [], after: [] };
  const seen = new Set<string>();
  for (const p of ledger.payments) {
    const lag = lags.get(p.orderId);
    if (p.status !== 'success' || p.ackAt === undefined || lag === undefined || seen.has(p.orderId)) continue;
    seen.add(p.orderId);
    const at = Date.parse(p.ackAt);
    parts[at < window.from ? 'before' : at < window.to ? 'duringFault' : 'after'].push(lag);
  }
  const out: NonNullable<FulfilmentResult['lag']> = {};
  for (const k of ['before', 'duringFault', 'after'] as const) {
    const f = lagFigures(parts[k]);
    if (f) out[k] = f;
  }
  return out;
}

/** Waits (bounded) until every acknowledged paid order is shipped, then reads what is left. */
export async function judgeFulfilment(target: Target, sql: NodeSql, node: LabContainer, ledger: AckLedger, options: { boundMs?: number; say?: (line: string) => void; window?: FaultWindow } = {}): Promise<FulfilmentResult> {
  const boundMs = options.boundMs ?? FULFILMENT_BOUND_MS;
  const ids = paidOrderIds(ledger);
  const started = Date.now();
  const backlogNow = async (): Promise<number> =>
    Number((await sql.query(node, 'SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM outbox WHERE published_at IS NULL'))[0]?.[0] ?? 0);
  let shipments = await shipmentsOf(sql, node, ids);
  let backlog = await backlogNow();
  let said = false;
  // since when the pipeline has looked idle, and how many orders were shipped then
  let idle: { since: number; shipped: number } | undefined;
  const idleLongEnough = (): boolean => idle !== undefined && Date.now() - idle.since >= IDLE_MS;
  const unshipped = (): number => ids.filter((id) => !shipments.has(id)).length;
  let left = unshipped();
  // quiet: every paid order shipped and the outbox drained (the relay marks rows after the
  // confirm, in the background), or nothing left that could ship one, or the bound reached
  while ((left > 0 || backlog > 0) && !idleLongEnough() && Date.now() - started < boundMs) {
    if (!said) {
      options.say?.(`fulfilment: ${left} of ${ids.length} paid orders not shipped yet, ${backlog} outbox event(s) unconfirmed; waiting up to ${boundMs / 1000} s`);
      said = true;
    }
    await sleep(POLL_MS);
    // Read in this order: outbox, queue, shipments. With no event unconfirmed, every event is
    // in the queue or consumed; a worker commits before it acks, so a message gone from the
    // queue has its shipment visible to the causal read after. Nothing in the outbox, nothing
    // in the queue (ready or unacked) and no new shipment for IDLE_MS: an order still without
    // a shipment has no message left that could ship it, so waiting out the bound is pointless.
    backlog = await backlogNow();
    const queued = backlog === 0 ? (await queueDepths(target))?.get(FULFILMENT_QUEUE) : undefined;
    shipments = await shipmentsOf(sql, node, ids);
    left = unshipped();
    const quiet = queued === 0 && left > 0;
    if (!quiet) idle = undefined;
    else if (idle === undefined || idle.shipped !== shipments.size) idle = { since: Date.now(), shipped: shipments.size };
  }
  const waitedMs = Date.now() - started;
  const stoppedIdle = idleLongEnough() && left > 0;
  if (stoppedIdle) options.say?.(`fulfilment: the outbox is drained and the queue empty, ${left} paid order(s) still without a shipment; judging now`);
  // a redelivery still in flight would commit its duplicate after this moment: read once more
  await sleep(POLL_MS);
  const lags = new Map<string, number>();
  shipments = await shipmentsOf(sql, node, ids, lags);
  const depths = await queueDepths(target);
  const lag = lagByPart(ledger, lags, options.window);
  return {
    paid: ids.length,
    shipped: ids.filter((id) => shipments.get(id) === 1).length,
    lost: ids.filter((id) => !shipments.has(id)),
    duplicated: ids.filter((id) => (shipments.get(id) ?? 0) > 1).map((id) => ({ orderId: id, shipments: shipments.get(id) ?? 0 })),
    outboxBacklog: backlog,
    deadLettered: depths === undefined ? undefined : (depths.get(DEAD_LETTER_QUEUE) ?? 0),
    waitedMs,
    boundMs,
    ...(stoppedIdle ? { idle: true } : {}),
    ...(lag ? { lag } : {}),
  };
}

/** Failures (data) of a fulfilment judgement, for the verdict. */
export function fulfilmentFindings(r: FulfilmentResult): string[] {
  const failures: string[] = [];
  const list = (xs: string[]): string => xs.slice(0, 15).join(', ') + (xs.length > 15 ? ` … (${xs.length} in all)` : '');
  const when = r.idle ? 'and no event in the outbox or message in the queue was left to ship them' : `within ${r.boundMs / 1000} s`;
  if (r.lost.length > 0) failures.push(`${r.lost.length} order(s) acknowledged as paid were not shipped ${when} (lost fulfilments): order ${list(r.lost)}`);
  if (r.duplicated.length > 0) failures.push(`${r.duplicated.length} order(s) shipped more than once (duplicated fulfilments): ${list(r.duplicated.map((d) => `order ${d.orderId} ×${d.shipments}`))}`);
  if (r.outboxBacklog > 0) failures.push(`${r.outboxBacklog} outbox event(s) still not confirmed by the broker at the end`);
  if (r.deadLettered === undefined) failures.push('the dead-letter queue could not be read (no broker node answered)');
  else if (r.deadLettered > 0) failures.push(`${r.deadLettered} message(s) in the dead-letter queue ${DEAD_LETTER_QUEUE}`);
  return failures;
}
