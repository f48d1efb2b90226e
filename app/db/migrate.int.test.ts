// Three app replicas starting at once against an empty database all apply the migrations
// without error, and the result is the same as one start: each version recorded once,
// the catalogue seeded once. A later start applies nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { startMariaDb, type MariaDbServer } from '../../lab/throwaway-mariadb.ts';
import { startShop, type Shop } from '../../test/shop.ts';
import { loadMigrations } from './migrate.ts';

let mariadb: MariaDbServer;
const shops: Shop[] = [];

beforeAll(async () => {
  mariadb = await startMariaDb();
});
afterAll(async () => {
  await Promise.all(shops.map((s) => s.stop()));
  await mariadb?.destroy();
});

describe('migrations at start', () => {
  it('are safe when three replicas start together', async () => {
    shops.push(...(await Promise.all([1, 2, 3].map(() => startShop({ mariadb, ui: false })))));
    const conn = await mariadb.rootConnection();
    try {
      const [versions] = await conn.query<RowDataPacket[]>('SELECT version FROM smartshop.schema_migrations ORDER BY version');
      expect(versions.map((r) => Number(r.version))).toEqual((await loadMigrations()).map((m) => m.version));
      const [products] = await conn.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM smartshop.products');
      expect(Number(products[0]?.n)).toBe(8);
      // Every table is InnoDB with a primary key (Galera requirements).
      const [tables] = await conn.query<RowDataPacket[]>(
        `SELECT t.table_name AS name, t.engine AS engine,
                (SELECT COUNT(*) FROM information_schema.table_constraints c
                  WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.constraint_type = 'PRIMARY KEY') AS pk
           FROM information_schema.tables t WHERE t.table_schema = 'smartshop'`,
      );
      expect(tables.length).toBeGreaterThanOrEqual(8);
      for (const t of tables) expect({ name: t.name as string, engine: t.engine as string, pk: Number(t.pk) }).toEqual({ name: t.name as string, engine: 'InnoDB', pk: 1 });
    } finally {
      await conn.end();
    }
    for (const shop of shops) expect((await fetch(`${shop.baseUrl}/api/ready`)).status).toBe(200);
  });
});
