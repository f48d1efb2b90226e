// The restore drills' fault: a physical backup under traffic, more traffic, then the disaster
// (DROP TABLE, as a migration gone wrong or an operator in the wrong window would run it; or
// every node's data lost at once, as with the disks);
// the rollback is the operator's answer, `smartshop backup restore`: rolled forward to just
// before the DROP (point in time), after lost disks with the backup service's archive of the
// binary log, or the backup alone. The ledger is snapshotted the moment
// before the DROP: what the shop acknowledged until then is what a restore must bring back.
// The DROP runs as the node's local root: the shop's own account has no DDL (least privilege).
import { containerSource, createBackup, emptyNodeData, restoreBackup, type StopPoint } from '../../backup/index.ts';
import { type Target } from '../../lab/index.ts';
import { backupsDir } from '../../lab/paths.ts';
import type { LedgerExport } from '../../simulator/index.ts';
import type { RestoreMode, RestoreWindow } from '../judge/restore.ts';
import type { Fault } from './fault.ts';

export type RestoreSpec = { kind: 'restore'; disaster: 'drop-table' | 'volumes'; table: string; pointInTime: boolean; trafficAfterBackupMs: number };
type RestoreFault = RestoreSpec;

export const restore: Fault<RestoreSpec> = {
  describe: (f) => describeRestore(f),
  preflight: (_f, target) => Promise.resolve(target.kind === 'compose' ? undefined : '`backup restore` stops and empties compose containers: the restore drills run on the compose lab only'),
  async inject(f, ctx) {
    const r = await injectRestore(f, { target: ctx.target, database: ctx.sql.database, log: ctx.log, ledgerNow: ctx.ledgerNow, pause: ctx.pause });
    return { rollback: r.rollback, restore: r.record };
  },
};

/** The drills' backups live apart from the user's: their retention and BackupTooOld stay the user's. */
const drillBackupsDir = (project: string): string => `${backupsDir(project)}/drills`;
const BACKUP_NODE = 'mariadb-3';
const DISASTER_NODE = 'mariadb-1';

export interface RestoreRecord {
  window: RestoreWindow;
  /** the ledger as it was just before the disaster */
  snapshot: LedgerExport;
}

function describeDisaster(f: RestoreFault): string {
  return f.disaster === 'volumes' ? 'SIGKILL all three nodes and empty their data volumes (the disks lost)' : `DROP TABLE ${f.table} on ${DISASTER_NODE}`;
}

function describeRollback(f: RestoreFault): string {
  if (!f.pointInTime) return '(the backup alone, no roll-forward)';
  // the nodes' own logs went with their volumes: the backup service's archive of mariadb-3's is what is left
  if (f.disaster === 'volumes') return `--until <the restore's start> (the backup rolled forward with ${BACKUP_NODE}'s binary log as the backup service archived it)`;
  return `--before 'DROP TABLE .*${f.table}' (point in time: the backup rolled forward with ${BACKUP_NODE}'s binary logs)`;
}

function describeRestore(f: RestoreFault): string {
  return `physical backup of ${BACKUP_NODE}, ${f.trafficAfterBackupMs / 1000} s more traffic, then ${describeDisaster(f)}; rollback: smartshop backup restore ${describeRollback(f)}`;
}

/** Where the rollback's restore stops: just before the DROP; after lost disks, wherever the archive ends (the nodes are dead since). */
function stopPoint(f: RestoreFault): StopPoint | undefined {
  if (!f.pointInTime) return undefined;
  return f.disaster === 'volumes' ? { until: new Date() } : { before: `DROP TABLE .*${f.table}` };
}

function restoreMode(f: RestoreFault): RestoreMode {
  if (!f.pointInTime) return 'backup-only';
  return f.disaster === 'volumes' ? 'archived-logs' : 'point-in-time';
}

async function dropTable(target: Target, database: string, table: string): Promise<void> {
  const dropped = await target.exec(await target.find(DISASTER_NODE), ['mariadb', '-e', `SET SESSION foreign_key_checks = 0; DROP TABLE \`${database}\`.\`${table}\``]);
  if (dropped.exitCode !== 0) throw new Error(`DROP TABLE ${table} failed on ${DISASTER_NODE}: ${dropped.stderr.trim()}`);
}

/**
 * Every node's data gone, as lost disks leave them: the nodes SIGKILLed at once, then each
 * data volume emptied (grastate.dat, binary logs and all) by the restore's own helper.
 */
async function loseEveryNodesData(target: Target): Promise<void> {
  const nodes = await target.list('galera');
  await Promise.all(nodes.map((n) => target.kill(n, 'SIGKILL')));
  for (const n of nodes) await emptyNodeData(target, n);
}

interface RestoreContext {
  target: Target;
  database: string;
  log: (line: string) => void;
  /** the traffic's ledger now */
  ledgerNow: () => LedgerExport;
  /** waits that Ctrl-C cuts short */
  pause: (ms: number) => Promise<void>;
}

async function injectRestore(f: RestoreFault, ctx: RestoreContext): Promise<{ rollback: () => Promise<string[]>; record: () => RestoreRecord | undefined }> {
  const { target, database, log } = ctx;
  const root = drillBackupsDir(target.project);
  const backup = await createBackup({ source: containerSource(target, BACKUP_NODE), root, kind: 'physical', database, keep: 2, exportMetrics: false, log });
  log(`backup ${backup.id} taken; ${ctx.ledgerNow().orders.length} orders acknowledged so far; ${f.trafficAfterBackupMs / 1000} s more traffic`);
  await ctx.pause(f.trafficAfterBackupMs);

  const snapshot = structuredClone(ctx.ledgerNow());
  const disasterAt = Date.now();
  if (f.disaster === 'volumes') await loseEveryNodesData(target);
  else await dropTable(target, database, f.table);
  log(`disaster: ${describeDisaster(f)}, with ${snapshot.users.length} users, ${snapshot.orders.length} orders, ${snapshot.payments.length} payments acknowledged`);

  let restoreSeconds: number | undefined;
  let rolledForward: string | undefined;
  return {
    rollback: async () => {
      try {
        const stop = stopPoint(f);
        const r = await restoreBackup({ target, root, id: backup.id, yes: true, ...(stop ? { stop } : {}), log });
        if (r === undefined) return ['the restore did nothing'];
        restoreSeconds = r.restoreSeconds;
        rolledForward = r.rolledForward;
        return r.nodesAgree ? [] : ['the nodes disagree after the restore'];
      } catch (e) {
        return [`backup restore ${backup.id}: ${(e as Error).message}`];
      }
    },
    record: () => ({
      window: {
        mode: restoreMode(f),
        backupId: backup.id,
        backupStartedAt: Date.parse(backup.startedAt),
        backupFinishedAt: Date.parse(backup.finishedAt),
        disaster: describeDisaster(f),
        disasterAt,
        ...(restoreSeconds === undefined ? {} : { restoreSeconds }),
        ...(rolledForward === undefined ? {} : { rolledForward }),
      },
      snapshot,
    }),
  };
}
