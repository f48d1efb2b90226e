// The exported consistency result: one 1/0 series per shop table (0 for a table that
// differed or could not be compared), the time of the check, valid text exposition
// (`promtool check metrics`), and an atomic write that only ever warns.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostTool } from '../test/host-tool.ts';
import { seriesValues } from '../shared/prom-text.ts';
import { CONSISTENCY_FILE, SHOP_TABLES, forgetConsistency, fromVerifyResult, recordConsistency, renderConsistencyMetrics, type ConsistencyCheck } from './consistency-metric.ts';
import type { NodeDigest, VerifyResult } from '../lab/index.ts';

const promtool = hostTool('promtool', 'prometheus');
const NOW = new Date('2026-03-01T12:00:00.500Z');
const allTables = [...SHOP_TABLES, 'schema_migrations'];
const level: ConsistencyCheck = { tables: allTables, diverged: [], nodesRead: 3, nodesExpected: 3 };

const consistent = (m: Map<string, number>, table: string): number | undefined => m.get(`smartshop_cluster_consistent{table="${table}"}`);

describe('SHOP_TABLES', () => {
  it('are the tables the migrations leave (a stale name would keep GaleraNodesDiverged firing)', () => {
    const dir = new URL('../app/db/migrations/', import.meta.url);
    const tables = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
      const sql = readFileSync(new URL(file, dir), 'utf8');
      for (const m of sql.matchAll(/\b(CREATE|DROP) TABLE (?:IF (?:NOT )?EXISTS )?`?(\w+)`?/gi)) {
        if ((m[1] ?? '').toUpperCase() === 'CREATE') tables.add(m[2] ?? '');
        else tables.delete(m[2] ?? '');
      }
    }
    expect([...SHOP_TABLES].sort()).toEqual([...tables].sort());
  });
});

describe('renderConsistencyMetrics', () => {
  it('gives every table 1 when all nodes were read and agree, with the time of the check', () => {
    const m = seriesValues(renderConsistencyMetrics(level, NOW));
    for (const t of allTables) expect(consistent(m, t), t).toBe(1);
    expect(m.get('smartshop_cluster_consistency_check_timestamp_seconds')).toBe(Math.floor(NOW.getTime() / 1000));
    expect(m.get('smartshop_cluster_consistency_nodes_read')).toBe(3);
    expect(m.get('smartshop_cluster_consistency_nodes_expected')).toBe(3);
  });

  it('gives a diverged table 0 and the others 1', () => {
    const m = seriesValues(renderConsistencyMetrics({ ...level, diverged: ['orders'] }, NOW));
    expect(consistent(m, 'orders')).toBe(0);
    expect(consistent(m, 'payments')).toBe(1);
  });

  it('gives every table 0 when a node could not be read: nothing was compared across the cluster', () => {
    const m = seriesValues(renderConsistencyMetrics({ ...level, nodesRead: 2 }, NOW));
    for (const t of allTables) expect(consistent(m, t), t).toBe(0);
    expect(m.get('smartshop_cluster_consistency_nodes_read')).toBe(2);
  });

  it('still exports every shop table (as 0) when no node answered at all', () => {
    const m = seriesValues(renderConsistencyMetrics({ tables: [], diverged: [], nodesRead: 0, nodesExpected: 3 }, NOW));
    expect([...m.keys()].filter((k) => k.startsWith('smartshop_cluster_consistent{'))).toHaveLength(SHOP_TABLES.length);
    for (const t of SHOP_TABLES) expect(consistent(m, t), t).toBe(0);
  });

  it('gives a shop table that no node reported 0 (not compared), and adds unknown diverged tables', () => {
    const m = seriesValues(renderConsistencyMetrics({ tables: ['orders'], diverged: ['extra'], nodesRead: 3, nodesExpected: 3 }, NOW));
    expect(consistent(m, 'orders')).toBe(1);
    expect(consistent(m, 'users')).toBe(0);
    expect(consistent(m, 'extra')).toBe(0);
  });

  it('escapes label values', () => {
    const text = renderConsistencyMetrics({ ...level, tables: ['we"ird\\name'] }, NOW);
    expect(text).toContain('smartshop_cluster_consistent{table="we\\"ird\\\\name"} 1');
  });

  it.skipIf(promtool.skip)('passes promtool check metrics (skipped with a reason when promtool is absent; fails in CI)', () => {
    for (const check of [level, { ...level, diverged: ['orders'], nodesRead: 2 }, { tables: [], diverged: [], nodesRead: 0, nodesExpected: 3 }]) {
      const res = spawnSync('promtool', ['check', 'metrics'], { input: renderConsistencyMetrics(check, NOW), encoding: 'utf8', timeout: 30_000 });
      expect(`${res.stdout}${res.stderr}`.trim()).toBe('');
      expect(res.status).toBe(0);
    }
  });
});

describe('fromVerifyResult', () => {
  const node = (name: string, tables: NodeDigest['tables'], error?: string): NodeDigest => ({
    node: name, lastCommitted: '10', clusterStatus: 'Primary', localState: 'Synced', clusterSize: '3', tables, ...(error ? { error } : {}),
  });

  it('takes the tables, the diverged ones and the nodes read from `stack verify`', () => {
    const result: VerifyResult = {
      consistent: false,
      attempts: 5,
      nodes: [node('mariadb-1', { orders: { rows: 2, checksum: '1' } }), node('mariadb-2', { orders: { rows: 3, checksum: '2' } }), node('mariadb-3', {}, 'container exited')],
      divergences: [{ table: 'orders', values: { 'mariadb-1': '2 rows, checksum 1', 'mariadb-2': '3 rows, checksum 2' } }],
      problem: 'mariadb-3: container exited',
    };
    expect(fromVerifyResult(result)).toEqual({ tables: ['orders'], diverged: ['orders'], nodesRead: 2, nodesExpected: 3 });
  });
});

describe('recordConsistency', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('writes smartshop_consistency.prom and leaves no temporary file behind', async () => {
    dir = await mkdtemp(join(tmpdir(), 'consistency-'));
    const target = join(dir, 'textfile');
    expect(await recordConsistency({ project: 'x' }, level, { dir: target, now: NOW })).toBe(true);
    expect(await readdir(target)).toEqual([CONSISTENCY_FILE]);
    expect(await readFile(join(target, CONSISTENCY_FILE), 'utf8')).toBe(renderConsistencyMetrics(level, NOW));
    // a second write replaces the first
    expect(await recordConsistency({ project: 'x' }, { ...level, diverged: ['users'] }, { dir: target, now: NOW })).toBe(true);
    expect(consistent(seriesValues(await readFile(join(target, CONSISTENCY_FILE), 'utf8')), 'users')).toBe(0);
    await forgetConsistency({ project: 'x' }, target);
    expect(await readdir(target)).toEqual([]);
  });

  it('only warns when it cannot write', async () => {
    dir = await mkdtemp(join(tmpdir(), 'consistency-'));
    const blocked = join(dir, 'a-file');
    await writeFile(blocked, '');
    const warnings: string[] = [];
    expect(await recordConsistency({ project: 'x' }, level, { dir: join(blocked, 'textfile'), warn: (l) => warnings.push(l) })).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: could not export the consistency result/);
  });
});
