// backup/: backups of the lab's Galera cluster (`smartshop backup`): taken, opened in a
// throw-away server, described in a manifest, kept under retention, exported as metrics.
export { createBackup } from './create.ts';
export { containerSource } from './source.ts';
export {
  backupFolder, listBackups, readManifest, verifyBackupFiles, BackupError
} from './manifest.ts';
export { restoreBackup, emptyNodeData } from './restore.ts';
export { type StopPoint } from './roll-forward.ts';
export { readHistories, ARCHIVE_FOLDER } from './binlog-archive.ts';
