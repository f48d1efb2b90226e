// `smartshop backup restore ID`: the cluster rebuilt from one backup. Nothing is
// touched before the backup's files match their manifest's sha256, and nothing is deleted
// without `--yes` after the list of what goes was printed. Then: the shop and the three
// nodes stop; mariadb-1 gets the backup (extracted and prepared beside its old data first,
// mariadb/backup-restore.sh) at the backup's Galera position, marked safe to bootstrap, and
// starts alone; only once it is Synced on the manifest's data are mariadb-2 and mariadb-3
// (which kept the old data until then) emptied to join it by SST, one at a time; the shop
// starts. A failure before that brings the old cluster back (rebuild's rollBack).
// At the end every node holds exactly the manifest's rows and checksums, and they agree.
// With a stop point (--until TIME, --before STATEMENT) the backup is rolled forward with its
// node's binary logs before it takes mariadb-1's place (roll-forward.ts): the nodes must then
// agree, and the tables hold the backup plus what the logs brought back. A logical backup (a
// dump) is loaded through mariadb-1 of the running cluster instead (loadDump). Either way the
// id counters are put back at least where they were, the fulfilment pipeline brought in line
// with the restored data (pipeline.ts: the workers stopped meanwhile, the queue emptied, the
// outbox re-armed for what the restore took back), and only then do the shop and workers start.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pollUntil } from '../shared/time.ts';
import { compareNodes, GALERA_NODES, NodeSql, waitNodeSynced, type LabContainer, type Target } from '../lab/index.ts';
import { backupFolder, BackupError, PAYLOAD, readManifest, verifyBackupFiles, type BackupManifest, type TableContent } from './manifest.ts';
import { runNodeImageScript } from './source.ts';
import { planRollForward, rollForwardEnv, type RollForward, type StopPoint } from './roll-forward.ts';
import { alignPipeline, stopWorkers } from './pipeline.ts';

const PAYLOAD_LOGICAL = PAYLOAD.logical;

export interface RestoreOptions {
  target: Target;
  root: string;
  id: string;
  /** without it, the plan is printed and nothing is done */
  yes: boolean;
  /** roll forward with the binary logs to this point (point-in-time restore) */
  stop?: StopPoint;
  log: (line: string) => void;
  /** bound for each node to become Synced (an SST of a big backup takes a while) */
  nodeTimeoutMs?: number;
  /** tests only: fail on purpose at this step, to prove that the restore goes back */
  failAt?: RestoreStep;
}

export interface RestoreReport {
  id: string;
  /** seconds from the first stop to a shop answering on the restored data */
  restoreSeconds: number;
  /** per node, the tables whose rows or checksum differ from the manifest's (empty = exact; not checked after a roll-forward) */
  mismatches: Record<string, string[]>;
  /** what the roll-forward did, when there was one */
  rolledForward?: string;
  nodesAgree: boolean;
}

const [SEED, ...JOINERS] = GALERA_NODES;
/** mariadb-1 first and mariadb-2 last: the last to leave holds safe_to_bootstrap, so the old
 * cluster can come back from mariadb-2 while mariadb-1 holds the backup */
const STOP_ORDER = [SEED, ...[...JOINERS].reverse()];
/** the way back: the node that left last first, mariadb-1 (emptied, or on old data) last */
const START_ORDER = [...STOP_ORDER].reverse();

/** What a restore will do, in the order it does it: printed before anything happens. */
export function restorePlan(m: BackupManifest, project: string, roll?: RollForward): string[] {
  const lost = roll ? `  - put the backup ${roll.describe}: every later write is lost` : `  - lose every write made after the backup (${m.startedAt})`;
  return [
    `restore backup ${m.id} (${m.kind}, taken from ${m.node} at ${m.startedAt}, Galera position ${m.galera ? `${m.galera.uuid}:${m.galera.seqno}` : 'none'})`,
    `into the lab ${project}; this will:`,
    '  - stop the shop (app), the fulfilment workers, the backup service and the three Galera nodes',
    `  - DELETE the data of ${SEED} (once the backup is extracted${roll ? ', prepared and rolled forward' : ' and prepared'} beside it) and put the backup in its place`,
    `  - start ${SEED} alone on it and check it${roll ? '' : " against the manifest's rows and checksums"}; should that fail, ${SEED} is emptied and the cluster comes back from ${JOINERS.join(' and ')}, which still hold the old data`,
    `  - only then DELETE the data of ${JOINERS.join(' and ')}: they copy ${SEED}'s by SST`,
    lost,
    '  - empty the fulfilment queue and publish again the events whose shipment the restore takes back (the workers, stopped meanwhile, apply each once)',
    `  - start the shop once every node is Synced, then check ${roll ? 'that every node holds the same data' : "every node against the manifest's rows and checksums"}`,
  ];
}

async function waitSynced(target: Target, sql: NodeSql, name: string, boundMs: number): Promise<void> {
  const r = await waitNodeSynced(target, sql, name, boundMs);
  if (!r.synced) throw new BackupError(`${name} is not Synced within ${boundMs / 1000} s (last seen: ${r.last}); \`smartshop stack logs ${name}\` says why`);
}

async function helper(target: Target, node: LabContainer, args: string[], binds: string[], env: string[] = []): Promise<string> {
  const r = await runNodeImageScript(target, 'backup-restore.sh', args, { volumesFrom: node, binds, env });
  if (r.exitCode !== 0) throw new BackupError(`${args[0]} on ${node.name}'s data failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-6).join('\n')}`);
  return r.stdout;
}

/** A stopped node's data volume emptied (grastate.dat, binary logs and all): it rejoins by SST. */
export async function emptyNodeData(target: Target, node: LabContainer): Promise<void> {
  await helper(target, node, ['empty'], []);
}

/**
 * The stack's backup service stopped for the restore (a backup of a node being rebuilt is
 * worth nothing, and it reads mariadb-3's volume), and the fulfilment workers (pipeline.ts);
 * the returned function starts them again, after the shop.
 */
async function pauseBackupsAndWorkers(o: RestoreOptions): Promise<Resume> {
  const running = (await o.target.list('backup')).filter((c) => c.state === 'running');
  if (running.length > 0) o.log('==> stopping the backup service for the restore');
  for (const c of running) await o.target.stop(c, 10);
  const resumeWorkers = await stopWorkers(o.target, o.log);
  // each started on its own: one that fails to start does not keep the other stopped
  return async ({ workers = true } = {}) => {
    const failed: string[] = [];
    for (const c of running) await o.target.start(c).catch((e: Error) => failed.push(`${c.name}: ${e.message}`));
    if (workers) await resumeWorkers().catch((e: Error) => failed.push(`the workers: ${e.message}`));
    if (failed.length > 0) throw new BackupError(`could not start again ${failed.join('; ')}`);
  };
}

/** Starts what the restore paused; without the workers while the shop stays stopped (a half-loaded dump). */
type Resume = (o?: { workers?: boolean }) => Promise<void>;

async function waitHealthy(target: Target, name: string, boundMs: number): Promise<void> {
  const healthy = await pollUntil(Date.now() + boundMs, 2_000, async () => {
    const c = await target.find(name);
    return c.state === 'running' && (c.health === 'healthy' || c.health === 'none') ? true : undefined;
  });
  if (!healthy) throw new BackupError(`${name} is not healthy within ${boundMs / 1000} s of its start; \`smartshop stack logs ${name}\` says why`);
}

/** Each table of the manifest against one node: the names that differ. */
async function mismatchesOn(sql: NodeSql, node: LabContainer, m: BackupManifest): Promise<string[]> {
  const differ: string[] = [];
  for (const t of m.tables) {
    const got = await tableOn(sql, node, m.database, t.name);
    if (got.rows !== t.rows || got.checksum !== t.checksum) differ.push(`${t.name} (${got.rows} rows, checksum ${got.checksum}; the backup: ${t.rows}, ${t.checksum})`);
  }
  return differ;
}

async function tableOn(sql: NodeSql, node: LabContainer, database: string, table: string): Promise<Omit<TableContent, 'name'>> {
  const id = `\`${database}\`.\`${table}\``;
  const rows = await sql.query(node, `SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM ${id}; CHECKSUM TABLE ${id}`, { database: null });
  return { rows: Number(rows[0]?.[0] ?? -1), checksum: rows[1]?.[1] ?? '' };
}

export async function restoreBackup(o: RestoreOptions): Promise<RestoreReport | undefined> {
  const dir = backupFolder(o.root, o.id);
  const m = await readManifest(dir);
  const damaged = await verifyBackupFiles(dir, m);
  if (damaged.length) throw new BackupError(`backup ${o.id} is damaged, so nothing was touched:\n  - ${damaged.join('\n  - ')}`);
  o.log(`backup ${o.id}: intact (every file matches its sha256)`);
  if (m.kind === 'logical') {
    if (o.stop) throw new BackupError(`backup ${o.id} is a logical dump: --until/--before roll physical backups forward only (restore it to its own time, or pick a physical backup)`);
    for (const line of logicalPlan(m, o.target.project)) o.log(line);
    if (!o.yes) {
      o.log('nothing done: run again with --yes to restore');
      return undefined;
    }
    return loadDump(o, m, dir);
  }
  if (!m.galera) throw new BackupError(`backup ${o.id} has no Galera position (taken without --galera-info): it cannot seed a cluster`);
  const roll = o.stop ? await planRollForward(o.target, o.root, m, o.stop) : undefined;
  try {
    for (const line of restorePlan(m, o.target.project, roll)) o.log(line);
    if (!o.yes) {
      o.log('nothing done: run again with --yes to restore');
      return undefined;
    }
    return await rebuild(o, m, dir, roll);
  } finally {
    if (roll) await rm(roll.binlogs, { recursive: true, force: true });
  }
}

/**
 * Each table's next id on a running node, before the restore: a restore puts the counters
 * back with the data, and the shop would hand out again ids it had already acknowledged to
 * clients (who would then read another customer's order under theirs).
 */
async function readCounters(sql: NodeSql, node: LabContainer | undefined): Promise<Map<string, number>> {
  if (!node) return new Map();
  const rows = await sql.query(node, `SELECT table_name, AUTO_INCREMENT FROM information_schema.tables WHERE table_schema = '${sql.database}' AND AUTO_INCREMENT IS NOT NULL`, { database: null });
  return new Map(rows.map(([t = '', n = '0']) => [t, Number(n)]));
}

/** Sets each counter at least where it was before the restore; the lines to log. */
async function keepCountersAhead(sql: NodeSql, node: LabContainer, before: Map<string, number>): Promise<string[]> {
  const now = await readCounters(sql, node);
  const lines: string[] = [];
  for (const [table, next] of now) {
    const old = before.get(table);
    if (old === undefined) {
      if (before.size > 0) lines.push(`${table}: its counter before the restore is unknown (the table was gone): ids after the backup may be handed out again`);
    } else if (old > next) {
      await sql.query(node, `ALTER TABLE \`${sql.database}\`.\`${table}\` AUTO_INCREMENT = ${old}`, { database: null });
      lines.push(`${table}: next id ${next} → ${old} (where it was before the restore)`);
    }
  }
  return lines;
}

function logicalPlan(m: BackupManifest, project: string): string[] {
  return [
    `restore backup ${m.id} (logical, a dump of ${m.node} at ${m.startedAt})`,
    `into the lab ${project}; this will:`,
    '  - stop the shop (app), the fulfilment workers and the backup service; the Galera nodes keep running',
    `  - load the dump on ${SEED}: every table of ${m.database} DROPPED and recreated from it, replicated to ${JOINERS.join(' and ')} as it loads`,
    `  - lose every write made after the dump (${m.startedAt})`,
    '  - empty the fulfilment queue and publish again the events whose shipment the restore takes back (the workers, stopped meanwhile, apply each once)',
    "  - check every node against the manifest's rows and checksums, then start the shop",
  ];
}

/** A dump loaded through one node of the running cluster: Galera replicates every statement. */
async function loadDump(o: RestoreOptions, m: BackupManifest, dir: string): Promise<RestoreReport> {
  const started = Date.now();
  const sql = new NodeSql(o.target, m.database);
  const seed = await o.target.find(SEED);
  if (seed.state !== 'running') throw new BackupError(`${SEED} is ${seed.state}: a dump loads into a running cluster (\`smartshop stack up\`, or restore a physical backup)`);
  const counters = await readCounters(sql, seed).catch(() => new Map<string, number>());
  const resumePaused = await pauseBackupsAndWorkers(o);
  let done = false;
  try {
    o.log('==> stopping the shop');
    await o.target.stop(await o.target.find('app'), 30);
    o.log(`==> loading ${PAYLOAD_LOGICAL} into ${SEED} (as its local root)`);
    const loaded = await o.target.execWithInput(seed, ['mariadb'], join(dir, PAYLOAD_LOGICAL), 60 * 60_000);
    if (loaded.exitCode !== 0) {
      o.log(`    the load failed: ${loaded.stderr.trim().split('\n').slice(-3).join(' ')}; the shop and the fulfilment workers stay stopped (the tables may be half loaded: load it again, or restore another backup)`);
      done = true;
      await resumePaused({ workers: false }).catch((e: Error) => o.log(`    ${e.message}`));
      throw new BackupError(`loading the dump into ${SEED} failed (exit ${loaded.exitCode}): ${loaded.stderr.trim().split('\n').slice(-3).join('\n')}`);
    }
    const report = await finish(o, m, sql, counters, started, true, resumePaused);
    done = true;
    return report;
  } finally {
    // whatever else failed, nothing the restore stopped stays stopped
    if (!done) {
      await startIfStopped(o, 'app').catch((e: Error) => o.log(`    could not start the shop again: ${e.message}`));
      await resumePaused().catch((e: Error) => o.log(`    ${e.message}`));
    }
  }
}

/** Where a test may make a restore fail, to prove the way back (RestoreOptions.failAt). */
type RestoreStep = 'prepare' | 'first-start' | 'sync' | 'manifest';

/**
 * The physical restore, in an order that can always go back: mariadb-1 takes the backup and
 * starts alone while mariadb-2 and mariadb-3 keep the old data; only once mariadb-1 is Synced
 * and holds the manifest's rows are they emptied to copy it. Until then any failure brings
 * the old cluster back from them (rollBack); after it, what stopped is started all the same.
 */
async function rebuild(o: RestoreOptions, m: BackupManifest, dir: string, roll: RollForward | undefined): Promise<RestoreReport> {
  const started = Date.now();
  const sql = new NodeSql(o.target, m.database);
  const running = (await o.target.list('galera')).find((n) => n.state === 'running');
  const counters = await readCounters(sql, running).catch(() => new Map<string, number>());
  if (counters.size === 0) o.log('    (no running node to read the id counters from: ids after the backup may be handed out again)');
  const bound = o.nodeTimeoutMs ?? 10 * 60_000;
  const inject = (step: RestoreStep): void => {
    if (o.failAt === step) throw new BackupError(`injected failure at ${step} (a test of the way back)`);
  };
  const resumePaused = await pauseBackupsAndWorkers(o);
  let done = false;
  try {
    o.log('==> stopping the shop and the Galera nodes');
    await o.target.stop(await o.target.find('app'), 30);
    for (const name of STOP_ORDER) await o.target.stop(await o.target.find(name), 60);

    o.log(`==> ${SEED}: the backup in place of its data`);
    const binds = [`${dir}:/backup:ro`, ...(roll ? [`${roll.binlogs}:/binlogs:ro`] : [])];
    const env = [...(roll ? rollForwardEnv(roll) : []), ...(o.failAt === 'prepare' ? ['RESTORE_FAIL_AT=prepare'] : [])];
    const restored = await helper(o.target, await o.target.find(SEED), ['restore'], binds, env).catch(async (e: Error) => {
      // the script failed before it touched the old data (it works beside it)
      o.log(`    ${e.message}\n==> nothing was deleted: starting the nodes and the shop again`);
      await startInOrder(o, START_ORDER, false);
      throw e;
    });
    for (const line of restored.trim().split('\n')) o.log(`    ${line.replace(/\t/g, ' ')}`);

    o.log(`==> starting ${SEED} alone on the backup (${JOINERS.join(' and ')} keep the old data until it is proven)`);
    try {
      await o.target.start(await o.target.find(SEED));
      inject('first-start');
      await waitSynced(o.target, sql, SEED, bound);
      inject('sync');
      const wrong = roll ? [] : await mismatchesOn(sql, await o.target.find(SEED), m);
      inject('manifest');
      if (wrong.length > 0) throw new BackupError(`${SEED} does not hold the backup's data: ${wrong.join('; ')}`);
    } catch (e) {
      await rollBack(o, sql, bound, e as Error);
      throw new BackupError(`${(e as Error).message}\nthe restore was undone: the cluster holds the data it had before (${JOINERS.join(' and ')} kept it; ` +
        `${SEED}'s old data was replaced by the backup, and that copy deleted again when ${SEED} rejoined by SST); nothing else was deleted`);
    }

    // healthy, not only Synced: its accounts are on its environment's passwords too
    // (mariadb/account-passwords.sh), so a backup older than a password change cannot refuse
    // the joiners' SST with its old sst password
    await waitHealthy(o.target, SEED, bound);
    for (const name of JOINERS) {
      o.log(`==> ${name}: emptied, to join ${SEED} by SST`);
      await emptyNodeData(o.target, await o.target.find(name));
      await o.target.start(await o.target.find(name));
      await waitSynced(o.target, sql, name, bound);
    }
    const report = await finish(o, m, sql, counters, started, !roll, resumePaused);
    done = true;
    return roll ? { ...report, rolledForward: roll.describe } : report;
  } finally {
    if (!done) {
      // whatever failed, nothing the restore stopped stays stopped
      await startInOrder(o, START_ORDER, false).catch((e: Error) => o.log(`    could not start every node again: ${e.message}`));
      await startIfStopped(o, 'app').catch((e: Error) => o.log(`    could not start the shop again: ${e.message}`));
      await resumePaused().catch((e: Error) => o.log(`    ${e.message}`));
    }
  }
}

async function startIfStopped(o: RestoreOptions, name: string): Promise<boolean> {
  const c = await o.target.find(name);
  if (c.state === 'running') return false;
  await o.target.start(c);
  return true;
}

/** Starts the stopped ones of `names` in that order, each Synced before the next when `wait`. */
async function startInOrder(o: RestoreOptions, names: string[], wait = true, sql?: NodeSql, bound = 10 * 60_000): Promise<void> {
  for (const name of names) {
    if (!(await startIfStopped(o, name)) || !wait || sql === undefined) continue;
    await waitSynced(o.target, sql, name, bound);
  }
}

/** mariadb-1 failed on the backup: emptied, and the old cluster started from the node that left last. */
async function rollBack(o: RestoreOptions, sql: NodeSql, bound: number, cause: Error): Promise<void> {
  o.log(`    ${cause.message}\n==> undoing: ${SEED} emptied, the old cluster started from ${START_ORDER[0]}, ${SEED} rejoins it by SST`);
  await o.target.stop(await o.target.find(SEED), 60);
  await emptyNodeData(o.target, await o.target.find(SEED));
  // the node that left last first, and Synced before an empty mariadb-1 starts (which would
  // otherwise bootstrap a brand-new, empty cluster as the bootstrap candidate)
  await startInOrder(o, START_ORDER, true, sql, bound);
  await startIfStopped(o, 'app');
  await waitHealthy(o.target, 'app', 120_000);
}

/** After the data is in place: every node checked, the id counters kept ahead, the shop started. */
async function finish(
  o: RestoreOptions, m: BackupManifest, sql: NodeSql, counters: Map<string, number>, started: number, againstManifest: boolean, resumePaused: Resume,
): Promise<RestoreReport> {
  // checked before the shop starts: from then on its writes move the tables on
  o.log(againstManifest ? '==> checking every node against the manifest' : '==> checking that every node holds the same data');
  const mismatches: Record<string, string[]> = {};
  if (againstManifest) for (const name of GALERA_NODES) mismatches[name] = await mismatchesOn(sql, await o.target.find(name), m);
  const agree = await compareNodes(o.target, { database: m.database, attempts: 3 });
  for (const [name, list] of Object.entries(mismatches)) o.log(`    ${name}: ${list.length === 0 ? `all ${m.tables.length} tables exactly as in the backup` : `DIFFERS: ${list.join('; ')}`}`);
  o.log(`    nodes ${agree.consistent ? 'agree' : `DISAGREE on ${agree.divergences.map((d) => d.table).join(', ')}`}`);

  if (counters.size > 0) {
    o.log('==> id counters: never below where they were, so no acknowledged id is handed out again');
    for (const line of await keepCountersAhead(sql, await o.target.find(SEED), counters)) o.log(`    ${line}`);
  }

  // before the shop (and its relay) starts: what the restore took back is published again
  await alignPipeline(o.target, sql, await o.target.find(SEED), o.log);

  o.log('==> starting the shop');
  await o.target.start(await o.target.find('app'));
  await waitHealthy(o.target, 'app', 120_000);
  await resumePaused();
  const restoreSeconds = Math.round((Date.now() - started) / 1000);
  o.log(`==> restored in ${restoreSeconds} s (from the first stop to a healthy shop)`);
  return { id: o.id, restoreSeconds, mismatches, nodesAgree: agree.consistent };
}
