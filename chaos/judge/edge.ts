// What the edge did in its drills (docs/edge.md). `flood`: the flood was refused with 429s at
// the edge while the fault held (a weakened edge, limits off, refuses nothing and fails
// here), and no refused write left a trace in the shop (no idempotency record for its key).
// `outage`: once the edge was back (the drill's steady state includes it answering), its
// clients were served again by themselves: no request started after that failed, and some
// succeeded.
import type { LabContainer, NodeSql } from '../../lab/index.ts';
import type { LedgerExport, RequestSample } from '../../simulator/index.ts';
import { isClientError } from '../report/timeline.ts';


export interface EdgeJudgement {
  kind: 'flood' | 'outage';
  /** requests the edge refused (429, its problem type) while the fault held */
  limitedDuringFault: number;
  /** keyed writes refused to the end, and how many of their keys the shop has a record of */
  limitedWrites: number;
  limitedWritesInShop?: number;
  /** requests started once the edge answered again: how many, how many failed, how many succeeded */
  afterRollback: { requests: number; failed: number; succeeded: number };
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

/** Pure: the findings from the traffic's samples and what the shop holds of the refused keys. */
export function edgeFindings(kind: 'flood' | 'outage', samples: readonly RequestSample[], window: EdgeWindow, limitedWrites: number, limitedWritesInShop: number | undefined): EdgeJudgement {
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
  }
  if (kind === 'outage') {
    if (!during.some((s) => isClientError(s.outcome))) j.failures.push(`no client request failed while the edge was stopped (${during.length} sent): the outage never reached its clients, so their recovery proves nothing`);
    if (j.afterRollback.failed > 0) j.failures.push(`${j.afterRollback.failed} of ${j.afterRollback.requests} client requests failed after the edge answered again`);
    if (j.afterRollback.succeeded === 0) j.failures.push(`no client request succeeded through the edge after it was back (${j.afterRollback.requests} sent)`);
  }
  return j;
}

/** Reads the shop's idempotency records of the refused keys on one node, then judges. */
export async function judgeEdge(kind: 'flood' | 'outage', samples: readonly RequestSample[], window: EdgeWindow, ledger: LedgerExport, sql: NodeSql, node: LabContainer | undefined): Promise<EdgeJudgement> {
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
  return edgeFindings(kind, samples, window, keys.length, inShop);
}

/** One sentence for the report. */
export function edgeLine(j: EdgeJudgement): string {
  const a = j.afterRollback;
  const refused = j.kind === 'flood' ? `the edge refused ${j.limitedDuringFault} request(s) during the flood; ${j.limitedWrites} write(s) stayed refused, ${j.limitedWritesInShop ?? 0} of them known to the shop; ` : '';
  return `${refused}once the edge answered again: ${a.requests} request(s), ${a.succeeded} succeeded, ${a.failed} failed.`;
}
