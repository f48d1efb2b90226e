import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Target } from '../lab/index.ts';
import { describeFile, type BackupManifest } from './manifest.ts';
import { restoreBackup, restorePlan } from './restore.ts';

let root: string;
beforeEach(async () => { root = await mkdtemp(join(tmpdir(), 'restore-')); });
afterEach(async () => { await rm(root, { recursive: true, force: true }); });

/** A lab that records every call and refuses it: a restore that touches it fails the test. */
function untouchable(): { target: Target; calls: string[] } {
  const calls: string[] = [];
  const target = new Proxy({ kind: 'compose', project: 'p' } as Target, {
    get(t, key) {
      if (key === 'kind' || key === 'project' || key === 'then') return (t as unknown as Record<string | symbol, unknown>)[key];
      return () => { calls.push(String(key)); throw new Error(`touched: ${String(key)}`); };
    },
  });
  return { target, calls };
}

async function backup(id: string): Promise<BackupManifest> {
  const dir = join(root, id);
  await mkdir(dir);
  await writeFile(join(dir, 'backup.mbstream'), 'a physical backup stream');
  const m: BackupManifest = {
    format: 1, id, kind: 'physical', project: 'p', node: 'mariadb-3', database: 'smartshop', startedAt: '2026-12-02T10:00:00.000Z', finishedAt: '2026-12-02T10:00:08.000Z',
    durationSeconds: 8, galera: { uuid: '1519c356-ee55-11f1-9182-0b066664fba2', seqno: 14007 }, binlog: null, sizeBytes: 24,
    files: [await describeFile(dir, 'backup.mbstream')], tables: [{ name: 'orders', rows: 2, checksum: '528354036' }], versions: { server: 's', tool: 't' },
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(m));
  return m;
}

describe('backup restore', () => {
  it('refuses a damaged backup before it touches anything, naming the file', async () => {
    await backup('b1');
    await writeFile(join(root, 'b1', 'backup.mbstream'), 'a physical backup strEam');
    const { target, calls } = untouchable();
    await expect(restoreBackup({ target, root, id: 'b1', yes: true, log: () => undefined }))
      .rejects.toThrow("backup b1 is damaged, so nothing was touched:\n  - backup.mbstream: checksum mismatch (sha256 differs from the manifest's)");
    expect(calls).toEqual([]);
  });

  it('without --yes prints what would go and does nothing', async () => {
    await backup('b1');
    const { target, calls } = untouchable();
    const lines: string[] = [];
    expect(await restoreBackup({ target, root, id: 'b1', yes: false, log: (l) => lines.push(l) })).toBeUndefined();
    expect(calls).toEqual([]);
    expect(lines.join('\n')).toContain('DELETE the data of mariadb-1');
    expect(lines.at(-1)).toBe('nothing done: run again with --yes to restore');
  });

  it('names what it deletes and what is lost, in order', async () => {
    const plan = restorePlan(await backup('b1'), 'smartshop');
    expect(plan[0]).toBe('restore backup b1 (physical, taken from mariadb-3 at 2026-12-02T10:00:00.000Z, Galera position 1519c356-ee55-11f1-9182-0b066664fba2:14007)');
    expect(plan.filter((l) => l.includes('DELETE'))).toEqual([
      '  - DELETE the data of mariadb-1 (once the backup is extracted and prepared beside it) and put the backup in its place',
      "  - only then DELETE the data of mariadb-2 and mariadb-3: they copy mariadb-1's by SST",
    ]);
    expect(plan.indexOf(plan.find((l) => l.includes('start mariadb-1 alone'))!)).toBeLessThan(plan.findIndex((l) => l.includes('DELETE the data of mariadb-2')));
  });

  it('refuses a point in time for a backup without a binary log position, before it touches anything', async () => {
    await backup('b1');
    const { target, calls } = untouchable();
    await expect(restoreBackup({ target, root, id: 'b1', yes: true, stop: { before: 'DROP TABLE' }, log: () => undefined }))
      .rejects.toThrow('backup b1 has no binary log position (its node had log_bin off then): it restores to its own time only, without --until or --before');
    expect(calls).toEqual([]);
  });

  it('refuses a time before the backup finished, or in the future, before it touches anything', async () => {
    const m = await backup('b1');
    await writeFile(join(root, 'b1', 'manifest.json'), JSON.stringify({ ...m, binlog: { file: 'mysql-bin.000002', position: 1234, gtid: '0-1-9' } }));
    const { target, calls } = untouchable();
    await expect(restoreBackup({ target, root, id: 'b1', yes: true, stop: { until: new Date('2026-12-02T09:59:00Z') }, log: () => undefined }))
      .rejects.toThrow('is before the backup finished (2026-12-02T10:00:08.000Z): restore an older backup');
    await expect(restoreBackup({ target, root, id: 'b1', yes: true, stop: { until: new Date(Date.now() + 3_600_000) }, log: () => undefined }))
      .rejects.toThrow('is in the future');
    expect(calls).toEqual([]);
  });
});
