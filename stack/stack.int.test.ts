// The lab stack on real containers: its own compose project (smartshop-test) and host
// ports (+20000; chaos tests use +10000), so it runs beside a user's stack. Images are built once (compose's
// layer cache makes later runs quick; STACK_TEST_BUILD=0 skips the build). Every wait
// is bounded; teardown removes the test project's volumes.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat as statP, writeFile as writeFileP, readFile as readFileP } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeStates, promTargets } from './cluster.ts';
import { compareNodes, ComposeTarget, demux, docker, GALERA_NODES, haproxyServers, isHealthyNode, resolveLabConfig, type LabConfig } from '../lab/index.ts';
import { backupsDir, flagsFile, toolSocket } from '../lab/paths.ts';
import { BROKER_NODES, BrokerApi } from '../lab/broker.ts';
import { freePort } from '../lab/throwaway-mariadb.ts';
import { pollUntil as poll } from '../shared/time.ts';
import { readFlagFile, resetFlags } from '../shared/feature-flags/flag-file.ts';
import { ARCHIVE_FOLDER, containerSource, createBackup, listBackups, readHistories, restoreBackup, verifyBackupFiles } from '../backup/index.ts';
import { startRun } from '../simulator/index.ts';
import { isLoopback, tcpListeners } from '../test/listeners.ts';
import { launchChromium } from '../test/browser.ts';
import { stackDown, stackUp } from './lifecycle.ts';
import { binlogsCheckedFile, findClearPasswords, passwordsExposedFile } from './binlog-secrets.ts';
import { DB_ACCOUNT_SECRETS } from './secrets.ts';
import { DOT_ENV_FILE, readDotEnv } from '../shared/dot-env.ts';
import { OPTIONAL_JOBS } from './readiness.ts';

const config: LabConfig = resolveLabConfig({
  COMPOSE_PROJECT_NAME: 'smartshop-test',
  API_PORT: '28000', UI_PORT: '23000', EDGE_PORT: '28080', MYSQL_PORT: '23306', HAPROXY_STATS_PORT: '28404', PROMETHEUS_PORT: '29090', GRAFANA_PORT: '23030',
  ALERTMANAGER_PORT: '29093', CONSOLE_PORT: '29095', RABBITMQ_MANAGEMENT_PORT: '29672', RABBITMQ_METRICS_PORT: '29692',
});
const lab = new ComposeTarget(config.project);
const base = 'http://127.0.0.1';
const log = (line: string): void => { if (process.env.STACK_TEST_VERBOSE) console.log(line); };
/** Documented bound for HAProxy to take a stopped node out (check inter 500ms, fall 2, plus mariadbd's shutdown). */
const DOWN_BOUND_MS = 15_000;

async function pollUntil<T>(what: string, boundMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const value = await poll(Date.now() + boundMs, 500, probe);
  if (value === undefined) throw new Error(`${what}: not within ${boundMs} ms`);
  return value;
}

async function nodeSql(node: string, sql: string): Promise<string> {
  const r = await lab.exec(await lab.find(node), ['mariadb', '-N', '-B', '-e', sql]);
  if (r.exitCode !== 0) throw new Error(`${node}: ${r.stderr}`);
  return r.stdout.trim();
}

async function haproxyStatus(server: string): Promise<string | undefined> {
  return (await haproxyServers(config)).find((s) => s.backend === 'galera' && s.server === server)?.status;
}

const connect = (): Promise<mysql.Connection> =>
  mysql.createConnection({ host: '127.0.0.1', port: config.ports.mysql, user: process.env.DB_USER || 'smartshop', password: process.env.DB_PASSWORD, database: 'smartshop', connectTimeout: 5_000 });

const probeId = randomUUID();

beforeAll(async () => {
  await stackDown(config, { volumes: true, log }).catch(() => undefined);
  // the test project's backups are the test's own: an earlier run's would stand for this lab's first
  await rm(backupsDir(config.project), { recursive: true, force: true });
  await stackUp(config, { build: process.env.STACK_TEST_BUILD !== '0', timeoutMs: 420_000, log });
}, 1_200_000);

afterAll(async () => {
  await stackDown(config, { volumes: true, log });
}, 300_000);

describe('the lab stack', () => {
  it('forms a three-node cluster: every node Synced, Primary, size 3', async () => {
    const nodes = await nodeStates(config);
    expect(nodes.map((n) => [n.node, isHealthyNode(n, 3), n.clusterSize])).toEqual(
      GALERA_NODES.map((n) => [n, true, 3]),
    );
  });

  it('a row written through HAProxy is read on each node directly', async () => {
    // the table by root on a node (the shop's account has no DDL), the row through HAProxy
    await nodeSql('mariadb-1', 'CREATE TABLE IF NOT EXISTS smartshop.stack_probe (id VARCHAR(36) PRIMARY KEY, v INT NOT NULL)');
    const conn = await connect();
    try {
      await conn.query('INSERT INTO stack_probe (id, v) VALUES (?, 42)', [probeId]);
    } finally {
      await conn.end();
    }
    for (const node of GALERA_NODES) {
      expect(await nodeSql(node, `SET SESSION wsrep_sync_wait=1; SELECT v FROM smartshop.stack_probe WHERE id='${probeId}'`)).toBe('42');
    }
  });

  it('the shop answers through HAProxy', async () => {
    const res = await fetch(`${base}:${config.ports.api}/api/ready`);
    expect(res.status).toBe(200);
  });

  it('Prometheus scrapes every job (the simulator and chaos runner aside: they run on demand)', async () => {
    const targets = await pollUntil('all targets up', 60_000, async () => {
      const t = await promTargets(config);
      return t.length > 0 && t.every((x) => OPTIONAL_JOBS.has(x.job) || x.health === 'up') ? t : undefined;
    });
    expect(new Set(targets.map((t) => t.job))).toEqual(new Set(['prometheus', 'app', 'alertmanager', 'console', 'haproxy', 'mysqld', 'node', 'rabbitmq', 'worker', 'edge', ...OPTIONAL_JOBS]));
    // one target per broker node and per worker replica, and the edge's
    expect(targets.filter((t) => t.job === 'rabbitmq')).toHaveLength(3);
    expect(targets.filter((t) => t.job === 'worker')).toHaveLength(2);
    expect(targets.filter((t) => t.job === 'edge')).toHaveLength(1);
    const query = `min by (job) (up{job!~"${[...OPTIONAL_JOBS].join('|')}"})`;
    const res = await fetch(`${base}:${config.ports.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await res.json()) as { data: { result: { metric: { job: string }; value: [number, string] }[] } };
    expect(body.data.result.every((r) => r.value[1] === '1')).toBe(true);
    expect(body.data.result).toHaveLength(10);
  });

  it('the broker is three nodes with the fulfilment queues on all three (quorum), and its own metrics reach Prometheus', async () => {
    const state = await new BrokerApi(config).state();
    expect(state.error).toBeUndefined();
    expect(state.nodes.map((n) => [n.name, n.running])).toEqual(BROKER_NODES.map((n) => [`rabbit@${n}`, true]));
    for (const queue of ['fulfilment', 'fulfilment.dead']) {
      const q = state.queues.find((x) => x.queue === queue);
      expect(q?.members.slice().sort(), queue).toEqual(BROKER_NODES.map((n) => `rabbit@${n}`));
    }
    expect(state.queues.find((q) => q.queue === 'fulfilment')?.consumers).toBe(2);
    const queues = await pollUntil('the queues in Prometheus', 60_000, async () => {
      const res = await fetch(`${base}:${config.ports.prometheus}/api/v1/query?query=${encodeURIComponent('sum by (queue) (rabbitmq_queue_messages_ready)')}`);
      const result = ((await res.json()) as { data: { result: { metric: { queue: string } }[] } }).data.result;
      return result.length >= 2 ? result.map((r) => r.metric.queue).sort() : undefined;
    });
    expect(queues).toEqual(['fulfilment', 'fulfilment.dead']);
  });

  it('a paid order is fulfilled: one shipment each, shown by GET /api/orders/:id; a failed payment ships nothing', async () => {
    const api = `${base}:${config.ports.api}`;
    const post = async <T>(path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const user = await post<{ id: number }>('/api/users/create', { name: 'Fulfilment Probe', email: `fulfil-${randomUUID()}@example.com` });
    const orders: { id: number; paid: boolean }[] = [];
    for (let i = 0; i < 6; i++) {
      const o = await post<{ id: number }>('/api/orders/create', { userId: user.id, productId: 1, quantity: 1 });
      await post(`/api/orders/validate/${o.id}`);
      await post(`/api/orders/process/${o.id}`);
      await post(`/api/payments/process/${o.id}`, { status: i < 5 ? 'success' : 'failed' });
      orders.push({ id: o.id, paid: i < 5 });
    }
    type Got = { status: string; fulfilment: { state: string; shipments: number; shipment?: { trackingNumber: string } } | null };
    const read = async (id: number): Promise<Got> => (await (await fetch(`${api}/api/orders/${id}`)).json()) as Got;
    const shipped = await pollUntil('every paid order fulfilled', 30_000, async () => {
      const got = await Promise.all(orders.filter((o) => o.paid).map((o) => read(o.id)));
      return got.every((g) => g.status === 'fulfilled') ? got : undefined;
    });
    for (const g of shipped) {
      expect(g.fulfilment?.state).toBe('fulfilled');
      expect(g.fulfilment?.shipments).toBe(1);
      expect(g.fulfilment?.shipment?.trackingNumber).toMatch(/^SS[A-Z0-9]{10}$/);
    }
    const failed = await read(orders[5]?.id ?? 0);
    expect(failed.status).toBe('failed');
    expect(failed.fulfilment).toBeNull();
    // and on every node, one shipment per paid order, none for the failed one
    const ids = orders.map((o) => o.id).join(',');
    for (const node of GALERA_NODES) {
      const rows = await nodeSql(node, `SET SESSION wsrep_sync_wait = 1; SELECT order_id, COUNT(*) FROM smartshop.shipments WHERE order_id IN (${ids}) GROUP BY order_id ORDER BY order_id`);
      expect(rows.split('\n').map((l) => l.split('\t')), node).toEqual(orders.filter((o) => o.paid).map((o) => [String(o.id), '1']));
    }
  });

  it('journeys that wait on their paid orders record the shipping lag in the summary and the ledger', async () => {
    const run = startRun({
      target: `${base}:${config.ports.api}`, cycles: 6, concurrency: 3, seed: 12,
      mix: { errorRate: 0, cancelShare: 0, paymentSuccess: 1, fulfilmentWait: 1 },
    });
    const s = await run.done;
    expect(s.journeys.completed).toBe(6);
    // every successful payment waited on, and every one shipped within the journey's bound
    expect(s.fulfilment.waited).toBe(s.payments.success);
    expect(s.fulfilment).toMatchObject({ fulfilled: s.payments.success, timedOut: 0 });
    expect(s.fulfilment.lag.p99).toBeGreaterThan(0);
    const lags = run.ledger.export().fulfilments.map((f) => f.lagMs);
    expect(lags).toHaveLength(s.payments.success);
    for (const lag of lags) expect(lag).toBeGreaterThanOrEqual(0);
  });

  it('root cannot log in through HAProxy, and the exporter cannot read the password hashes', async () => {
    const root = mysql.createConnection({ host: '127.0.0.1', port: config.ports.mysql, user: 'root', password: process.env.MARIADB_ROOT_PASSWORD, connectTimeout: 5_000 });
    await expect(root).rejects.toThrow(/Access denied/);
    const node = await lab.find('mariadb-1');
    const exporterPassword = process.env.MARIADB_EXPORTER_PASSWORD ?? '';
    // the password in the environment (MYSQL_PWD), never on a command line another user's ps shows
    const asExporter = (sql: string) => lab.exec(node, ['mariadb', '-h127.0.0.1', '-uexporter', '-N', '-B', '-e', sql], { env: [`MYSQL_PWD=${exporterPassword}`] });
    const read = await asExporter('SELECT COUNT(*) FROM mysql.global_priv');
    expect(read.exitCode).not.toBe(0);
    expect(read.stderr).toMatch(/denied/i);
    // what mysqld_exporter's collectors read still works
    expect((await asExporter("SHOW GLOBAL STATUS LIKE 'wsrep_ready'")).stdout).toContain('ON');
  });

  it("the shop's runtime account reads and writes rows but cannot change the schema; the migration account can", async () => {
    const conn = await connect();
    try {
      await expect(conn.query('CREATE TABLE intruder (id INT PRIMARY KEY)')).rejects.toThrow(/CREATE command denied/);
      await expect(conn.query('DROP TABLE orders')).rejects.toThrow(/DROP command denied/);
      await expect(conn.query('ALTER TABLE orders ADD COLUMN intruder INT')).rejects.toThrow(/ALTER command denied/);
      await expect(conn.query('SELECT COUNT(*) FROM mysql.global_priv')).rejects.toThrow(/denied/);
      const [grants] = await conn.query<mysql.RowDataPacket[]>('SHOW GRANTS');
      expect(grants.map((g) => Object.values(g)[0] as string).join('\n')).toMatch(/GRANT SELECT, INSERT, UPDATE, DELETE ON `smartshop`\.\*/);
    } finally {
      await conn.end();
    }
    const migrator = await mysql.createConnection({
      host: '127.0.0.1', port: config.ports.mysql, user: process.env.DB_MIGRATION_USER || 'smartshop_migrate',
      password: process.env.DB_MIGRATION_PASSWORD, database: 'smartshop', connectTimeout: 5_000,
    });
    try {
      await migrator.query('CREATE TABLE IF NOT EXISTS migrator_probe (id INT PRIMARY KEY)');
      await migrator.query('DROP TABLE migrator_probe');
      await expect(migrator.query('CREATE DATABASE intruder')).rejects.toThrow(/denied/);
    } finally {
      await migrator.end();
    }
  });

  it('publishes every port on 127.0.0.1 only: in Docker\'s port bindings and in what listens on the host', async () => {
    const containers = await docker().listContainers({ filters: { label: [`com.docker.compose.project=${config.project}`] } });
    const published = containers.flatMap((c) => c.Ports.filter((p) => p.PublicPort !== undefined).map((p) => ({ service: c.Labels['com.docker.compose.service'], ip: p.IP, port: p.PublicPort })));
    expect(published.length).toBeGreaterThanOrEqual(5);
    for (const p of published) expect(p, `${p.service} publishes ${p.ip}:${p.port}`).toMatchObject({ ip: '127.0.0.1' });
    const ports = new Set(Object.values(config.ports));
    const open = tcpListeners().filter((l) => ports.has(l.port));
    for (const l of open) expect(isLoopback(l.address), `${l.address}:${l.port} listens beyond the loopback`).toBe(true);
  });

  it("a simulator's metrics reach Prometheus through the lab's socket, with nothing listening beyond the loopback", async () => {
    const metricsPort = await freePort();
    const run = startRun({
      target: `${base}:${config.ports.api}`, rate: 2, durationSeconds: 60, seed: 7, metricsPort,
      metricsSocket: toolSocket(config.project, 'simulator'),
    });
    try {
      const query = encodeURIComponent('sum(simulator_requests_total{job="simulator"})');
      const total = await pollUntil('Prometheus has the simulator\'s requests', 45_000, async () => {
        const res = await fetch(`${base}:${config.ports.prometheus}/api/v1/query?query=${query}`);
        const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
        const v = Number(body.data.result[0]?.value[1] ?? 0);
        return v > 0 ? v : undefined;
      });
      expect(total).toBeGreaterThan(0);
      const metricsListeners = tcpListeners().filter((l) => l.port === metricsPort);
      expect(metricsListeners.length).toBeGreaterThan(0);
      for (const l of metricsListeners) expect(isLoopback(l.address), `${l.address}:${l.port}`).toBe(true);
    } finally {
      run.stop();
      await run.done;
    }
  });

  it('the console draws the last 15 minutes from Prometheus: every sample and span its answer holds is drawn, every node has its lanes', async () => {
    const consoleUrl = `${base}:${config.ports.console}`;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1250, height: 900 } });
      await page.goto(`${consoleUrl}/`);
      await page.locator('#charts figure[data-chart="nodes"] svg').waitFor({ timeout: 60_000 });
      const figures = page.locator('#charts figure');
      expect(await Promise.all((await figures.all()).map((f) => f.getAttribute('data-chart')))).toEqual(['requests', 'errors', 'p99', 'backlog', 'nodes']);
      // what the page drew is what the console's answer held: a point per sample, a bar per span
      for (const id of ['requests', 'errors', 'p99', 'backlog']) {
        const figure = page.locator(`#charts figure[data-chart="${id}"]`);
        const drawn = Number(await figure.getAttribute('data-drawn'));
        expect(drawn, `${id}: samples in the answer`).toBeGreaterThan(0);
        expect(await figure.locator('path[aria-roledescription="point"]').count(), `${id}: points drawn`).toBe(drawn);
      }
      const lanes = page.locator('#charts figure[data-chart="nodes"]');
      const spans = Number(await lanes.getAttribute('data-drawn'));
      expect(await lanes.locator('path[aria-roledescription="bar"]').count()).toBe(spans);
      // the simulator's traffic of an earlier test was answered: some second has requests
      const labels = await Promise.all((await page.locator('#charts figure[data-chart="requests"] path[aria-roledescription="point"]').all()).map((p) => p.getAttribute('aria-label')));
      const answered = labels.map((l) => Number(/requests\/s: ([\d.,]+)/.exec(l ?? '')?.[1]?.replace(/,/g, '') ?? 0));
      expect(Math.max(...answered)).toBeGreaterThan(0);
      const laneNames = await lanes.locator('svg text').allTextContents();
      for (const lane of [...GALERA_NODES.flatMap((n) => [`${n} Galera`, `${n} HAProxy`]), ...BROKER_NODES]) expect(laneNames, lane).toContain(lane);
      await page.locator('#charts').screenshot({ path: join(process.env.CI ? 'reports' : tmpdir(), 'console-live-charts.png') });
    } finally {
      await browser.close();
    }
  });

  it('a fault flag set in the console reaches the shop in its container and Prometheus; the console answers the host, not another container', async () => {
    const file = flagsFile(config.project);
    const consoleUrl = `${base}:${config.ports.console}`;
    const put = (body: unknown): Promise<Response> => fetch(`${consoleUrl}/api/flags`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    try {
      // the shop's "Lab console" link leads there
      const link = await fetch(`${base}:${config.ports.ui}/console`, { redirect: 'manual' });
      expect([link.status, link.headers.get('location')]).toEqual([302, `${consoleUrl}/`]);
      // the console's container writes the host's flags folder; the shop reads it, read-only
      expect((await put({ flags: { productCatalogFailure: true } })).status).toBe(200);
      expect((await readFlagFile(file)).productCatalogFailure).toBe(true);
      const status = await pollUntil('the shop fails its catalogue', 5_000, async () => {
        const res = await fetch(`${base}:${config.ports.api}/api/products`);
        return res.status === 500 ? res.status : undefined;
      });
      expect(status).toBe(500);
      const query = encodeURIComponent('smartshop_feature_flag_value{flag="productCatalogFailure"}');
      const value = await pollUntil('Prometheus has the flag', 45_000, async () => {
        const res = await fetch(`${base}:${config.ports.prometheus}/api/v1/query?query=${query}`);
        const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
        return body.data.result[0]?.value[1] === '1' ? 1 : undefined;
      });
      expect(value).toBe(1);
      // the console's lab view, read through Prometheus: every node Synced and UP in HAProxy.
      // Polled: a backup streaming from a node shows it Donor/Desynced for a while (CI saw it).
      type LabView = { nodes: { node: string; state: string; haproxy: string }[]; alerts: unknown };
      const healthy = ['mariadb-1', 'mariadb-2', 'mariadb-3'].map((n) => [n, 'Synced', 'UP']);
      let view: LabView | undefined;
      await pollUntil('the lab view shows every node Synced and UP', 60_000, async () => {
        view = (await (await fetch(`${consoleUrl}/api/lab`)).json()) as LabView;
        return JSON.stringify(view.nodes.map((n) => [n.node, n.state, n.haproxy])) === JSON.stringify(healthy) ? true : undefined;
      }).catch(() => undefined);
      expect(view?.nodes.map((n) => [n.node, n.state, n.haproxy])).toEqual(healthy);
      expect(Array.isArray(view?.alerts)).toBe(true);
      // another container asking the console's service name arrives from a lab network address
      const r = await lab.exec(await lab.find('app'), ['node', '-e', "fetch('http://console:9099/api/flags').then((r) => console.log(r.status))"]);
      expect(r.stdout.trim()).toBe('403');
      // and the shop has no flags API of its own any more
      expect((await fetch(`${base}:${config.ports.api}/api/flags`)).status).toBe(404);
      expect((await put({ reset: true })).status).toBe(200);
    } finally {
      await resetFlags(file);
    }
    const back = await pollUntil('the catalogue is back', 5_000, async () => {
      const res = await fetch(`${base}:${config.ports.api}/api/products`);
      return res.status === 200 ? res.status : undefined;
    });
    expect(back).toBe(200);
  }, 180_000);

  it('Prometheus sends to Alertmanager, and what Alertmanager notifies reaches the lab console, firing then resolved', async () => {
    const managers = await pollUntil('Prometheus has an active Alertmanager', 30_000, async () => {
      const res = await fetch(`${base}:${config.ports.prometheus}/api/v1/alertmanagers`);
      const body = (await res.json()) as { data: { activeAlertmanagers: { url: string }[] } };
      return body.data.activeAlertmanagers.length > 0 ? body.data.activeAlertmanagers : undefined;
    });
    expect(managers[0]?.url).toContain('alertmanager:9093');
    const alertname = `LabPipelineCheck${Date.now()}`;
    const since = new Date().toISOString();
    // Alertmanager is not published (it answers any origin): post from inside its container
    const send = async (endsAt?: string): Promise<number> => (await lab.exec(await lab.find('alertmanager'), [
      'amtool', '--alertmanager.url=http://127.0.0.1:9093', 'alert', 'add', `alertname=${alertname}`, 'lab=smartshop', 'severity=info',
      '--annotation=summary=stack test', ...(endsAt ? [`--end=${endsAt}`] : []),
    ])).exitCode;
    expect(await send()).toBe(0);
    expect((await fetch(`${base}:${config.ports.alertmanager}/api/v2/status`).catch(() => undefined))?.status).toBeUndefined();
    const viaConsole = await fetch(`${base}:${config.ports.console}/alertmanager/api/v2/alerts?filter=${encodeURIComponent(`alertname="${alertname}"`)}`);
    expect(viaConsole.status).toBe(200);
    const received = (status: string) => pollUntil(`the console has ${alertname} ${status}`, 60_000, async () => {
      const res = await fetch(`${base}:${config.ports.console}/notifications?alertname=${alertname}&status=${status}&since=${encodeURIComponent(since)}`);
      const body = (await res.json()) as { notifications: { alertname: string; receiver: string }[] };
      return body.notifications.length > 0 ? body.notifications : undefined;
    });
    expect((await received('firing'))[0]?.receiver).toBe('lab-console');
    expect(await send(new Date().toISOString())).toBe(0);
    expect((await received('resolved')).length).toBeGreaterThan(0);
    // only Alertmanager may post to the console's webhook (its bearer token from .env)
    const forged = await fetch(`${base}:${config.ports.console}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(forged.status).toBe(401);
  });

  it("the backup service backs up mariadb-3 on its own, from a read-only view of the node's volume: the backup is intact, belongs to the folder's owner, and a restore of it rebuilds the cluster exactly, the service paused meanwhile", async () => {
    const root = backupsDir(config.project);
    // the first one is due 30 s after the service starts, once mariadb-3 is Synced
    const taken = await pollUntil('the backup service took a backup', 300_000, async () => (await listBackups(root)).find((m) => m.node === 'mariadb-3' && m.kind === 'physical'));
    expect(taken.galera?.seqno).toBeGreaterThan(0);
    expect(taken.tables.find((t) => t.name === 'products')?.rows).toBeGreaterThan(0);
    expect(await verifyBackupFiles(join(root, taken.id), taken)).toEqual([]);
    const [folder, manifest] = await Promise.all([statP(root), statP(join(root, taken.id, 'manifest.json'))]);
    expect([manifest.uid, manifest.gid]).toEqual([folder.uid, folder.gid]);

    const lines: string[] = [];
    const restored = await restoreBackup({ target: lab, root, id: taken.id, yes: true, log: (l) => { lines.push(l); log(l); } });
    expect(restored?.mismatches).toEqual({ 'mariadb-1': [], 'mariadb-2': [], 'mariadb-3': [] });
    expect(restored?.nodesAgree).toBe(true);
    expect(lines).toContain('==> stopping the backup service for the restore');
    expect((await lab.find('backup')).state).toBe('running');
    expect((await fetch(`${base}:${config.ports.api}/api/ready`)).status).toBe(200);
  }, 900_000);

  it('a restore that fails after the prepare, at the first start, the sync or the manifest check brings the old cluster, the shop and the backup service back, every row with it', async () => {
    const root = backupsDir(config.project);
    const taken = (await listBackups(root)).filter((m) => m.kind === 'physical').at(-1);
    expect(taken).toBeDefined();
    for (const failAt of ['prepare', 'first-start', 'sync', 'manifest'] as const) {
      // written after the backup: a cluster that came back on the backup's data would lack it
      const marker = `rollback-${failAt}-${probeId}`;
      await nodeSql('mariadb-1', `INSERT INTO smartshop.users (name, email) VALUES ('rollback probe', '${marker}@example.test')`);
      const lines: string[] = [];
      await expect(restoreBackup({ target: lab, root, id: taken!.id, yes: true, failAt, log: (l) => { lines.push(l); log(l); } }), failAt)
        .rejects.toThrow(`injected failure at ${failAt}`);
      expect(lines.join('\n'), failAt).toMatch(failAt === 'prepare' ? /nothing was deleted/ : /undoing: mariadb-1 emptied/);
      for (const node of GALERA_NODES) {
        await pollUntil(`${node} Synced after the ${failAt} failure`, 300_000, async () => ((await nodeStates(config)).find((n) => n.node === node && isHealthyNode(n, 3)) ? true : undefined));
        expect(await nodeSql(node, `SET SESSION wsrep_sync_wait=1; SELECT COUNT(*) FROM smartshop.users WHERE email='${marker}@example.test'`), `${node} after ${failAt}`).toBe('1');
      }
      expect((await lab.find('backup')).state, failAt).toBe('running');
      // the restore stops the fulfilment workers too (backup/pipeline.ts): back as well
      expect((await lab.list('worker')).map((w) => w.state), failAt).toEqual(['running', 'running']);
      await pollUntil(`the shop ready after the ${failAt} failure`, 120_000, async () => ((await fetch(`${base}:${config.ports.api}/api/ready`)).status === 200 ? true : undefined));
      expect((await compareNodes(lab, { attempts: 5 })).consistent, failAt).toBe(true);
    }
  }, 2_400_000);

  it("the backup service archives mariadb-3's binary log as it is written: a closed file is in the archive byte for byte, and the next one follows", async () => {
    const archive = join(backupsDir(config.project), ARCHIVE_FOLDER);
    const before = (await nodeSql('mariadb-3', 'SHOW MASTER STATUS')).split('\t')[0] ?? '';
    await nodeSql('mariadb-1', `INSERT INTO smartshop.users (name, email) VALUES ('archive probe', 'archive-${probeId}@example.test')`);
    // the file that was being written is closed: its last byte is known on the node
    await nodeSql('mariadb-3', 'FLUSH BINARY LOGS');
    const next = (await nodeSql('mariadb-3', 'SHOW MASTER STATUS')).split('\t')[0] ?? '';
    expect(next).not.toBe(before);
    const onNode = Number((await lab.exec(await lab.find('mariadb-3'), ['stat', '-c', '%s', `/var/lib/mysql/${before}`])).stdout.trim());
    const archived = await pollUntil(`the archive holds ${before} whole and has begun ${next}`, 60_000, async () => {
      const history = (await readHistories(archive)).at(-1);
      if (!history?.files.includes(next)) return undefined;
      const size = (await statP(join(archive, history.name, before)).catch(() => undefined))?.size;
      return size === onNode ? { history: history.name, size } : undefined;
    });
    expect(archived.size).toBeGreaterThan(0);
    const [folder, file] = await Promise.all([statP(backupsDir(config.project)), statP(join(archive, archived.history, next))]);
    expect([file.uid, file.gid]).toEqual([folder.uid, folder.gid]);
  }, 120_000);

  it('backs up a node physically and another logically without stopping the shop; each is opened, described, exported; a logical restore brings back a deleted row; a damaged backup is refused', async () => {
    const root = await mkdtemp(join(tmpdir(), 'stack-backups-'));
    try {
      const physical = await createBackup({ source: containerSource(lab, 'mariadb-3'), root, kind: 'physical', database: 'smartshop', keep: 7, intervalSeconds: 3600, log });
      expect(physical.galera?.uuid).toMatch(/^[0-9a-f-]{36}$/);
      expect(physical.galera?.seqno).toBeGreaterThan(0);
      // the shop is idle here: what the backup holds is what the node holds
      const users = await nodeSql('mariadb-3', 'SELECT COUNT(*) FROM smartshop.users');
      expect(physical.tables.find((t) => t.name === 'users')?.rows).toBe(Number(users));
      const logical = await createBackup({ source: containerSource(lab, 'mariadb-2'), root, kind: 'logical', database: 'smartshop', keep: 7, intervalSeconds: 3600, log });
      const content = (m: typeof physical) => m.tables.filter((t) => ['products', 'users', 'orders', 'payments'].includes(t.name)).map((t) => [t.name, t.rows, t.checksum]);
      expect(content(logical)).toEqual(content(physical));
      expect((await listBackups(root)).map((m) => m.id)).toEqual([physical.id, logical.id]);

      const dir = join(root, logical.id);
      expect(await verifyBackupFiles(dir, logical)).toEqual([]);
      const dump = await readFileP(join(dir, 'dump.sql'), 'utf8');
      await writeFileP(join(dir, 'dump.sql'), dump.replace('INSERT INTO', 'INSERT  INTO').slice(0, dump.length));
      expect(await verifyBackupFiles(dir, logical)).toEqual(["dump.sql: checksum mismatch (sha256 differs from the manifest's)"]);

      const query = encodeURIComponent('smartshop_backup_last_size_bytes');
      // the newest backup's size, once node-exporter was scraped after the second backup
      const size = await pollUntil('Prometheus has the newest backup\'s size', 45_000, async () => {
        const res = await fetch(`${base}:${config.ports.prometheus}/api/v1/query?query=${query}`);
        const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
        const v = body.data.result[0]?.value[1];
        return v === String(logical.sizeBytes) ? v : undefined;
      });
      expect(Number(size)).toBe(logical.sizeBytes);

      // a logical one loaded through mariadb-1 of the running cluster brings back a deleted row, on every node
      const fresh = await createBackup({ source: containerSource(lab, 'mariadb-3'), root, kind: 'logical', database: 'smartshop', keep: 7, log });
      const userRows = Number(await nodeSql('mariadb-2', 'SELECT COUNT(*) FROM smartshop.users'));
      await nodeSql('mariadb-1', 'DELETE FROM smartshop.users ORDER BY id DESC LIMIT 1');
      const reloaded = await restoreBackup({ target: lab, root, id: fresh.id, yes: true, log });
      expect(reloaded?.mismatches).toEqual({ 'mariadb-1': [], 'mariadb-2': [], 'mariadb-3': [] });
      expect(reloaded?.nodesAgree).toBe(true);
      for (const n of GALERA_NODES) expect(Number(await nodeSql(n, 'SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM smartshop.users'))).toBe(userRows);
      expect((await fetch(`${base}:${config.ports.api}/api/ready`)).status).toBe(200);
      // a damaged backup is refused before anything is touched: the nodes keep running
      const stream = join(root, physical.id, 'backup.mbstream');
      const bytes = await readFileP(stream);
      const middle = Math.floor(bytes.length / 2);
      bytes.writeUInt8((bytes.readUInt8(middle) + 1) % 256, middle);
      await writeFileP(stream, bytes);
      await expect(restoreBackup({ target: lab, root, id: physical.id, yes: true, log })).rejects.toThrow(/is damaged, so nothing was touched:\n {2}- backup.mbstream: checksum mismatch/);
      expect((await nodeStates(config)).map((n) => isHealthyNode(n, 3))).toEqual([true, true, true]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 600_000);

  it('Prometheus refuses its lifecycle API and remote write: one POST cannot stop it or fill it', async () => {
    const prom = `${base}:${config.ports.prometheus}`;
    const quit = await fetch(`${prom}/-/quit`, { method: 'POST' });
    expect(quit.status).toBe(403); // "Lifecycle API is not enabled."
    const write = await fetch(`${prom}/api/v1/write`, { method: 'POST', body: '' });
    expect([403, 404]).toContain(write.status);
    expect((await fetch(`${prom}/-/ready`)).status).toBe(200);
  });

  it("HAProxy's /metrics shows the three servers UP", async () => {
    const text = await (await fetch(`${base}:${config.ports.haproxyStats}/metrics`)).text();
    for (const node of GALERA_NODES) {
      expect(text).toContain(`haproxy_server_status{proxy="galera",server="${node}",state="UP"} 1`);
    }
  });

  it('a stopped node is marked DOWN, the shop keeps answering, and it rejoins by IST', async () => {
    const container = docker().getContainer((await lab.find('mariadb-3')).id);
    const stopAt = Date.now();
    await container.stop({ t: 30 });
    await pollUntil('HAProxy marks mariadb-3 DOWN', DOWN_BOUND_MS, async () =>
      (await haproxyStatus('mariadb-3'))?.startsWith('DOWN') ? true : undefined);
    console.log(`HAProxy marked the stopped node DOWN ${Date.now() - stopAt} ms after docker stop began (bound ${DOWN_BOUND_MS} ms)`);

    const ready = await fetch(`${base}:${config.ports.api}/api/ready`);
    expect(ready.status).toBe(200);
    const created = await fetch(`${base}:${config.ports.api}/api/users/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(created.status).toBeLessThan(300);

    const since = Math.floor(Date.now() / 1000) - 1;
    await container.start();
    await pollUntil('mariadb-3 UP again', 180_000, async () => ((await haproxyStatus('mariadb-3')) === 'UP' ? true : undefined));
    const logs = demux(await container.logs({ stdout: true, stderr: true, since, follow: false })).stderr;
    // Galera 4 runs the SST script even for IST (it bypasses the copy); the transfer
    // itself is named in these lines.
    expect(logs).toMatch(/Prepared IST receiver/);
    expect(logs).toMatch(/IST received/);
  });

  it('stack down then up re-forms the cluster with every row still there', async () => {
    const before = await nodeSql('mariadb-1', 'SELECT COUNT(*) FROM smartshop.users');
    await stackDown(config, { volumes: false, log });
    await stackUp(config, { build: false, timeoutMs: 300_000, log });
    for (const node of GALERA_NODES) {
      expect(await nodeSql(node, `SET SESSION wsrep_sync_wait=1; SELECT v FROM smartshop.stack_probe WHERE id='${probeId}'`)).toBe('42');
      expect(await nodeSql(node, 'SET SESSION wsrep_sync_wait=1; SELECT COUNT(*) FROM smartshop.users')).toBe(before);
    }
    const verdict = await compareNodes(lab, { attempts: 5 });
    expect(verdict.divergences).toEqual([]);
    expect(verdict.consistent).toBe(true);
  }, 420_000);

  it('no account password is in clear in any binary log of any node or in the archive; one put there (an old lab) is purged by stack up, and the database passwords renewed on every node', async () => {
    const clean = { nodes: Object.fromEntries(GALERA_NODES.map((n) => [n, []])), archive: [] };
    expect(await findClearPasswords(config)).toEqual(clean);
    // what an old lab's first start left behind: a CREATE USER with its password, replicated
    await nodeSql('mariadb-1', "CREATE USER 'stack_test_leak'@'localhost' IDENTIFIED BY 'not-a-real-secret'; DROP USER 'stack_test_leak'@'localhost'");
    await nodeSql('mariadb-1', 'FLUSH BINARY LOGS'); // closed, so the archive copies it whole
    const leaked = await pollUntil('the archive has the leaked file', 30_000, async () => {
      const found = await findClearPasswords(config);
      return found.archive.length > 0 ? found : undefined;
    });
    expect(leaked.nodes['mariadb-1']?.length).toBeGreaterThan(0);
    await rm(binlogsCheckedFile(config), { force: true });
    // the renewal rewrites the checkout's .env, which every lab of the checkout reads: put back
    // after (were this run killed first, the next `make up` of another lab would take the new
    // passwords: its nodes apply their environment's at start)
    const dotEnvBefore = await readFileP(DOT_ENV_FILE, 'utf8');
    const old = Object.fromEntries(DB_ACCOUNT_SECRETS.map((n) => [n, process.env[n] ?? '']));
    try {
      const lines: string[] = [];
      await stackUp(config, { build: false, timeoutMs: 300_000, log: (l) => lines.push(l) });
      expect(lines.join('\n')).toMatch(/mariadb-1: .* hold\(s\) account passwords in clear/);
      expect(lines.join('\n')).toContain(`renewed ${DB_ACCOUNT_SECRETS.join(', ')} in .env`);
      expect(await findClearPasswords(config)).toEqual(clean);
      expect(existsSync(passwordsExposedFile(config))).toBe(false);
      const renewed = readDotEnv();
      expect((await statP(DOT_ENV_FILE)).mode & 0o777).toBe(0o600);
      for (const name of DB_ACCOUNT_SECRETS) {
        expect(renewed[name], name).not.toBe(old[name]);
        expect(process.env[name], name).toBe(renewed[name]);
        for (const line of lines) expect(line).not.toContain(renewed[name]);
      }
      // every node, on its own, has every account on its new password (hashes: nothing else is read)
      await accountsOn(renewed);
      // the shop's account through HAProxy: the new password in, the old one out
      await (await connect()).end();
      const refused = await mysql.createConnection({ host: '127.0.0.1', port: config.ports.mysql, user: process.env.DB_USER || 'smartshop', password: old.DB_PASSWORD, connectTimeout: 5_000 })
        .then(async (c) => { await c.end(); return 'accepted'; }, (e: { code?: string }) => e.code);
      expect(refused).toBe('ER_ACCESS_DENIED_ERROR');
      // the exporters read their nodes with the new password
      await pollUntil('every mysqld exporter reads its node', 60_000, async () => {
        const res = await fetch(`${base}:${config.ports.prometheus}/api/v1/query?query=mysql_up`);
        const values = ((await res.json()) as { data: { result: { value: [number, string] }[] } }).data.result.map((r) => r.value[1]);
        return values.length === 3 && values.every((v) => v === '1') ? values : undefined;
      });
    } finally {
      await writeFileP(DOT_ENV_FILE, dotEnvBefore, { mode: 0o600 });
      Object.assign(process.env, old);
    }
  }, 600_000);

  it('a password changed back by hand in .env: stack up recreates the nodes one at a time, and their accounts follow', async () => {
    // the test above renewed the lab's passwords and put .env back as it was: .env now differs from the nodes
    const lines: string[] = [];
    await stackUp(config, { build: false, timeoutMs: 300_000, log: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/changed since the nodes were made: recreating them one at a time/);
    expect(lines.filter((l) => l.includes('recreated with its new passwords'))).toHaveLength(3);
    await accountsOn(process.env);
    await (await connect()).end();
    expect(await findClearPasswords(config)).toEqual({ nodes: Object.fromEntries(GALERA_NODES.map((n) => [n, []])), archive: [] });
  }, 600_000);
});

/** Every node's accounts, as `user@host<TAB>hash` lines, once they are those of the passwords in `env` (bounded). */
async function accountsOn(env: Record<string, string | undefined>): Promise<void> {
  const accounts: [string, string][] = [['root@localhost', 'MARIADB_ROOT_PASSWORD'], [`${env.DB_USER || 'smartshop'}@%`, 'DB_PASSWORD'],
    [`${env.DB_MIGRATION_USER || 'smartshop_migrate'}@%`, 'DB_MIGRATION_PASSWORD'], ['sst@localhost', 'MARIADB_SST_PASSWORD'],
    ['exporter@%', 'MARIADB_EXPORTER_PASSWORD'], ['backup@%', 'MARIADB_BACKUP_PASSWORD']];
  const want = accounts.map(([account, name]) => `${account}\t${nativeHash(env[name] ?? '')}`).sort();
  for (const node of GALERA_NODES) {
    await pollUntil(`${node}'s accounts on the passwords of .env`, 60_000, async () => {
      const rows = (await nodeSql(node, "SELECT CONCAT(User, '@', Host), authentication_string FROM mysql.user WHERE User NOT IN ('mariadb.sys', 'mysql')")).split('\n').sort();
      return JSON.stringify(rows) === JSON.stringify(want) ? rows : undefined;
    });
  }
}

/** mysql_native_password's hash of a password, as PASSWORD() gives it. */
function nativeHash(password: string): string {
  return `*${createHash('sha1').update(createHash('sha1').update(password).digest()).digest('hex').toUpperCase()}`;
}
