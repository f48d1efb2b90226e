// The stale-read probe: write an order row through Galera node A, read it at once through
// node B, many times; once with `wsrep_sync_wait=0` (Galera's default: B answers from what
// it has applied so far) and once with `=1` (causal read: B first waits until it has
// applied everything committed cluster-wide before the read). Counts the reads that did not
// see the row and what the causal read costs. Direct node connections, never HAProxy.
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { connectNode, credentialsFromEnv, galeraEndpoints, pickNode, type DbCredentials, type NodeEndpoint } from '../../lab/node-connections.ts';

/** Marks the probe's rows (previous_status is VARCHAR(16)): user 0, status cancelled, amount 0. */
const PROBE_MARK = 'stale-read-probe';

type SyncWait = 0 | 1;

export interface StaleReadRun {
  syncWait: SyncWait;
  reads: number;
  /** reads on B that did not find the row A had just committed */
  stale: number;
  staleRatio: number;
  /** sum and mean of the read round trips on B, in milliseconds */
  readMs: number;
  meanReadMs: number;
}

export interface StaleReadResult {
  writer: string;
  reader: string;
  iterations: number;
  off: StaleReadRun;
  on: StaleReadRun;
  /** mean extra read time of the causal read (on - off), ms, and as a ratio of the plain read */
  extraMsPerRead: number;
  extraRatio: number;
  /** true when the time bound ended the run before `iterations` */
  stoppedEarly: boolean;
  rowsDeleted: number;
}

interface StaleReadOptions {
  iterations: number;
  /** bound on the whole run (default 180 s); the run stops early and says so */
  maxMs?: number;
}

function emptyRun(syncWait: SyncWait): StaleReadRun {
  return { syncWait, reads: 0, stale: 0, staleRatio: 0, readMs: 0, meanReadMs: 0 };
}

/** Mean and ratios of a finished run (pure). */
export function finishRun(run: StaleReadRun): StaleReadRun {
  return { ...run, staleRatio: run.reads === 0 ? 0 : run.stale / run.reads, meanReadMs: run.reads === 0 ? 0 : run.readMs / run.reads };
}

/** Extra cost of the causal read over the plain one (pure). */
export function extraCost(off: StaleReadRun, on: StaleReadRun): { extraMsPerRead: number; extraRatio: number } {
  const extraMsPerRead = on.meanReadMs - off.meanReadMs;
  return { extraMsPerRead, extraRatio: off.meanReadMs > 0 ? extraMsPerRead / off.meanReadMs : 0 };
}

async function insertProbeRow(writer: Connection): Promise<number> {
  const [res] = await writer.query<ResultSetHeader>(
    "INSERT INTO orders (user_id, product_id, quantity, amount, status, previous_status) VALUES (0, 0, 1, 0.00, 'cancelled', ?)",
    [PROBE_MARK],
  );
  return res.insertId;
}

async function readProbeRow(reader: Connection, id: number): Promise<{ found: boolean; ms: number }> {
  const started = process.hrtime.bigint();
  const [rows] = await reader.query<RowDataPacket[]>('SELECT id FROM orders WHERE id = ?', [id]);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { found: rows.length === 1, ms };
}

/**
 * Runs the probe on open connections: `readers[0]` has wsrep_sync_wait=0, `readers[1]` =1.
 * Each iteration does both settings, alternating which goes first, so load drift on a busy
 * machine weighs on both alike. Returns the ids written (the caller deletes them).
 */
async function probeStaleReads(
  writer: Connection,
  readers: Record<SyncWait, Connection>,
  options: StaleReadOptions,
): Promise<{ off: StaleReadRun; on: StaleReadRun; ids: number[]; stoppedEarly: boolean }> {
  const runs: Record<SyncWait, StaleReadRun> = { 0: emptyRun(0), 1: emptyRun(1) };
  const ids: number[] = [];
  const deadline = Date.now() + (options.maxMs ?? 180_000);
  let stoppedEarly = false;
  for (let i = 0; i < options.iterations; i++) {
    if (Date.now() > deadline) {
      stoppedEarly = true;
      break;
    }
    const order: SyncWait[] = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const syncWait of order) {
      const id = await insertProbeRow(writer);
      ids.push(id);
      const r = await readProbeRow(readers[syncWait], id);
      const run = runs[syncWait];
      run.reads++;
      run.readMs += r.ms;
      if (!r.found) run.stale++;
    }
  }
  return { off: finishRun(runs[0]), on: finishRun(runs[1]), ids, stoppedEarly };
}

async function deleteProbeRows(writer: Connection, ids: number[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const [res] = await writer.query<ResultSetHeader>(
      `DELETE FROM orders WHERE previous_status = ? AND user_id = 0 AND id IN (${chunk.map(() => '?').join(',')})`,
      [PROBE_MARK, ...chunk],
    );
    deleted += res.affectedRows;
  }
  return deleted;
}

/** Probe between two given endpoints (the CLI and the tests call this or runStaleReadProbe). */
async function staleReadBetween(
  writerEp: NodeEndpoint,
  readerEp: NodeEndpoint,
  creds: DbCredentials,
  options: StaleReadOptions,
): Promise<StaleReadResult> {
  const opened: Connection[] = [];
  try {
    const writer = await connectNode(writerEp, creds);
    opened.push(writer);
    const plain = await connectNode(readerEp, creds);
    opened.push(plain);
    const causal = await connectNode(readerEp, creds);
    opened.push(causal);
    await writer.query('SET SESSION wsrep_sync_wait = 0');
    await plain.query('SET SESSION wsrep_sync_wait = 0');
    await causal.query('SET SESSION wsrep_sync_wait = 1');
    const { off, on, ids, stoppedEarly } = await probeStaleReads(writer, { 0: plain, 1: causal }, options);
    const rowsDeleted = await deleteProbeRows(writer, ids);
    return { writer: writerEp.node, reader: readerEp.node, iterations: options.iterations, off, on, ...extraCost(off, on), stoppedEarly, rowsDeleted };
  } finally {
    await Promise.all(opened.map((c) => c.end().catch(() => undefined)));
  }
}

export interface RunStaleReadOptions extends StaleReadOptions {
  /** compose project whose labelled Galera nodes are probed */
  project: string;
  writer: string;
  reader: string;
  credentials?: DbCredentials;
}

/** CLI entry: finds the project's nodes, probes writer → reader, returns the result. */
export async function runStaleReadProbe(options: RunStaleReadOptions): Promise<StaleReadResult> {
  if (options.writer === options.reader) throw new Error('writer and reader must be different nodes');
  const endpoints = await galeraEndpoints(options.project);
  return staleReadBetween(pickNode(endpoints, options.writer), pickNode(endpoints, options.reader), options.credentials ?? credentialsFromEnv(), options);
}

const pct = (r: number): string => `${(r * 100).toFixed(1)}%`;

/** A small Markdown table for people. */
export function formatStaleRead(r: StaleReadResult): string {
  const row = (run: StaleReadRun): string =>
    `| ${run.syncWait} | ${run.reads} | ${run.stale} | ${pct(run.staleRatio)} | ${run.meanReadMs.toFixed(2)} |`;
  return [
    `stale-read probe: write on ${r.writer}, read at once on ${r.reader}${r.stoppedEarly ? ' (stopped early by the time bound)' : ''}`,
    '',
    '| wsrep_sync_wait | reads | stale | stale % | mean read ms |',
    '|---|---|---|---|---|',
    row(r.off),
    row(r.on),
    '',
    `causal read cost: ${r.extraMsPerRead >= 0 ? '+' : ''}${r.extraMsPerRead.toFixed(2)} ms per read (${r.extraRatio >= 0 ? '+' : ''}${pct(r.extraRatio)}); probe rows deleted: ${r.rowsDeleted}`,
  ].join('\n');
}
