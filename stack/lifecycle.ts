// `stack up | down | status | logs`: host checks, base images, build, start with
// visible progress, stop in an order that lets the cluster re-form by itself.
import { execFile, spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { prepareFlags } from './flags.ts';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { nodeStates } from './cluster.ts';
import { composeCapture, composeCommand, composeInherit } from './compose.ts';
import { forgetConsistency } from './consistency-metric.ts';
import { upgradeAccounts } from './accounts.ts';
import { DB_ACCOUNT_SECRETS, ensureLabSecrets, renewSecrets } from './secrets.ts';
import { passwordsExposedFile, purgeClearPasswords } from './binlog-secrets.ts';
import { ensureQueueReplicas } from './broker-queues.ts';
import { LAB_IMAGES, checkEdgeLimits } from './config.ts';
import { ComposeTarget, describeNodeState, docker, hostFor, engineReachable, settleBackTierPrefix, GALERA_NODES, imageExists, REPO_ROOT, urls, type LabConfig } from '../lab/index.ts';
import { backupsDir, reportsDir, textfileDir, toolSocketDir } from '../lab/paths.ts';
import { BROKER_NODES } from '../lab/broker.ts';
import { durabilityFromFlush } from './parse.ts';
import { waitUntilReady, type Readiness } from './readiness.ts';
import { pollUntil } from '../shared/time.ts';

type Log = (line: string) => void;
const execFileP = promisify(execFile);
const BASE_IMAGES = ['debian:bookworm-slim', 'node:20-bookworm-slim'];
const BASE_SCRIPT = fileURLToPath(new URL('../scripts/build-base-images.sh', import.meta.url));

export class StackError extends Error {}

export async function hostChecks(): Promise<void> {
  if (!(await engineReachable())) {
    throw new StackError('the Docker engine is not reachable. Run `sudo scripts/host-setup.sh` (Debian: installs and starts it), or start Docker yourself.');
  }
  if (!(await composeCommand())) {
    throw new StackError('docker compose is missing. Run `sudo scripts/host-setup.sh`, or install Compose v2.');
  }
}

function runScript(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path], { stdio: 'inherit', cwd: REPO_ROOT });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function ensureBaseImages(log: Log): Promise<void> {
  const missing: string[] = [];
  for (const image of BASE_IMAGES) if (!(await imageExists(image))) missing.push(image);
  if (missing.length === 0) return;
  log(`==> base images missing (${missing.join(', ')}): scripts/build-base-images.sh`);
  if ((await runScript(BASE_SCRIPT)) !== 0) throw new StackError('building the base images failed (see above)');
}

/** Grafana's official image is the one thing pulled from a registry: try once, bounded. */
async function grafanaAvailable(config: LabConfig, log: Log): Promise<boolean> {
  if (await imageExists(config.grafanaImage)) return true;
  log(`==> trying to pull ${config.grafanaImage} (Grafana is optional)`);
  try {
    await execFileP('docker', ['pull', config.grafanaImage], { timeout: 120_000 });
    return true;
  } catch {
    return false;
  }
}

export interface UpOptions {
  /** true: rebuild (cached layers make it quick); false: build only the lab images that are missing. */
  build: boolean;
  timeoutMs: number;
  log: Log;
}

/**
 * Host checks, base images, then the lab images (compose and Swarm run the same ones).
 * Without its images `up --no-build` (or `docker stack deploy`) would try a registry and
 * fail, so a lab image that is missing is built even when the caller asked for no build.
 */
export async function prepareImages(config: LabConfig, build: boolean, log: Log): Promise<void> {
  log(`==> stack ${config.project}: host checks`);
  await hostChecks();
  await ensureBaseImages(log);
  const missing: string[] = [];
  for (const image of LAB_IMAGES) if (!(await imageExists(image))) missing.push(image);
  if (build || missing.length > 0) {
    log(`==> building images (docker compose build)${missing.length > 0 ? `: missing ${missing.join(', ')}` : ''}`);
    if ((await composeInherit(config, ['build'])) !== 0) throw new StackError('docker compose build failed (see above)');
  }
}

export async function stackUp(requested: LabConfig, options: UpOptions): Promise<void> {
  const { log } = options;
  const started = Date.now();
  // before anything starts: a limits file the edge cannot read is named with its line here
  checkEdgeLimits();
  await prepareImages(requested, options.build, log);
  const backTier = await settleBackTierPrefix(docker(), requested.project, requested.backTierPrefix, process.env, REPO_ROOT);
  const config = { ...requested, backTierPrefix: backTier.prefix };
  if (backTier.stale) {
    // the network must be replaced to get a subnet, and its containers with it; the ordered
    // stop lets the cluster re-form by itself (measured: a lab made at 3add15b, data kept)
    log(`==> the lab's back-tier network predates its own subnet (${backTier.prefix}.0/24, fixed Galera addresses): recreating containers and networks, data volumes kept`);
    await stackDown(config, { volumes: false, log });
  }
  const grafana = await grafanaAvailable(config, log);
  // node-exporter, Prometheus and the console mount these folders; created here, they belong
  // to the user (Docker would create missing ones owned by root, and `stack verify` could not
  // write its result, the simulator its metrics socket, nor a drill its report)
  for (const dir of [textfileDir(config.project), toolSocketDir(config.project), backupsDir(config.project), reportsDir()]) {
    await mkdir(dir, { recursive: true }).catch((e: unknown) => {
      log(`warning: could not create ${dir} (${(e as Error).message}): results and tool metrics there will not reach Prometheus`);
    });
  }
  await prepareFlags(config.project).catch((e: unknown) => {
    log(`warning: could not prepare the fault flags file (${(e as Error).message}): \`smartshop flags\` will not work`);
  });
  await rollNodesForChangedPasswords(config, options);
  let result = await startContainers(config, grafana, options, started);
  await upgradeAccounts(config, log);
  if (await purgeClearPasswords(config, log)) result = (await renewExposedPasswords(config, grafana, options, started)) ?? result;
  await ensureQueueReplicas(config, log).catch((e: unknown) => {
    log(`warning: could not check the fulfilment queues' replicas (${(e as Error).message}); \`smartshop stack status\` shows them`);
  });
  const u = urls(config);
  // A running lab keeps its containers when nothing in the compose file changed, but the
  // checkout's rules and routes (bind-mounted) may have: Prometheus and Alertmanager reload
  // them on SIGHUP.
  if ((await composeCapture(config, ['kill', '-s', 'SIGHUP', 'prometheus', 'alertmanager']).then(() => true, () => false)) === false) {
    log('warning: could not signal Prometheus and Alertmanager to reload their configuration; `smartshop stack logs prometheus` says why');
  }
  log(`==> lab ready in ${Math.round((Date.now() - started) / 1000)} s`);
  // people come in through the edge, as a shop's users would; the shop's own ports are for
  // the tools that measure it (the simulator's default, the drills, the load test)
  log(`  Shop:          ${u.edge}  (web UI; the API under ${u.edge}api/; through the edge, with per-client rate limits: \`smartshop limits show\`)`);
  log(`  Lab console:   ${u.console}  (fault flags, nodes, HAProxy, the drill, alerts, drill reports)`);
  log(`  Shop itself:   UI ${u.ui}, API ${u.api} (/metrics); behind the edge, for the simulator, the drills and the load test`);
  log(`  HAProxy stats: ${u.haproxyStats}  (metrics: ${u.haproxyStats}metrics)`);
  log(`  Prometheus:    ${u.prometheus}`);
  log(config.publishAlertmanager
    ? `  Alertmanager:  ${u.alertmanager}  (notifications it sent: ${u.console}notifications)`
    : `  Alertmanager:  its alerts at ${u.console}alertmanager/api/v2/alerts, the notifications it sent at ${u.console}notifications ` +
      '(its UI is not published: it answers any web page; ALERTMANAGER_PUBLISH=true in .env publishes it)');
  log(grafana ? `  Grafana:       ${u.grafana}` : `  Grafana:       not started (image ${config.grafanaImage} not available offline)`);
  log(`  RabbitMQ:      ${u.rabbitmq}  (user admin, password RABBITMQ_ADMIN_PASSWORD in .env; metrics: http://${hostFor(config)}:${config.ports.rabbitmqMetrics}/metrics)`);
  log(`  MySQL via HAProxy: ${config.bind}:${config.ports.mysql}`);
  const every = config.backupIntervalSeconds;
  log(`  Backups:       ${backupsDir(config.project)}  (${every > 0 ? `mariadb-3 every ${every >= 3600 && every % 3600 === 0 ? `${every / 3600} h` : `${every} s`}` : 'no schedule'}; \`smartshop backup list\`)`);
  for (const n of result.nodes) log(`  ${describeNodeState(n)}`);
}

/**
 * `compose up -d` with progress, bounded; throws when the lab is not healthy in time. Compose
 * recreates every container whose configuration changed (a durability profile, a password).
 */
async function startContainers(config: LabConfig, grafana: boolean, options: UpOptions, started: number): Promise<Readiness> {
  const { log } = options;
  log(`==> starting containers (durability ${config.durability}, binary log ${config.binlog ? 'on' : 'off'})`);
  // `up -d` itself waits on the healthchecks of dependencies; progress is printed
  // meanwhile by polling, and the wait is bounded below whatever compose does.
  let upExit: number | undefined;
  const up = composeInherit(config, ['up', '-d', '--no-build', '--remove-orphans'], grafana ? ['grafana'] : [])
    .then((code) => { upExit = code; });
  const startedUp = Date.now();
  const progress = (line: string): void => log(`[+${String(Math.round((Date.now() - startedUp) / 1000)).padStart(3)}s]${line}`);
  let result = await waitUntilReady(config, {
    timeoutMs: options.timeoutMs,
    log: progress,
    isAborted: () => (upExit !== undefined && upExit !== 0 ? `docker compose up exited ${upExit}` : undefined),
  });
  if (result.ready) {
    // On a running lab the first poll can see the old containers healthy while compose is
    // still recreating them (a changed durability profile): judge again once compose is done.
    await up;
    if (upExit !== 0) throw new StackError(`docker compose up exited ${upExit} (see above)`);
    result = await waitUntilReady(config, { timeoutMs: Math.max(60_000, options.timeoutMs - (Date.now() - startedUp)), log: progress });
  }
  if (!result.ready) {
    throw new StackError(`the lab is not healthy after ${Math.round((Date.now() - started) / 1000)} s:\n  - ${result.problems.join('\n  - ')}\n` +
      'Look at `smartshop stack logs <service>` (for example mariadb-1) and `smartshop stack status`.');
  }
  return result.last;
}

/**
 * The accounts' passwords were in a binary log (an old lab): new ones in .env, then the
 * containers that use them recreated: the Galera nodes one at a time (each Synced and on its
 * new passwords before the next: mariadb/account-passwords.sh), then the rest. Until the shop
 * is recreated too, its new connections are refused by the nodes already done.
 */
async function renewExposedPasswords(config: LabConfig, grafana: boolean, options: UpOptions, started: number): Promise<Readiness | undefined> {
  let renewal: ReturnType<typeof renewSecrets>;
  try {
    renewal = renewSecrets(DB_ACCOUNT_SECRETS);
  } catch (e) {
    // the lab keeps working on the exposed passwords; the next `stack up` tries again (passwords-exposed)
    options.log(`warning: the exposed passwords were not renewed: ${(e as Error).message}`);
    return undefined;
  }
  const { renewed, byHand } = renewal;
  if (byHand.length > 0) {
    options.log(`warning: ${byHand.join(', ')} come(s) from the environment, not .env: give them new values there; each node takes them at its next start`);
  }
  if (renewed.length === 0) {
    await rm(passwordsExposedFile(config), { force: true });
    return undefined;
  }
  options.log(`==> renewed ${renewed.join(', ')} in .env (never printed): recreating the containers that use them, the Galera nodes one at a time; ` +
    'each node changes its accounts to them once Synced. Other labs of this checkout take them at their next `stack up`.');
  await recreateNodesInTurn(config, options);
  const ready = await startContainers(config, grafana, options, started);
  await rm(passwordsExposedFile(config), { force: true });
  return ready;
}

/** The Galera nodes recreated one at a time, mariadb-3 first, each healthy (Synced, its
 * accounts on its environment's passwords) before the next: the cluster stays up. */
async function recreateNodesInTurn(config: LabConfig, options: UpOptions): Promise<void> {
  const lab = new ComposeTarget(config.project);
  for (const node of [...GALERA_NODES].reverse()) {
    options.log(`==> ${node}: recreated with its new passwords`);
    if ((await composeInherit(config, ['up', '-d', '--no-deps', '--no-build', node])) !== 0) throw new StackError(`docker compose up ${node} failed (see above)`);
    const healthy = await pollUntil(Date.now() + options.timeoutMs, 1_000, async () =>
      // Docker's health is all this waits on: no SQL to the other nodes every second
      ((await lab.find(node).catch(() => undefined))?.health === 'healthy' ? true : undefined));
    if (!healthy) throw new StackError(`${node} is not healthy ${Math.round(options.timeoutMs / 1000)} s after it was recreated: \`smartshop stack logs ${node}\` says why`);
  }
}

/** Where each database password is in a Galera container's environment (docker-compose.yml's x-galera-env). */
const GALERA_ENV_NAME: Record<(typeof DB_ACCOUNT_SECRETS)[number], string> = {
  MARIADB_ROOT_PASSWORD: 'MARIADB_ROOT_PASSWORD',
  DB_PASSWORD: 'MARIADB_PASSWORD',
  DB_MIGRATION_PASSWORD: 'MARIADB_MIGRATION_PASSWORD',
  MARIADB_SST_PASSWORD: 'MARIADB_SST_PASSWORD',
  MARIADB_EXPORTER_PASSWORD: 'MARIADB_EXPORTER_PASSWORD',
  MARIADB_BACKUP_PASSWORD: 'MARIADB_BACKUP_PASSWORD',
};

/**
 * A database password changed in .env since the running nodes were made: compose would
 * recreate all three at once (a full restart of the cluster), so they are recreated one at a
 * time first. Only for a running, healthy cluster; anything else starts as it would have.
 */
async function rollNodesForChangedPasswords(config: LabConfig, options: UpOptions): Promise<void> {
  const lab = new ComposeTarget(config.project);
  const nodes = await Promise.all(GALERA_NODES.map((n) => lab.find(n).catch(() => undefined)));
  const first = nodes[0];
  if (first === undefined || nodes.some((n) => n === undefined || n.state !== 'running' || n.health !== 'healthy')) return;
  const env = await lab.envOf(first).catch(() => undefined);
  if (env === undefined) return;
  await ensureLabSecrets(config.project); // .env's passwords in process.env, as compose will see them
  const changed = DB_ACCOUNT_SECRETS.filter((n) => (process.env[n] ?? '') !== (env[GALERA_ENV_NAME[n]] ?? ''));
  if (changed.length === 0) return;
  options.log(`==> ${changed.join(', ')} changed since the nodes were made: recreating them one at a time (each gives its accounts the new passwords once Synced)`);
  await recreateNodesInTurn(config, options);
}

export async function stackDown(config: LabConfig, options: { volumes: boolean; log: Log }): Promise<void> {
  await hostChecks();
  // Stop the Galera nodes one by one, mariadb-1 last: the last node to leave writes
  // safe_to_bootstrap: 1, so the next `up` re-forms the cluster with no manual step.
  options.log('==> stopping the edge, the shop, HAProxy and monitoring');
  const others = ['edge', 'backup', 'app', 'worker', 'haproxy', 'prometheus', 'alertmanager', 'console', 'grafana', 'mysqld-exporter-1', 'mysqld-exporter-2', 'mysqld-exporter-3', 'node-exporter'];
  await composeInherit(config, ['stop', ...others], ['grafana']);
  // the brokers one by one too, rabbitmq-1 last: the last node to stop is the one the others
  // wait for when they start again
  options.log('==> stopping RabbitMQ (rabbitmq-3, rabbitmq-2, rabbitmq-1)');
  for (const node of [...BROKER_NODES].reverse()) await composeInherit(config, ['stop', node]);
  for (const node of [...GALERA_NODES].reverse()) {
    options.log(`==> stopping ${node}`);
    await composeInherit(config, ['stop', '-t', '60', node]);
  }
  options.log(options.volumes ? '==> removing containers, networks AND DATA VOLUMES' : '==> removing containers and networks (data volumes kept)');
  const down = ['--profile', 'grafana', 'down', '--remove-orphans', ...(options.volumes ? ['--volumes'] : [])];
  const code = await composeInherit(config, down);
  if (code !== 0) {
    // Seen once in CI after a down-then-up: the engine still finishing a removal. Compose's
    // reason is above; a second try after a pause, with its output kept, either clears it or
    // says why in the error itself (a CI log shows errors, not always the lines before them).
    options.log(`==> docker compose down exited ${code}; trying once more in 5 s`);
    await new Promise((r) => setTimeout(r, 5_000));
    try {
      await composeCapture(config, down, 180_000);
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      const left = await composeCapture(config, ['--profile', 'grafana', 'ps', '-a']).catch(() => '');
      throw new StackError(`docker compose down failed twice: ${(err.stderr || err.message).trim().split('\n').slice(-8).join('\n')}${left ? `\nstill there:\n${left}` : ''}`);
    }
  }
  // the last consistency result described data that no longer exists
  if (options.volumes) await forgetConsistency(config).catch(() => undefined);
}

export async function stackStatus(config: LabConfig, log: Log): Promise<void> {
  await hostChecks();
  const nodes = await nodeStates(config);
  const profiles = new Set(nodes.map((n) => n.flushLogAtTrxCommit).filter(Boolean).map(durabilityFromFlush));
  log(`stack ${config.project}`);
  log(`durability profile: ${profiles.size === 0 ? 'unknown (no node answers)' : [...profiles].join(', ')}`);
  for (const n of nodes) log(`  ${describeNodeState(n)}  [health ${n.health ?? 'none'}]`);
  log(await composeCapture(config, ['--profile', 'grafana', 'ps', '-a']));
}

export async function stackLogs(config: LabConfig, services: string[], options: { follow: boolean; tail: string }): Promise<number> {
  await hostChecks();
  return composeInherit(config, ['logs', '--tail', options.tail, ...(options.follow ? ['-f'] : []), ...services], ['grafana']);
}
