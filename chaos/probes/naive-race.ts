// Contrast bench (not a test): 16 clients spread over the three Galera nodes (direct
// connections) race to move one order out of `processing`, per round, two ways:
//  - naive: BEGIN; SELECT status; if processing, UPDATE … SET status; COMMIT (read-then-write)
//  - conditional: UPDATE … WHERE id = ? AND status = 'processing', decided by affected rows
// A "winner" is a client whose change committed believing it moved the order. The shop
// uses the conditional form; this prints how often the naive form crowns several winners.
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { connectNode, credentialsFromEnv, galeraEndpoints, type DbCredentials, type NodeEndpoint } from '../../lab/node-connections.ts';

const RACE_MARK = 'naive-race-probe'; // previous_status of the bench's rows (VARCHAR(16))

type RaceMode = 'naive' | 'conditional';

interface RaceModeResult {
  mode: RaceMode;
  rounds: number;
  /** rounds where more than one client believed it won */
  multiWinnerRounds: number;
  maxWinners: number;
  meanWinners: number;
  /** client attempts that failed with a database error (1213 certification failure etc.) */
  errors: number;
}

export interface RaceResult {
  clients: number;
  nodes: string[];
  results: RaceModeResult[];
  stoppedEarly: boolean;
}

async function oneClient(conn: Connection, id: number, mode: RaceMode, target: string): Promise<'won' | 'lost' | 'error'> {
  try {
    if (mode === 'conditional') {
      const [res] = await conn.query<ResultSetHeader>("UPDATE orders SET status = ? WHERE id = ? AND status = 'processing'", [target, id]);
      return res.affectedRows === 1 ? 'won' : 'lost';
    }
    await conn.query('BEGIN');
    const [rows] = await conn.query<RowDataPacket[]>('SELECT status FROM orders WHERE id = ?', [id]);
    if (rows[0]?.status !== 'processing') {
      await conn.query('ROLLBACK');
      return 'lost';
    }
    await conn.query('UPDATE orders SET status = ? WHERE id = ?', [target, id]);
    await conn.query('COMMIT');
    return 'won';
  } catch {
    await conn.query('ROLLBACK').catch(() => undefined);
    return 'error';
  }
}

async function runMode(setup: Connection, clients: Connection[], mode: RaceMode, rounds: number, deadline: number, ids: number[]): Promise<RaceModeResult & { stopped: boolean }> {
  const winners: number[] = [];
  let errors = 0;
  let stopped = false;
  for (let round = 0; round < rounds; round++) {
    if (Date.now() > deadline) {
      stopped = true;
      break;
    }
    const [ins] = await setup.query<ResultSetHeader>(
      "INSERT INTO orders (user_id, product_id, quantity, amount, status, previous_status) VALUES (0, 0, 1, 0.00, 'processing', ?)",
      [RACE_MARK],
    );
    ids.push(ins.insertId);
    // Every client's node has the row before the race (causal read on each connection).
    await Promise.all(clients.map((c) => c.query('SELECT id FROM orders WHERE id = ?', [ins.insertId])));
    const outcomes = await Promise.all(clients.map((c, i) => oneClient(c, ins.insertId, mode, i % 2 === 0 ? 'paid' : 'cancelled')));
    winners.push(outcomes.filter((o) => o === 'won').length);
    errors += outcomes.filter((o) => o === 'error').length;
  }
  const n = winners.length;
  return {
    mode,
    rounds: n,
    multiWinnerRounds: winners.filter((w) => w > 1).length,
    maxWinners: Math.max(0, ...winners),
    meanWinners: n === 0 ? 0 : winners.reduce((a, b) => a + b, 0) / n,
    errors,
    stopped,
  };
}

export interface RaceOptions {
  rounds: number;
  clients?: number;
  maxMs?: number;
}

/** Runs both modes over the given node endpoints (client i on node i mod nodes). */
async function raceOnNodes(endpoints: NodeEndpoint[], creds: DbCredentials, options: RaceOptions): Promise<RaceResult> {
  if (endpoints.length === 0) throw new Error('no Galera node to race on');
  const clientCount = options.clients ?? 16;
  const opened: Connection[] = [];
  const ids: number[] = [];
  let setup: Connection | undefined;
  try {
    setup = await connectNode(endpoints[0] as NodeEndpoint, creds);
    opened.push(setup);
    const clients: Connection[] = [];
    for (let i = 0; i < clientCount; i++) {
      const c = await connectNode(endpoints[i % endpoints.length] as NodeEndpoint, creds);
      opened.push(c);
      clients.push(c);
      await c.query('SET SESSION wsrep_sync_wait = 1'); // even causal reads do not make read-then-write safe
    }
    const deadline = Date.now() + (options.maxMs ?? 300_000);
    const results: RaceModeResult[] = [];
    let stoppedEarly = false;
    for (const mode of ['naive', 'conditional'] as const) {
      const { stopped, ...r } = await runMode(setup, clients, mode, options.rounds, deadline, ids);
      results.push(r);
      stoppedEarly ||= stopped;
    }
    return { clients: clientCount, nodes: endpoints.map((e) => e.node), results, stoppedEarly };
  } finally {
    // the race's rows go whatever happened: they are paid orders without a payment, and the
    // lab is shared with the drills, whose invariants would fail on them
    for (let i = 0; setup !== undefined && i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      await setup.query(`DELETE FROM orders WHERE previous_status = ? AND user_id = 0 AND id IN (${chunk.map(() => '?').join(',')})`, [RACE_MARK, ...chunk]).catch(() => undefined);
    }
    await Promise.all(opened.map((c) => c.end().catch(() => undefined)));
  }
}

/** CLI entry: the project's running Galera nodes. */
export async function runNaiveRace(options: RaceOptions & { project: string; credentials?: DbCredentials }): Promise<RaceResult> {
  return raceOnNodes(await galeraEndpoints(options.project), options.credentials ?? credentialsFromEnv(), options);
}

export function formatRace(r: RaceResult): string {
  return [
    `race: ${r.clients} clients over ${r.nodes.join(', ')} on one order per round${r.stoppedEarly ? ' (stopped early by the time bound)' : ''}`,
    '',
    '| mode | rounds | rounds with several winners | max winners | mean winners | client errors |',
    '|---|---|---|---|---|---|',
    ...r.results.map((m) => `| ${m.mode} | ${m.rounds} | ${m.multiWinnerRounds} | ${m.maxWinners} | ${m.meanWinners.toFixed(2)} | ${m.errors} |`),
  ].join('\n');
}
