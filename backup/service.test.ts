import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/env.ts';
import type { BackupManifest } from './manifest.ts';
import { newestOf, nextBackupAt, serviceConfig } from './service.ts';

const c = { intervalSeconds: 3600, retrySeconds: 300, firstDelaySeconds: 30 };
const now = Date.parse('2026-12-03T10:00:00Z');
const ago = (s: number): number => now - s * 1000;

describe('the backup schedule', () => {
  it('takes a first backup soon after the start of a lab that has none', () => {
    expect(nextBackupAt(now, c)).toBe(now + 30_000);
  });

  it('is due an interval after the newest backup, so a restart of the service does not take an extra one', () => {
    expect(nextBackupAt(now, c, ago(600))).toBe(ago(600) + 3_600_000);
  });

  it('takes an overdue backup after the first delay, not at once', () => {
    expect(nextBackupAt(now, c, ago(7200))).toBe(now + 30_000);
  });

  it('retries a failure after the retry delay, not a whole interval later', () => {
    expect(nextBackupAt(now, c, ago(4000), ago(10))).toBe(ago(10) + 300_000);
    // a failure older than the newest success is forgotten
    expect(nextBackupAt(now, c, ago(10), ago(4000))).toBe(ago(10) + 3_600_000);
  });
});

describe('the backup service configuration', () => {
  it('has the lab defaults: hourly, seven kept, mariadb-3 with the backup account', () => {
    const s = serviceConfig({ BACKUP_PASSWORD: 'x' });
    expect(s).toMatchObject({ node: 'mariadb-3', user: 'backup', intervalSeconds: 3600, retrySeconds: 300, keep: 7, root: '/backups', metricsDir: '/textfile' });
  });

  it('refuses to start without its password, or with an interval it could never keep', () => {
    expect(() => serviceConfig({})).toThrow(ConfigError);
    expect(() => serviceConfig({ BACKUP_PASSWORD: 'x', BACKUP_INTERVAL_SECONDS: '20' })).toThrow(/less than a minute/);
    expect(() => serviceConfig({ BACKUP_PASSWORD: 'x', BACKUP_INTERVAL_SECONDS: 'hourly' })).toThrow(/BACKUP_INTERVAL_SECONDS=hourly/);
  });

  it('retries at most an interval later, and 0 turns the schedule off', () => {
    expect(serviceConfig({ BACKUP_PASSWORD: 'x', BACKUP_INTERVAL_SECONDS: '120' }).retrySeconds).toBe(120);
    expect(serviceConfig({ BACKUP_PASSWORD: 'x', BACKUP_INTERVAL_SECONDS: '0' }).intervalSeconds).toBe(0);
  });
});

describe('the newest backup the schedule counts from', () => {
  const backup = (id: string, uuid: string | null): BackupManifest => ({ id, galera: uuid === null ? null : { uuid, seqno: 1 } }) as BackupManifest;
  const kept = [backup('a', 'old-cluster'), backup('b', 'new-cluster'), backup('c', 'old-cluster'), backup('d', null)];

  it("is the newest of the node's own cluster: a backup of a cluster since deleted does not put off this one's first", () => {
    expect(newestOf(kept, 'new-cluster')?.id).toBe('b');
    expect(newestOf(kept, 'a-third-cluster')).toBeUndefined();
  });

  it('is the newest of all when the cluster is not known', () => {
    expect(newestOf(kept, undefined)?.id).toBe('d');
  });
});
