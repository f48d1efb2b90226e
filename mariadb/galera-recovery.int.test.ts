// On real containers: all three Galera nodes SIGKILLed within a second while
// a client writes through HAProxy, then started again with no manual step. The
// entrypoint must recover each node's committed position (--wsrep-recover), let the
// most advanced node bootstrap and the others rejoin, so that `stack verify` finds
// every node identical. Under `relaxed` no acknowledged write may be missing; under
// `fast` the missing ones are counted and printed, not asserted to be zero.
// Own compose project and ports (+30000). Bounded waits; teardown removes volumes.
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareNodes, ComposeTarget, demux, docker, GALERA_NODES, resolveLabConfig, type Durability, type LabConfig } from '../lab/index.ts';
import { stackDown, stackUp, waitUntilReady } from '../stack/index.ts';

const base = resolveLabConfig({
  COMPOSE_PROJECT_NAME: 'smartshop-galera-test',
  API_PORT: '26000', UI_PORT: '26001', EDGE_PORT: '26080', MYSQL_PORT: '26306', HAPROXY_STATS_PORT: '26404', PROMETHEUS_PORT: '26090', GRAFANA_PORT: '26030',
  ALERTMANAGER_PORT: '26093', CONSOLE_PORT: '26095', RABBITMQ_MANAGEMENT_PORT: '26672', RABBITMQ_METRICS_PORT: '26692',
  // No scheduled backup: one landing in a drill would take its load and timing (the stack
  // test runs the schedule; the drills take their own backups).
  BACKUP_INTERVAL_SECONDS: '0',
});
const lab = new ComposeTarget(base.project);
const withDurability = (durability: Durability): LabConfig => ({ ...base, durability });
const log = (line: string): void => { if (process.env.STACK_TEST_VERBOSE) console.log(line); };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const connect = (): Promise<mysql.Connection> =>
  mysql.createConnection({ host: '127.0.0.1', port: base.ports.mysql, user: process.env.DB_USER || 'smartshop', password: process.env.DB_PASSWORD, database: 'smartshop', connectTimeout: 2_000 });

/** Inserts rows through HAProxy until stopped; returns the ids the server acknowledged. */
function startWriter(): { stop: () => Promise<string[]> } {
  const acked: string[] = [];
  let running = true;
  const loop = (async () => {
    let conn: mysql.Connection | undefined;
    for (let i = 0; running && i < 1_000_000; i++) {
      try {
        conn ??= await connect();
        const id = randomUUID();
        await conn.query('INSERT INTO crash_probe (id) VALUES (?)', [id]);
        acked.push(id);
      } catch {
        conn?.destroy();
        conn = undefined;
        await sleep(100);
      }
    }
    conn?.destroy();
  })();
  return { stop: async () => { running = false; await loop; return acked; } };
}

async function nodeContainers(): Promise<string[]> {
  const ids: string[] = [];
  for (const n of GALERA_NODES) ids.push((await lab.find(n)).id);
  return ids;
}

async function crashAllAndRestart(config: LabConfig): Promise<{ acked: string[]; recoveredLines: string[] }> {
  const ids = await nodeContainers();
  const writer = startWriter();
  await sleep(3_000);
  const since = Math.floor(Date.now() / 1000);
  await Promise.all(ids.map((id) => docker().getContainer(id).kill({ signal: 'SIGKILL' })));
  await sleep(1_000);
  const acked = await writer.stop();
  await Promise.all(ids.map((id) => docker().getContainer(id).start()));
  const ready = await waitUntilReady(config, { timeoutMs: 240_000, log });
  if (!ready.ready) throw new Error(`cluster did not re-form: ${ready.problems.join('; ')}`);
  const recoveredLines: string[] = [];
  for (const id of ids) {
    const logs = demux(await docker().getContainer(id).logs({ stdout: true, stderr: true, since, follow: false })).stderr;
    recoveredLines.push(...logs.split('\n').filter((l) => l.includes('recovered position:')));
  }
  return { acked, recoveredLines };
}

async function missingOf(acked: string[]): Promise<string[]> {
  const conn = await connect();
  try {
    await conn.query('SET SESSION wsrep_sync_wait=1');
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT id FROM crash_probe');
    const present = new Set(rows.map((r) => String(r.id)));
    return acked.filter((id) => !present.has(id));
  } finally {
    await conn.end();
  }
}

beforeAll(async () => {
  await stackDown(base, { volumes: true, log }).catch(() => undefined);
  await stackUp(withDurability('relaxed'), { build: process.env.STACK_TEST_BUILD !== '0', timeoutMs: 420_000, log });
  // the table with the migration account: the shop's runtime account has no DDL
  const conn = await mysql.createConnection({
    host: '127.0.0.1', port: base.ports.mysql, user: process.env.DB_MIGRATION_USER || 'smartshop_migrate',
    password: process.env.DB_MIGRATION_PASSWORD, database: 'smartshop', connectTimeout: 2_000,
  });
  await conn.query('CREATE TABLE IF NOT EXISTS crash_probe (id CHAR(36) PRIMARY KEY, at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6))');
  await conn.end();
}, 1_200_000);

afterAll(async () => {
  // CHAOS_KEEP_STACK=1 keeps the lab to read its nodes' logs (as for the shared lab)
  if (process.env.CHAOS_KEEP_STACK === '1') return;
  await stackDown(base, { volumes: true, log });
}, 300_000);

describe('Galera restarts after a crash of every node', () => {
  it('relaxed: every node recovers its position, the cluster re-forms level, no acknowledged write lost', async () => {
    const { acked, recoveredLines } = await crashAllAndRestart(withDurability('relaxed'));
    expect(acked.length).toBeGreaterThan(0);
    expect(recoveredLines).toHaveLength(3);
    const verdict = await compareNodes(lab, { attempts: 5 });
    expect(verdict.divergences).toEqual([]);
    expect(verdict.consistent).toBe(true);
    expect(await missingOf(acked)).toEqual([]);
  }, 400_000);

  it('two nodes SIGKILLed: both join the survivor that lost its majority at once (not one at a time), level, nothing lost', async () => {
    const [, second, third] = await nodeContainers();
    const killed = [second, third] as string[];
    const writer = startWriter();
    await sleep(2_000);
    const since = Math.floor(Date.now() / 1000);
    await Promise.all(killed.map((id) => docker().getContainer(id).kill({ signal: 'SIGKILL' })));
    const acked = await writer.stop();
    // the survivor notices (evs.suspect_timeout) and goes non-Primary before the others are back
    const survivor = await lab.find('mariadb-1');
    for (let i = 0; i < 60; i++) {
      const status = await lab.exec(survivor, ['/usr/local/bin/clustercheck.sh', '--status']).catch(() => undefined);
      if (status?.stdout.includes('cluster=non-Primary')) break;
      await sleep(1_000);
    }
    expect((await lab.exec(survivor, ['/usr/local/bin/clustercheck.sh', '--status'])).stdout).toMatch(/cluster=non-Primary .*was=synced/);
    await Promise.all(killed.map((id) => docker().getContainer(id).start()));
    const ready = await waitUntilReady(withDurability('relaxed'), { timeoutMs: 240_000, log });
    if (ready.problems.length > 0) {
      // seen once in about 30 runs here (a node's mariadbd gone during the joins): what it said
      for (const id of killed) {
        const tail = demux(await docker().getContainer(id).logs({ stdout: true, stderr: true, since, follow: false })).stderr.split('\n').slice(-40).join('\n');
        console.log(`--- ${id.slice(0, 12)} since the kill ---\n${tail}`);
      }
    }
    expect(ready.problems).toEqual([]);
    for (const id of killed) {
      const lines = demux(await docker().getContainer(id).logs({ stdout: true, stderr: true, since, follow: false })).stderr.split('\n');
      // each node decided to join because the survivor lost its majority; none waited for the other
      expect(lines.filter((l) => l.includes('lost its majority: joining now')).length).toBeGreaterThan(0);
      expect(lines.filter((l) => l.includes('joins go one at a time'))).toEqual([]);
    }
    expect((await compareNodes(lab, { attempts: 5 })).consistent).toBe(true);
    expect(await missingOf(acked)).toEqual([]);
  }, 400_000);

  it('fast: after switching profile and crashing again the nodes are level; missing writes are reported', async () => {
    await stackUp(withDurability('fast'), { build: false, timeoutMs: 300_000, log });
    const { acked } = await crashAllAndRestart(withDurability('fast'));
    const verdict = await compareNodes(lab, { attempts: 5 });
    expect(verdict.divergences).toEqual([]);
    expect(verdict.consistent).toBe(true);
    const missing = await missingOf(acked);
    console.log(`durability fast: ${missing.length} of ${acked.length} acknowledged writes missing after the crash${missing.length ? `: ${missing.slice(0, 20).join(', ')}` : ''}`);
  }, 700_000);

  it('verify fails, naming the table and the node, when one node holds a row the others do not', async () => {
    const node = await lab.find('mariadb-2');
    const id = randomUUID();
    const sql = (stmt: string) => lab.exec(node, ['mariadb', '-e', `SET SESSION wsrep_on=OFF; ${stmt}`]);
    expect((await sql(`INSERT INTO smartshop.crash_probe (id) VALUES ('${id}')`)).exitCode).toBe(0);
    try {
      // three attempts: a table the lab writes by itself (the relay's lease, every second) may
      // differ in one of them; only the planted row differs in all three
      const verdict = await compareNodes(lab, { attempts: 3, delayMs: 500 });
      expect(verdict.consistent).toBe(false);
      expect(verdict.divergences.map((d) => d.table)).toEqual(['crash_probe']);
      const values = verdict.divergences[0]?.values ?? {};
      expect(values['mariadb-2']).not.toBe(values['mariadb-1']);
      expect(values['mariadb-1']).toBe(values['mariadb-3']);
    } finally {
      expect((await sql(`DELETE FROM smartshop.crash_probe WHERE id='${id}'`)).exitCode).toBe(0);
    }
    expect((await compareNodes(lab, { attempts: 3 })).consistent).toBe(true);
  }, 120_000);
});
