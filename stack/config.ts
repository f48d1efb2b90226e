// How compose runs the lab: its file, the images it builds, and the environment each
// compose command gets (the lab's settings from lab/config.ts).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEdgeLimitsFile } from '../edge/limits.ts';
import { urls, type LabConfig } from '../lab/index.ts';
import { backupsDir, flagsDir, reportsDir, textfileDir, toolSocketDir } from '../lab/paths.ts';

export const COMPOSE_FILE = fileURLToPath(new URL('../docker-compose.yml', import.meta.url));
/** Publishes Alertmanager, added only with ALERTMANAGER_PUBLISH=true (docs/operations.md). */
const ALERTMANAGER_PORT_FILE = fileURLToPath(new URL('../docker-compose.alertmanager.yml', import.meta.url));

/** The compose files of this lab, as `-f` arguments. */
export function composeFiles(config: LabConfig): string[] {
  return ['-f', COMPOSE_FILE, ...(config.publishAlertmanager ? ['-f', ALERTMANAGER_PORT_FILE] : [])];
}
/** The images the lab builds itself (the `image:` of every service with a `build:` in
 * docker-compose.yml; a unit test keeps the two in step). */
export const LAB_IMAGES = ['smartshop/mariadb:local', 'smartshop/monitoring:local', 'smartshop/haproxy:local', 'smartshop/app:local', 'smartshop/backup:local', 'smartshop/rabbitmq:local'] as const;

type Env = Record<string, string | undefined>;

const EDGE_DIR = fileURLToPath(new URL('../edge/', import.meta.url));

/**
 * A digest of what the edge reads from the checkout (edge/*.cfg, *.map, *.sh), passed to its
 * container: a change there makes `stack up` recreate the edge, as any changed setting does.
 * A reload by signal instead could reset a connection waiting in the old worker's queue.
 */
export function edgeConfigDigest(dir = EDGE_DIR): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).filter((f) => /\.(cfg|map|sh)$/.test(f)).sort()) hash.update(name).update('\0').update(readFileSync(join(dir, name))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/**
 * The limits file the edge will read (EDGE_LIMITS_FILE, a name in edge/), checked before the
 * edge starts: HAProxy would take a line it cannot parse as no limit, or not start. Throws
 * naming the file and line, as `smartshop limits reload` does.
 */
export function checkEdgeLimits(env: Env = process.env, dir = EDGE_DIR): void {
  readEdgeLimitsFile(env, dir);
}

/** The environment compose runs with: the caller's, plus the stack's settings. */
export function composeEnv(config: LabConfig, base: Env = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  return {
    ...env,
    COMPOSE_PROJECT_NAME: config.project,
    LAB_BIND: config.bind,
    DURABILITY: config.durability,
    BINLOG: config.binlog ? 'on' : 'off',
    BACKUP_INTERVAL_SECONDS: String(config.backupIntervalSeconds),
    LAB_BACK_TIER_PREFIX: config.backTierPrefix,
    GRAFANA_IMAGE: config.grafanaImage,
    API_PORT: String(config.ports.api),
    UI_PORT: String(config.ports.ui),
    EDGE_PORT: String(config.ports.edge),
    EDGE_CONFIG_DIGEST: edgeConfigDigest(),
    MYSQL_PORT: String(config.ports.mysql),
    HAPROXY_STATS_PORT: String(config.ports.haproxyStats),
    PROMETHEUS_PORT: String(config.ports.prometheus),
    ALERTMANAGER_PORT: String(config.ports.alertmanager),
    CONSOLE_PORT: String(config.ports.console),
    // where the shop's "Lab console" link sends the browser (a 0.0.0.0 bind is reached on loopback)
    CONSOLE_URL: urls(config).console.replace(/\/$/, ''),
    GRAFANA_PORT: String(config.ports.grafana),
    RABBITMQ_MANAGEMENT_PORT: String(config.ports.rabbitmqManagement),
    RABBITMQ_METRICS_PORT: String(config.ports.rabbitmqMetrics),
    LAB_TEXTFILE_DIR: textfileDir(config.project),
    LAB_RUN_DIR: toolSocketDir(config.project),
    LAB_FLAGS_DIR: flagsDir(config.project),
    LAB_REPORTS_DIR: reportsDir(),
    LAB_BACKUP_DIR: backupsDir(config.project, base),
  };
}
