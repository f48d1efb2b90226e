// The lab's backups as Prometheus metrics, through node-exporter's textfile collector (the
// way a batch job reports): the last success's time, size and duration, the last failure's
// time, how many backups are kept, and the schedule's interval. BackupTooOld and the Galera
// dashboard's backup panel read them.
import { writeTextfile } from '../lab/index.ts';
import { textfileDir } from '../lab/paths.ts';
import type { BackupManifest } from './manifest.ts';

const BACKUP_METRICS_FILE = 'smartshop_backup.prom';

export interface BackupState {
  /** the newest finished backup, if any */
  last: BackupManifest | undefined;
  kept: number;
  lastFailureAt?: Date;
  /** the schedule's interval (the backup service writes it); undefined for a lab without one */
  intervalSeconds?: number;
}

const seconds = (iso: string | Date): number => Math.floor((typeof iso === 'string' ? Date.parse(iso) : iso.getTime()) / 1000);

function gauge(name: string, help: string, value: number | undefined): string[] {
  return value === undefined ? [] : [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`];
}

/** Pure: the text exposition. */
export function renderBackupMetrics(s: BackupState): string {
  return [
    ...gauge('smartshop_backup_last_success_timestamp_seconds', 'Unix time the newest finished backup ended.', s.last && seconds(s.last.finishedAt)),
    ...gauge('smartshop_backup_last_size_bytes', 'Size of the newest finished backup.', s.last?.sizeBytes),
    ...gauge('smartshop_backup_last_duration_seconds', 'How long the newest finished backup took, opening it in a throw-away server included.', s.last?.durationSeconds),
    ...gauge('smartshop_backup_last_failure_timestamp_seconds', 'Unix time of the last backup that failed.', s.lastFailureAt && seconds(s.lastFailureAt)),
    ...gauge('smartshop_backups_kept', 'Finished backups in the backups folder.', s.kept),
    ...gauge('smartshop_backup_interval_seconds', 'Interval of the backup schedule.', s.intervalSeconds),
    '',
  ].join('\n');
}

export async function recordBackupMetrics(project: string, s: BackupState, dir = textfileDir(project)): Promise<void> {
  await writeTextfile(dir, BACKUP_METRICS_FILE, renderBackupMetrics(s));
}
