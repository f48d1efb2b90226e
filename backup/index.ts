// backup/: backups of the lab's Galera cluster (`smartshop backup`): taken, opened in a
// throw-away server, described in a manifest, kept under retention, exported as metrics.
export { createBackup, type CreateOptions } from './create.ts';
export { containerSource, localSource, INSPECT_IMAGE, type BackupSource } from './source.ts';
export {
  backupFolder, listBackups, readManifest, verifyBackupFiles, pruneBackups, parseInspectOutput, BackupError, MANIFEST, PAYLOAD,
  type BackupManifest, type BackupKind, type TableContent,
} from './manifest.ts';
export { restoreBackup, restorePlan, emptyNodeData, type RestoreOptions, type RestoreReport } from './restore.ts';
export { binlogDatetime, parseStop, type StopPoint } from './roll-forward.ts';
export { readHistories, ARCHIVE_FOLDER, type History } from './binlog-archive.ts';
export { renderBackupMetrics, recordBackupMetrics, BACKUP_METRICS_FILE, type BackupState } from './metrics.ts';
