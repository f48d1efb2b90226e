// What the edge did in its drills (docs/edge.md). `flood`: the flood was refused with 429s at
// the edge while the fault held (a weakened edge, limits off, refuses nothing and fails
// here), and no refused write left a trace in the shop (no idempotency record for its key).
// `outage`: once the edge was back (the drill's steady state includes it answering), its
// clients were served again by themselves: no request started after that failed, and some
// succeeded. For `flood`, also that no client got more writes through to the shop (and so to
// the database) while the fault held than its policy in edge/limits.map allows in that time:
// a weakened edge lets the flood's client write far past it.
import type { LabContainer, NodeSql } from '../../lab/index.ts';
import type { LedgerExport, RequestSample } from '../../simulator/index.ts';
import { isClientError } from '../report/timeline.ts';

/** A client's rate and burst for a path, as the edge's limits give them; undefined: not limited. */
export type PolicyOf = (client: string, path: string) => { group: string; rate: number; burst: number } | undefined;

/** The writes one client got through the edge in one route group while the fault held. */
export interface ClientWrites {
  client: string;
  group: string;
  /** writes the edge let through (any HTTP answer but its own 429) */
  admitted: number;
  /** the most its policy lets through in the fault's span: burst + 1 at once, then rate per second */
  allowed: number;
}

export interface EdgeJudgement {
  kind: 'flood' | 'outage';
  /** requests the edge refused (429, its problem type) while the fault held */
  limitedDuringFault: number;
  /** keyed writes refused to the end, and how many of their keys the shop has a record of */
  limitedWrites: number;
  limitedWritesInShop?: number;
  /** requests started once the edge answered again: how many, how many failed, how many succeeded */
  afterRollback: { requests: number; failed: number; succeeded: number };
  /** flood: the client that came nearest its write limit (the largest share of it used) */
  busiestWriter?: ClientWrites;
  failures: string[];
}

/** The fault's span, and when the drill's steady state (the edge answering included) was back. */
export interface EdgeWindow {
  faultFrom: number;
  faultTo: number;
  backAt: number;
}

const KEYS_PER_QUERY = 1_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SLACK_SECONDS = 2;

/**
 * Pure: per named client and route group, the writes the edge let through between `from` and
 * `to` (by when they were sent), against what the policy allows in that span plus two seconds of
 * slack: a request is counted by when the simulator sent it, and the edge admits it when it
 * arrives, later under load. Worst share first.
 */
export function writesPerClient(samples: readonly RequestSample[], from: number, to: number, policyOf: PolicyOf): ClientWrites[] {
  const counts = new Map<string, ClientWrites>();
  const seconds = Math.max(0, to - from) / 1000;
  for (const s of samples) {
    if (s.client === undefined || s.at < from || s.at >= to || !/^\d{3}$/.test(s.outcome)) continue;
    const space = s.endpoint.indexOf(' ');
    const method = s.endpoint.slice(0, space);
    if (space < 0 || READS.has(method)) continue;
    const policy = policyOf(s.client, s.endpoint.slice(space + 1));
    if (policy === undefined) continue;
    const id = `${s.client} ${policy.group}`;
    const c = counts.get(id) ?? { client: s.client, group: policy.group, admitted: 0, allowed: policy.burst + 1 + Math.floor(((seconds + SLACK_SECONDS) * 1000) / Math.floor(1000 / policy.rate)) };
    c.admitted++;
    counts.set(id, c);
  }
  return [...counts.values()].sort((a, b) => b.admitted / b.allowed - a.admitted / a.allowed);
}

/** Pure: the findings from the traffic's samples and what the shop holds of the refused keys. */
export function edgeFindings(kind: 'flood' | 'outage', samples: readonly RequestSample[], window: EdgeWindow, limitedWrites: number, limitedWritesInShop: number | undefined, policyOf?: PolicyOf): EdgeJudgement {
  const during = samples.filter((s) => s.at >= window.faultFrom && s.at < window.faultTo);
  const after = samples.filter((s) => s.at >= window.backAt);
  const j: EdgeJudgement = {
    kind,
    limitedDuringFault: during.filter((s) => s.outcome === 'limited').length,
    limitedWrites,
    ...(limitedWritesInShop === undefined ? {} : { limitedWritesInShop }),
    afterRollback: {
      requests: after.length,
      failed: after.filter((s) => isClientError(s.outcome)).length,
      succeeded: after.filter((s) => /^2\d\d$/.test(s.outcome)).length,
    },
    failures: [],
  };
  if (kind === 'flood') {
    if (j.limitedDuringFault === 0) j.failures.push(`the edge refused none of the flood's ${during.length} requests (no 429 from its rate limit): nothing stood between the flood and the database`);
    if ((limitedWritesInShop ?? 0) > 0) j.failures.push(`${limitedWritesInShop} of ${limitedWrites} writes the edge refused left an idempotency record in the shop: a refused request reached it`);
    const writers = policyOf === undefined ? [] : writesPerClient(samples, window.faultFrom, window.faultTo, policyOf);
    if (writers[0] !== undefined) j.busiestWriter = writers[0];
    // nothing counted (no client named itself, no write got through) would pass unjudged
    else if (policyOf !== undefined) j.failures.push('no named client got a write through the edge during the flood: the writes against its limits could not be judged');
    const span = Math.round((window.faultTo - window.faultFrom) / 1000);
    for (const w of writers.filter((x) => x.admitted > x.allowed)) {
      j.failures.push(`client ${w.client} got ${w.admitted} ${w.group} writes through the edge in ${span} s, over the ${w.allowed} its limit allows: the flood reached the database past its limit`);
    }
  }
  if (kind === 'outage') {
    if (!during.some((s) => isClientError(s.outcome))) j.failures.push(`no client request failed while the edge was stopped (${during.length} sent): the outage never reached its clients, so their recovery proves nothing`);
    if (j.afterRollback.failed > 0) j.failures.push(`${j.afterRollback.failed} of ${j.afterRollback.requests} client requests failed after the edge answered again`);
    if (j.afterRollback.succeeded === 0) j.failures.push(`no client request succeeded through the edge after it was back (${j.afterRollback.requests} sent)`);
  }
  return j;
}

/** Reads the shop's idempotency records of the refused keys on one node, then judges. */
export async function judgeEdge(kind: 'flood' | 'outage', samples: readonly RequestSample[], window: EdgeWindow, ledger: LedgerExport, sql: NodeSql, node: LabContainer | undefined, policyOf?: PolicyOf): Promise<EdgeJudgement> {
  const keys = ledger.limited.map((w) => w.idempotencyKey).filter((k) => UUID.test(k));
  let inShop: number | undefined;
  if (keys.length > 0) {
    if (node === undefined) throw new Error('no running Galera node to read the refused writes\' keys from');
    inShop = 0;
    // in chunks: the statement goes to the node as one argument of `docker exec`, which has a size limit
    for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
      const chunk = keys.slice(i, i + KEYS_PER_QUERY).map((k) => `'${k}'`).join(',');
      const rows = await sql.query(node, `SELECT COUNT(*) FROM idempotency_records WHERE idem_key IN (${chunk})`);
      inShop += Number(rows[0]?.[0] ?? 0);
    }
  }
  return edgeFindings(kind, samples, window, keys.length, inShop, policyOf);
}

/** One sentence for the report. */
export function edgeLine(j: EdgeJudgement): string {
  const a = j.afterRollback;
  const refused = j.kind === 'flood' ? `the edge refused ${j.limitedDuringFault} request(s) during the flood; ${j.limitedWrites} write(s) stayed refused, ${j.limitedWritesInShop ?? 0} of them known to the shop; ` : '';
  const w = j.busiestWriter;
  const writer = w === undefined ? '' : `the busiest writer, ${w.client}, got ${w.admitted} ${w.group} write(s) through of the ${w.allowed} its limit allows; `;
  return `${refused}${writer}once the edge answered again: ${a.requests} request(s), ${a.succeeded} succeeded, ${a.failed} failed.`;
}
