import { mkdtemp, mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupFolder, describeFile, listBackups, parseInspectOutput, pruneBackups, readManifest, verifyBackupFiles, type BackupManifest } from './manifest.ts';
import { lastFailureAt } from './create.ts';
import { renderBackupMetrics } from './metrics.ts';

let root: string;
beforeEach(async () => { root = await mkdtemp(join(tmpdir(), 'backups-')); });
afterEach(async () => { await rm(root, { recursive: true, force: true }); });

async function fakeBackup(id: string, startedAt: string, payload = 'rows'): Promise<BackupManifest> {
  const dir = join(root, id);
  await mkdir(dir);
  await writeFile(join(dir, 'dump.sql'), payload);
  const m: BackupManifest = {
    format: 1, id, kind: 'logical', project: 'p', node: 'mariadb-3', database: 'smartshop', startedAt, finishedAt: startedAt, durationSeconds: 1,
    galera: null, binlog: null, sizeBytes: payload.length, files: [await describeFile(dir, 'dump.sql')], tables: [], versions: { server: 's', tool: 't' },
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(m));
  return m;
}

describe('backup manifests', () => {
  it("read what backup-inspect.sh prints: the Galera and binlog positions, each table's rows and checksum, the versions", () => {
    const out = parseInspectOutput([
      'galera\t1519c356-ee55-11f1-9182-0b066664fba2\t14007',
      'binlog\tmariadb-bin.000004\t3521\t0-1-140',
      'table\torders\t120\t528354036',
      'table\tusers\t681\t3220336556',
      'version\tserver\t10.11.19-MariaDB',
      'version\ttool\tmariadb-backup 10.11.19',
      'something else',
    ].join('\n'));
    expect(out).toEqual({
      galera: { uuid: '1519c356-ee55-11f1-9182-0b066664fba2', seqno: 14007 },
      binlog: { file: 'mariadb-bin.000004', position: 3521, gtid: '0-1-140' },
      tables: [{ name: 'orders', rows: 120, checksum: '528354036' }, { name: 'users', rows: 681, checksum: '3220336556' }],
      versions: { server: '10.11.19-MariaDB', tool: 'mariadb-backup 10.11.19' },
    });
    expect(parseInspectOutput('galera\tnot-a-uuid\t1').galera).toBeNull();
  });

  it('find a changed byte, a truncated file and a missing one', async () => {
    const m = await fakeBackup('b1', '2026-12-01T10:00:00.000Z', 'INSERT INTO orders VALUES (1);');
    expect(await verifyBackupFiles(join(root, 'b1'), m)).toEqual([]);
    await writeFile(join(root, 'b1', 'dump.sql'), 'INSERT INTO orders VALUES (2);');
    expect(await verifyBackupFiles(join(root, 'b1'), m)).toEqual(['dump.sql: checksum mismatch (sha256 differs from the manifest\'s)']);
    await writeFile(join(root, 'b1', 'dump.sql'), 'INSERT');
    expect(await verifyBackupFiles(join(root, 'b1'), m)).toEqual(['dump.sql: 6 bytes, the manifest says 30']);
    await rm(join(root, 'b1', 'dump.sql'));
    expect(await verifyBackupFiles(join(root, 'b1'), m)).toEqual(['dump.sql: missing']);
  });

  it('list finished backups oldest first, skipping partial folders; retention keeps the newest N', async () => {
    await fakeBackup('b2', '2026-12-01T12:00:00.000Z');
    await fakeBackup('b1', '2026-12-01T11:00:00.000Z');
    await fakeBackup('b3', '2026-12-01T13:00:00.000Z');
    await mkdir(join(root, 'b4.partial'));
    const old = join(root, 'b0.partial');
    await mkdir(old);
    await utimes(old, new Date('2026-11-01'), new Date('2026-11-01'));
    expect((await listBackups(root)).map((m) => m.id)).toEqual(['b1', 'b2', 'b3']);
    expect(await pruneBackups(root, 2, new Date('2026-12-02'))).toEqual(['b1', 'b0.partial']);
    expect((await readdir(root)).sort()).toEqual(['b2', 'b3', 'b4.partial']);
  });

  it('export the newest backup, the last failure and the schedule as metrics; nothing for what is unknown', async () => {
    const m = await fakeBackup('b1', '2026-12-01T10:00:00.000Z');
    const text = renderBackupMetrics({ last: { ...m, finishedAt: '2026-12-01T10:00:10.000Z', sizeBytes: 2048, durationSeconds: 9.5 }, kept: 1, intervalSeconds: 3600 });
    expect(text).toContain('smartshop_backup_last_success_timestamp_seconds 1796119210');
    expect(text).toContain('smartshop_backup_last_size_bytes 2048');
    expect(text).toContain('smartshop_backup_last_duration_seconds 9.5');
    expect(text).toContain('smartshop_backup_interval_seconds 3600');
    expect(text).not.toContain('failure');
    const none = renderBackupMetrics({ last: undefined, kept: 0, lastFailureAt: new Date('2026-12-01T11:00:00Z') });
    expect(none).not.toContain('last_success');
    expect(none).toContain('smartshop_backup_last_failure_timestamp_seconds 1796122800');
  });

  it('resolve a backup id inside the backups folder only', () => {
    expect(backupFolder(root, 'b1')).toBe(join(root, 'b1'));
    for (const id of ['..', '.', '', '../b1', 'b1/../../etc', '/etc', 'b1/manifest.json', '.hidden']) expect(() => backupFolder(root, id), id).toThrow(/not a backup id/);
  });

  it("refuse a manifest whose names would be used as paths or SQL: a file outside the folder, a database that is not an identifier", async () => {
    const m = await fakeBackup('b1', '2026-12-01T10:00:00.000Z');
    const dir = join(root, 'b1');
    for (const bad of [
      { ...m, files: [{ name: '../../etc/passwd', bytes: 1, sha256: 'x' }] },
      { ...m, database: 'smartshop`; DROP DATABASE mysql; --' },
      { ...m, tables: [{ name: 'users` ; --', rows: 1, checksum: '1' }] },
      { ...m, binlog: { file: '../mysql-bin.000001', position: 4, gtid: '' } },
      { ...m, kind: 'other' },
    ]) {
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(bad));
      await expect(readManifest(dir)).rejects.toThrow(/not a backup manifest this version reads/);
    }
    await writeFile(join(dir, 'manifest.json'), '{"format": 1, "id": "b1", "fil');
    await expect(readManifest(dir)).rejects.toThrow(/not JSON/);
  });

  it("read a torn or foreign failure note as 'no failure known', not as a crash", async () => {
    await writeFile(join(root, '.last-failure.json'), '{"at": "2026-12-0');
    expect(await lastFailureAt(root)).toBeUndefined();
    await writeFile(join(root, '.last-failure.json'), 'null');
    expect(await lastFailureAt(root)).toBeUndefined();
    await writeFile(join(root, '.last-failure.json'), JSON.stringify({ at: '2026-12-01T11:00:00.000Z', reason: 'x' }));
    expect(await lastFailureAt(root)).toEqual(new Date('2026-12-01T11:00:00.000Z'));
  });
});
