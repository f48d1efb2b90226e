// Section 9: how long a backup and a restore take as the shop grows, in a throw-away lab of
// its own (compose project smartshop-bench-backup on ports +30000, its volumes removed at the
// end): a restore deletes the nodes' data, so never the user's lab. The orders are written
// straight into the nodes (INSERT … SELECT from MariaDB's sequence engine, 50,000 rows per
// commit: a whole shop's history through the API would take hours), with a user per five
// orders and a payment per paid order; then `backup create` and `backup restore --yes`
// exactly as the CLI runs them, at each size in turn.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerSource, createBackup, restoreBackup } from '../../backup/index.ts';
import { ComposeTarget, NodeSql, resolveLabConfig, type LabConfig } from '../../lab/index.ts';
import { stackDown, stackUp } from '../../stack/index.ts';
import type { Table } from '../format.ts';
import { defineSection } from './common.ts';

const TITLE = 'Backup and restore time at 10k, 100k and 1M orders (a throw-away lab)';
const PROJECT = 'smartshop-bench-backup';
const PORT_OFFSET = 30_000;
const CHUNK = 50_000;
const SIZES = [10_000, 100_000, 1_000_000];
const QUICK_SIZES = [1_000, 10_000];

interface BackupFigures {
  orders: number;
  rows: number;
  backupSeconds: number;
  backupMB: number;
  restoreSeconds: number;
  exact: boolean;
}

function benchLab(): LabConfig {
  const base = resolveLabConfig();
  const ports = Object.fromEntries(Object.entries(base.ports).map(([k, v]) => [k, v + PORT_OFFSET])) as LabConfig['ports'];
  return { ...base, project: PROJECT, ports };
}

/** Orders (all paid, each with its payment) and users, up to `orders` orders in all. */
async function growTo(sql: NodeSql, target: ComposeTarget, orders: number, log: (l: string) => void): Promise<void> {
  const node = await target.find('mariadb-1');
  const count = async (table: string): Promise<number> => Number((await sql.query(node, `SELECT COUNT(*) FROM ${table}`))[0]?.[0] ?? 0);
  const have = await count('orders');
  for (let done = have; done < orders; done += CHUNK) {
    const n = Math.min(CHUNK, orders - done);
    // one commit per chunk: orders, then their payments and a user per five orders
    await sql.query(node, [
      'START TRANSACTION;',
      `INSERT INTO users (name, email) SELECT CONCAT('Bench Customer ', seq), CONCAT('bench-', seq, '@bench.example') FROM seq_1_to_${Math.max(1, Math.floor(n / 5))};`,
      `INSERT INTO orders (user_id, product_id, quantity, amount, status) SELECT 1 + seq % 1000, 1 + seq % 5, 1 + seq % 3, 9.99 * (1 + seq % 3), 'paid' FROM seq_1_to_${n};`,
      `INSERT INTO payments (order_id, status, amount) SELECT id, 'success', amount FROM orders WHERE id > (SELECT COALESCE(MAX(order_id), 0) FROM payments) AND status = 'paid';`,
      'COMMIT;',
    ].join(' '), { timeoutMs: 600_000 });
  }
  log(`  ${orders.toLocaleString('en-US')} orders (${(await count('payments')).toLocaleString('en-US')} payments, ${(await count('users')).toLocaleString('en-US')} users)`);
}

export const section9 = defineSection({ id: 9, title: TITLE, needs: [], budgetSeconds: 1_500 }, async (ctx) => {
  const { opts, log } = ctx;
  const config = benchLab();
  const target = new ComposeTarget(PROJECT);
  const sql = new NodeSql(target, 'smartshop');
  const root = await mkdtemp(join(tmpdir(), 'bench-backups-'));
  const results: BackupFigures[] = [];
  const notes: string[] = [];
  try {
    log(`  starting the throw-away lab ${PROJECT} (ports +${PORT_OFFSET})`);
    await stackUp(config, { build: false, timeoutMs: 420_000, log: () => undefined });
    for (const orders of opts.quick ? QUICK_SIZES : SIZES) {
      if (Date.now() > ctx.deadline) {
        notes.push(`${orders.toLocaleString('en-US')} orders: left out, the run's time was up.`);
        continue;
      }
      await growTo(sql, target, orders, log);
      const backup = await createBackup({ source: containerSource(target, 'mariadb-3'), root, kind: 'physical', database: 'smartshop', keep: 1, exportMetrics: false, log: () => undefined });
      const restored = await restoreBackup({ target, root, id: backup.id, yes: true, log: () => undefined });
      if (!restored) throw new Error('the restore did nothing');
      const exact = restored.nodesAgree && Object.values(restored.mismatches).every((l) => l.length === 0);
      const figures: BackupFigures = {
        orders,
        rows: backup.tables.reduce((n, t) => n + t.rows, 0),
        backupSeconds: backup.durationSeconds,
        backupMB: Math.round(backup.sizeBytes / 1e5) / 10,
        restoreSeconds: restored.restoreSeconds,
        exact,
      };
      results.push(figures);
      log(`  ${orders.toLocaleString('en-US')} orders: backup ${figures.backupMB} MB in ${figures.backupSeconds} s, restore ${figures.restoreSeconds} s${exact ? '' : ' (NOT exact)'}`);
      if (!exact) notes.push(`${orders} orders: the restored nodes differ from the backup or from each other (${JSON.stringify(restored.mismatches)}).`);
    }
  } finally {
    await stackDown(config, { volumes: true, log: () => undefined }).catch((err: unknown) => notes.push(`⚠ could not remove the throw-away lab: ${(err as Error).message} (\`docker compose -p ${PROJECT} down --volumes\`)`));
    await rm(root, { recursive: true, force: true });
  }
  const table: Table = {
    headers: ['orders', 'rows in all', 'physical backup', 'size', 'restore (first stop → healthy shop)', 'every node exact'],
    align: ['right', 'right', 'right', 'right', 'right', 'left'],
    rows: results.map((r) => [r.orders.toLocaleString('en-US'), r.rows.toLocaleString('en-US'), `${r.backupSeconds} s`, `${r.backupMB} MB`, `${r.restoreSeconds} s`, r.exact ? 'yes' : 'NO']),
  };
  return {
    status: 'ok',
    about: [
      `A lab of its own (compose project ${PROJECT}), grown to each size by INSERT … SELECT on mariadb-1 (${CHUNK.toLocaleString('en-US')} orders per commit), then \`backup create\` (mariadb-backup of mariadb-3, opened in a throw-away server: included in its time) and \`backup restore --yes\` (mariadb-1 from the backup, the others by SST, every node checked against the manifest).`,
      'The user\'s lab is never touched; the throw-away lab and its volumes are removed at the end.',
    ],
    tables: [table],
    notes,
    data: { results },
  };
});
