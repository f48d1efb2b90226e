// The fulfilment ledger (docs/fulfilment.md), in Jepsen's words: every order the shop
// acknowledged as paid during the drill must have exactly one shipment within a bound after
// the fault ended (none: lost; more: duplicated); the outbox drained and the dead-letter
// queue empty (a drill that poisons messages replays them before the judgement). A shipment
// for an order never paid is an invariant of its own (invariants.ts), checked on every node.
// Judged on every drill of a lab that runs workers: the pipeline runs through every fault.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LabContainer, NodeSql, Target } from '../../lab/index.ts';
import type { AckLedger } from './ledger.ts';
import { DEAD_LETTER_QUEUE } from '../../shared/broker.ts';

/** How long after the recovery every acknowledged paid order may take to be shipped. */
export const FULFILMENT_BOUND_MS = 90_000;
const POLL_MS = 2_000;
const CHUNK = 1_000;

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
}

export function paidOrderIds(ledger: AckLedger): string[] {
  return [...new Set(ledger.payments.filter((p) => p.status === 'success').map((p) => p.orderId))].filter((id) => /^\d+$/.test(id));
}

/** Shipments per order id, on one node, causally. */
async function shipmentsOf(sql: NodeSql, node: LabContainer, ids: string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    const rows = await sql.query(node, `SET SESSION wsrep_sync_wait = 1; SELECT order_id, COUNT(*) FROM shipments WHERE order_id IN (${part.join(',')}) GROUP BY order_id`);
    for (const [id = '', n = '0'] of rows) found.set(id, Number(n));
  }
  return found;
}

/** Messages waiting in the dead-letter queue, asked of a running broker node (undefined: none answers). */
async function deadLetters(target: Target): Promise<number | undefined> {
  for (const node of (await target.list('rabbitmq').catch(() => [])).filter((c) => c.state === 'running')) {
    const r = await target.exec(node, ['rabbitmqctl', 'list_queues', '-q', '--no-table-headers', 'name', 'messages']).catch(() => undefined);
    if (r?.exitCode !== 0) continue;
    for (const line of r.stdout.split('\n')) {
      const [name, n] = line.trim().split(/\s+/);
      if (name === DEAD_LETTER_QUEUE) return Number(n);
    }
    return 0;
  }
  return undefined;
}

/** Waits (bounded) until every acknowledged paid order is shipped, then reads what is left. */
export async function judgeFulfilment(target: Target, sql: NodeSql, node: LabContainer, ledger: AckLedger, options: { boundMs?: number; say?: (line: string) => void } = {}): Promise<FulfilmentResult> {
  const boundMs = options.boundMs ?? FULFILMENT_BOUND_MS;
  const ids = paidOrderIds(ledger);
  const started = Date.now();
  const backlogNow = async (): Promise<number> =>
    Number((await sql.query(node, 'SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM outbox WHERE published_at IS NULL'))[0]?.[0] ?? 0);
  let shipments = await shipmentsOf(sql, node, ids);
  let backlog = await backlogNow();
  let said = false;
  // quiet: every paid order shipped and the outbox drained (the relay marks rows after the
  // confirm, in the background), or the bound reached
  while ((ids.some((id) => !shipments.has(id)) || backlog > 0) && Date.now() - started < boundMs) {
    if (!said) {
      options.say?.(`fulfilment: ${ids.filter((id) => !shipments.has(id)).length} of ${ids.length} paid orders not shipped yet, ${backlog} outbox event(s) unconfirmed; waiting up to ${boundMs / 1000} s`);
      said = true;
    }
    await sleep(POLL_MS);
    shipments = await shipmentsOf(sql, node, ids);
    backlog = await backlogNow();
  }
  const waitedMs = Date.now() - started;
  // a redelivery still in flight would commit its duplicate after this moment: read once more
  await sleep(POLL_MS);
  shipments = await shipmentsOf(sql, node, ids);
  return {
    paid: ids.length,
    shipped: ids.filter((id) => shipments.get(id) === 1).length,
    lost: ids.filter((id) => !shipments.has(id)),
    duplicated: ids.filter((id) => (shipments.get(id) ?? 0) > 1).map((id) => ({ orderId: id, shipments: shipments.get(id) ?? 0 })),
    outboxBacklog: backlog,
    deadLettered: await deadLetters(target),
    waitedMs,
    boundMs,
  };
}

/** Failures (data) of a fulfilment judgement, for the verdict. */
export function fulfilmentFindings(r: FulfilmentResult): string[] {
  const failures: string[] = [];
  const list = (xs: string[]): string => xs.slice(0, 15).join(', ') + (xs.length > 15 ? ` … (${xs.length} in all)` : '');
  if (r.lost.length > 0) failures.push(`${r.lost.length} order(s) acknowledged as paid were not shipped within ${r.boundMs / 1000} s (lost fulfilments): order ${list(r.lost)}`);
  if (r.duplicated.length > 0) failures.push(`${r.duplicated.length} order(s) shipped more than once (duplicated fulfilments): ${list(r.duplicated.map((d) => `order ${d.orderId} ×${d.shipments}`))}`);
  if (r.outboxBacklog > 0) failures.push(`${r.outboxBacklog} outbox event(s) still not confirmed by the broker at the end`);
  if (r.deadLettered === undefined) failures.push('the dead-letter queue could not be read (no broker node answered)');
  else if (r.deadLettered > 0) failures.push(`${r.deadLettered} message(s) in the dead-letter queue ${DEAD_LETTER_QUEUE}`);
  return failures;
}
