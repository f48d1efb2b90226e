// The backups stop: the backup service (which keeps the lab's backups fresh) is stopped, and
// one real backup of mariadb-3 is taken declaring a short schedule, then none; after two of
// its intervals the newest backup is too old. The rollback takes a fresh backup on the lab's
// usual hourly schedule and starts the service again. Every backup already there is kept.
import { backupsDir } from '../../lab/paths.ts';
import type { Target } from '../../lab/index.ts';
import { containerSource, createBackup, listBackups } from '../../backup/index.ts';
import type { Fault } from './fault.ts';

export type StaleBackupSpec = { kind: 'stale-backup'; intervalSeconds: number };

const USUAL_INTERVAL_SECONDS = 3_600;

async function backupWithInterval(target: Target, database: string, intervalSeconds: number, log: (line: string) => void): Promise<void> {
  const root = backupsDir(target.project);
  const kept = (await listBackups(root)).length;
  await createBackup({ source: containerSource(target, 'mariadb-3'), root, kind: 'physical', database, keep: kept + 1, intervalSeconds, log });
}

export const staleBackup: Fault<StaleBackupSpec> = {
  preflight: (_f, target) => Promise.resolve(target.kind === 'compose' ? undefined : 'the backup service and its backups are part of the compose lab only'),
  describe: (f, victims) => `stop ${victims.join(', ')}, take a backup of mariadb-3 on a ${f.intervalSeconds} s schedule, then none; later a backup on the usual hourly schedule and the service started`,
  async inject(f, { target, sql, victims, log }) {
    const { database } = sql;
    for (const v of victims) await target.stop(v, 10);
    await backupWithInterval(target, database, f.intervalSeconds, log);
    return {
      rollback: async () => {
        const problems: string[] = [];
        await backupWithInterval(target, database, USUAL_INTERVAL_SECONDS, log).catch((err: Error) => problems.push(`no fresh backup: ${err.message}`));
        for (const v of victims) await target.start(v).catch((err: Error) => problems.push(`${v.name} not started: ${err.message}`));
        return problems;
      },
    };
  },
};
