// grastate.dat and `mariadbd --wsrep-recover` output, and the choice of the node to
// bootstrap after a whole-cluster outage. Pure: the I/O lives in safe-bootstrap.ts.
//
// The rule (Galera's documented procedure): bootstrap only the node with the
// highest committed seqno (recovered with --wsrep-recover when grastate says -1, i.e. the
// node did not stop cleanly), and never by deleting data. Nodes from different histories
// (different cluster uuids) are not reconciled by us: we refuse and say why.

export interface GrastateFile {
  uuid: string;
  seqno: number;
  safeToBootstrap: boolean;
}

/** Parses grastate.dat. Returns undefined when there is no uuid line (an empty or foreign file). */
export function parseGrastate(text: string): GrastateFile | undefined {
  const field = (name: string): string | undefined => {
    const m = new RegExp(`^\\s*${name}:\\s*(\\S+)\\s*$`, 'm').exec(text);
    return m?.[1];
  };
  const uuid = field('uuid');
  if (uuid === undefined) return undefined;
  const seqnoText = field('seqno');
  const seqno = seqnoText === undefined ? -1 : Number(seqnoText);
  return { uuid, seqno: Number.isInteger(seqno) ? seqno : -1, safeToBootstrap: field('safe_to_bootstrap') === '1' };
}

/** Rewrites safe_to_bootstrap in a grastate.dat text, adding the line when missing. */
export function withSafeToBootstrap(text: string, value: boolean): string {
  const line = `safe_to_bootstrap: ${value ? 1 : 0}`;
  if (/^\s*safe_to_bootstrap:.*$/m.test(text)) return text.replace(/^\s*safe_to_bootstrap:.*$/m, line);
  return `${text.replace(/\n*$/, '\n')}${line}\n`;
}

/** "WSREP: Recovered position: 6c1f...:1234" from `mariadbd --wsrep-recover`; the last one wins. */
export function parseRecoveredPosition(log: string): { uuid: string; seqno: number } | undefined {
  const re = /Recovered position:\s*([0-9a-f-]{36}):(-?\d+)/gi;
  let found: { uuid: string; seqno: number } | undefined;
  for (const m of log.matchAll(re)) found = { uuid: m[1] ?? '', seqno: Number(m[2]) };
  return found;
}

/** What we know of one stopped node before choosing. */
export interface NodePosition {
  node: string;
  /** from grastate.dat; undefined when the file is missing */
  grastate: GrastateFile | undefined;
  /** from --wsrep-recover, when grastate said -1 */
  recovered: { uuid: string; seqno: number } | undefined;
}

interface NodeStanding {
  node: string;
  uuid: string | undefined;
  /** best known committed seqno; -1 when unknown */
  seqno: number;
  source: 'grastate' | 'wsrep-recover' | 'unknown';
}

function standing(p: NodePosition): NodeStanding {
  if (p.grastate && p.grastate.seqno >= 0) return { node: p.node, uuid: p.grastate.uuid, seqno: p.grastate.seqno, source: 'grastate' };
  if (p.recovered && p.recovered.seqno >= 0) return { node: p.node, uuid: p.recovered.uuid, seqno: p.recovered.seqno, source: 'wsrep-recover' };
  return { node: p.node, uuid: p.grastate?.uuid ?? p.recovered?.uuid, seqno: -1, source: 'unknown' };
}

export type BootstrapChoice =
  | { ok: true; node: string; order: string[]; standings: NodeStanding[]; reason: string }
  | { ok: false; standings: NodeStanding[]; reason: string };

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * The most advanced node bootstraps; the others join after it, most advanced first (the
 * smaller the gap, the likelier IST instead of SST). Ties: a node grastate already marks
 * safe_to_bootstrap, then the name (stable, so a rerun chooses the same node).
 */
export function chooseBootstrapNode(positions: NodePosition[]): BootstrapChoice {
  const standings = positions.map(standing);
  if (standings.length === 0) return { ok: false, standings, reason: 'no Galera node found' };
  const unknown = standings.filter((s) => s.seqno < 0);
  if (unknown.length === standings.length) {
    return { ok: false, standings, reason: `no node has a known committed position (${unknown.map((s) => s.node).join(', ')}); refusing to guess` };
  }
  const uuids = new Set(standings.filter((s) => s.seqno >= 0 && s.uuid && s.uuid !== NIL_UUID).map((s) => s.uuid));
  if (uuids.size > 1) {
    return { ok: false, standings, reason: `nodes belong to different cluster histories (${[...uuids].join(' vs ')}); refusing to bootstrap, resolve by hand` };
  }
  const safe = new Set(positions.filter((p) => p.grastate?.safeToBootstrap).map((p) => p.node));
  const ranked = [...standings].sort(
    (a, b) => b.seqno - a.seqno || Number(safe.has(b.node)) - Number(safe.has(a.node)) || a.node.localeCompare(b.node),
  );
  const first = ranked[0] as NodeStanding;
  const tie = ranked.filter((s) => s.seqno === first.seqno).length > 1;
  const others = ranked.slice(1).map((s) => `${s.node}=${s.seqno}`);
  return {
    ok: true,
    node: first.node,
    order: ranked.map((s) => s.node),
    standings,
    reason: `${first.node} has the highest committed seqno ${first.seqno} (${first.source})${tie ? ', tied, chosen by name' : ''}; others: ${others.join(', ') || 'none'}`,
  };
}
