// `smartshop backup create | list | verify | restore`: the lab's backups from the host. Heavy modules
// (dockerode) load inside the actions, so `smartshop --help` stays quick.
import { Command, Option } from 'commander';
import { parseInteger, UsageError } from '../shared/cli-numbers.ts';
import { ConfigError, str } from '../shared/env.ts';
import { EXIT } from '../shared/exit-codes.ts';

const env = process.env;

async function run(action: () => Promise<number | void>): Promise<void> {
  try {
    const code = await action();
    if (typeof code === 'number' && code !== 0) process.exitCode = code;
  } catch (e) {
    const err = e as Error;
    const { BackupError } = await import('./index.ts');
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`smartshop backup: ${err.message}`);
      process.exitCode = EXIT.usage;
      return;
    }
    console.error(`backup: ${err instanceof BackupError ? err.message : (err.stack ?? err.message)}`);
    process.exitCode = EXIT.couldNotRun;
  }
}

const projectOption = (): Option =>
  new Option('--project <name>', 'compose project whose labelled containers are the lab').default(str(env, 'COMPOSE_PROJECT_NAME', 'smartshop'));

async function root(project: string): Promise<string> {
  const { backupsDir } = await import('../lab/paths.ts');
  return backupsDir(project);
}

/** --until or --before, checked: one of them at most, a real time, a statement that is not empty. */
export function stopPoint(opts: { until?: string; before?: string }): { until: Date } | { before: string } | undefined {
  if (opts.until !== undefined && opts.before !== undefined) throw new UsageError('--until and --before name the same thing: give one');
  if (opts.before !== undefined) {
    if (opts.before.trim() === '' || /['\n]/.test(opts.before)) throw new UsageError('--before needs a statement to look for, without quotes or newlines (e.g. "DROP TABLE")');
    return { before: opts.before.trim() };
  }
  if (opts.until === undefined) return undefined;
  const text = opts.until.trim();
  // a time without a zone is UTC, as the nodes and their logs are
  const at = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
  if (!/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/.test(text) || Number.isNaN(at.getTime())) throw new UsageError(`--until needs a time like 2026-12-02T19:20:00Z (got "${opts.until}")`);
  return { until: at };
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

export function backupCommand(): Command {
  const backup = new Command('backup').description('backups of the Galera cluster: create (physical or logical), list, verify, restore');

  backup.command('create')
    .description('back up one Galera node without blocking the shop, open the backup in a throw-away server, and keep the newest N')
    .option('--logical', 'a logical dump (mariadb-dump --single-transaction) instead of a physical backup (mariadb-backup)')
    .option('--node <name>', 'the Galera node to back up', 'mariadb-3')
    .option('--keep <n>', 'backups to keep (older ones are removed)', str(env, 'BACKUP_KEEP', '7'))
    .addOption(projectOption())
    .action((opts: { logical?: boolean; node: string; keep: string; project: string }) => run(async () => {
      const keep = parseInteger('--keep', opts.keep, 1, 1000);
      const { openTarget, parseBackupInterval } = await import('../lab/index.ts');
      const { containerSource, createBackup } = await import('./index.ts');
      await createBackup({
        source: containerSource(await openTarget(opts.project, 'compose'), opts.node),
        root: await root(opts.project),
        kind: opts.logical ? 'logical' : 'physical',
        database: str(env, 'DB_NAME', 'smartshop'),
        keep,
        // what BackupTooOld expects: a backup at least every interval (the lab's is hourly);
        // 0, no schedule, expects none
        intervalSeconds: parseBackupInterval(env) || undefined,
        log: (l) => console.log(l),
      });
    }));

  backup.command('list')
    .description('the finished backups, oldest first: id, kind, node, size, Galera position, rows')
    .addOption(projectOption())
    .option('--json', 'the manifests as JSON')
    .action((opts: { project: string; json?: boolean }) => run(async () => {
      const { listBackups } = await import('./index.ts');
      const dir = await root(opts.project);
      const all = await listBackups(dir);
      if (opts.json) {
        console.log(JSON.stringify(all, null, 2));
        return;
      }
      if (all.length === 0) {
        console.log(`no backups in ${dir} (take one: smartshop backup create)`);
        return;
      }
      console.log(`backups in ${dir}:`);
      for (const m of all) {
        const rows = m.tables.reduce((n, t) => n + t.rows, 0);
        console.log(`  ${m.id}  ${m.kind.padEnd(8)} ${m.node}  ${mb(m.sizeBytes).padStart(9)}  ${m.durationSeconds} s  ${m.galera ? `seqno ${m.galera.seqno}` : 'no Galera position'}  ${rows} rows`);
      }
    }));

  backup.command('verify')
    .description("check a backup's files against its manifest's checksums (what a restore checks before it touches anything)")
    .argument('<id>', 'the backup (smartshop backup list)')
    .addOption(projectOption())
    .action((id: string, opts: { project: string }) => run(async () => {
      if (!/^[\w.-]+$/.test(id)) throw new UsageError(`not a backup id: "${id}"`);
      const { backupFolder, readManifest, verifyBackupFiles } = await import('./index.ts');
      const dir = backupFolder(await root(opts.project), id);
      const problems = await verifyBackupFiles(dir, await readManifest(dir));
      if (problems.length === 0) {
        console.log(`backup ${id}: intact (every file matches its sha256)`);
        return 0;
      }
      console.error(`backup ${id} is damaged:\n  - ${problems.join('\n  - ')}`);
      return EXIT.failed;
    }));

  backup.command('restore')
    .description('rebuild the cluster from a backup (physical: rolled forward to a point in time with --until/--before; logical: the dump loaded through mariadb-1): checked first, the plan printed; with --yes it is done and every node checked')
    .argument('<id>', 'the backup (smartshop backup list)')
    .option('--yes', 'do it (without it, only the check and the plan)')
    .option('--until <time>', 'point in time: roll the backup forward with the binary logs up to this time (ISO 8601; UTC without a zone)')
    .option('--before <statement>', 'point in time: roll forward up to just before the first statement matching this (an extended regex, e.g. "DROP TABLE")')
    .addOption(projectOption())
    .action((id: string, opts: { yes?: boolean; until?: string; before?: string; project: string }) => run(async () => {
      if (!/^[\w.-]+$/.test(id)) throw new UsageError(`not a backup id: "${id}"`);
      const stop = stopPoint(opts);
      const { openTarget } = await import('../lab/index.ts');
      const { restoreBackup } = await import('./index.ts');
      const report = await restoreBackup({
        target: await openTarget(opts.project, 'compose'), root: await root(opts.project), id, yes: opts.yes === true, ...(stop ? { stop } : {}), log: (l) => console.log(l),
      });
      if (report === undefined) return EXIT.ok; // no --yes: the check passed and the plan was printed, as a dry run
      return Object.values(report.mismatches).every((l) => l.length === 0) && report.nodesAgree ? EXIT.ok : EXIT.failed;
    }));

  return backup;
}
