// Where the lab lives and how it is reached: compose project (or Swarm stack), host ports,
// the bind address, the durability profile (the host folders it mounts: paths.ts), all from
// the environment with the contract's defaults, so a test can run a second lab (its own
// project and ports) beside a user's.
import { fileURLToPath } from 'node:url';
import { bool, ConfigError, int, str } from '../shared/env.ts';
import { resolveBackTierPrefix } from './back-tier.ts';

export type Durability = 'strict' | 'relaxed' | 'fast';

interface LabPorts {
  api: number;
  ui: number;
  /** the edge (edge/): the shop's API and pages behind per-client rate limits */
  edge: number;
  mysql: number;
  haproxyStats: number;
  prometheus: number;
  alertmanager: number;
  console: number;
  grafana: number;
  /** RabbitMQ's management UI and API (rabbitmq-1; it shows the whole cluster) */
  rabbitmqManagement: number;
  /** RabbitMQ's Prometheus endpoint (rabbitmq-1) */
  rabbitmqMetrics: number;
}

export interface LabConfig {
  project: string;
  bind: string;
  durability: Durability;
  /** the nodes' binary log (point-in-time restore); BINLOG=off trades it for a little throughput */
  binlog: boolean;
  /** the backup service's schedule (BACKUP_INTERVAL_SECONDS; 0 = none): the test labs turn it
   * off, so a scheduled backup never lands in the middle of a drill's timing */
  backupIntervalSeconds: number;
  /** the back-tier's /24 (first three numbers): the Galera nodes' fixed addresses (back-tier.ts) */
  backTierPrefix: string;
  grafanaImage: string;
  /** ALERTMANAGER_PUBLISH: publish Alertmanager's UI (off: it answers any web page, CORS `*`) */
  publishAlertmanager: boolean;
  ports: LabPorts;
}

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const GALERA_NODES = ['mariadb-1', 'mariadb-2', 'mariadb-3'] as const;
const DURABILITIES: readonly Durability[] = ['strict', 'relaxed', 'fast'];
const DEFAULT_GRAFANA_IMAGE = 'grafana/grafana-oss:11.6.0';

type Env = Record<string, string | undefined>;

export function parseDurability(raw: string): Durability {
  const found = DURABILITIES.find((d) => d === raw);
  if (!found) throw new ConfigError(`durability must be one of ${DURABILITIES.join(', ')} (got '${raw}')`);
  return found;
}

function parseOnOff(name: string, raw: string): boolean {
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(`${name} must be on or off (got '${raw}')`);
  return raw === 'on';
}

/** BACKUP_INTERVAL_SECONDS, as the lab and its backup service read it (0: no schedule). */
export function parseBackupInterval(env: Env): number {
  const seconds = int(env, 'BACKUP_INTERVAL_SECONDS', 3600, 0, 31 * 86_400);
  if (seconds > 0 && seconds < 60) throw new ConfigError(`BACKUP_INTERVAL_SECONDS=${seconds}: a scheduled backup every less than a minute would never rest (0 turns the schedule off)`);
  return seconds;
}

export function resolveLabConfig(env: Env = process.env): LabConfig {
  const port = (name: string, fallback: number): number => int(env, name, fallback, 1, 65535);
  const project = str(env, 'COMPOSE_PROJECT_NAME', 'smartshop');
  return {
    project,
    bind: str(env, 'LAB_BIND', '127.0.0.1'),
    durability: parseDurability(str(env, 'DURABILITY', 'strict')),
    binlog: parseOnOff('BINLOG', str(env, 'BINLOG', 'on')),
    backupIntervalSeconds: parseBackupInterval(env),
    backTierPrefix: resolveBackTierPrefix(project, env, REPO_ROOT),
    grafanaImage: str(env, 'GRAFANA_IMAGE', DEFAULT_GRAFANA_IMAGE),
    publishAlertmanager: bool(env, 'ALERTMANAGER_PUBLISH', false),
    ports: {
      api: port('API_PORT', 8000),
      ui: port('UI_PORT', 3000),
      edge: port('EDGE_PORT', 8080),
      mysql: port('MYSQL_PORT', 3306),
      haproxyStats: port('HAPROXY_STATS_PORT', 8404),
      prometheus: port('PROMETHEUS_PORT', 9090),
      alertmanager: port('ALERTMANAGER_PORT', 9093),
      console: port('CONSOLE_PORT', 9095),
      grafana: port('GRAFANA_PORT', 3030),
      rabbitmqManagement: port('RABBITMQ_MANAGEMENT_PORT', 15672),
      rabbitmqMetrics: port('RABBITMQ_METRICS_PORT', 15692),
    },
  };
}

/** Host address to reach a published port (0.0.0.0 binds are reached on loopback). */
export function hostFor(config: LabConfig): string {
  return config.bind === '0.0.0.0' || config.bind === '' ? '127.0.0.1' : config.bind;
}

export function urls(config: LabConfig): Record<'ui' | 'api' | 'edge' | 'haproxyStats' | 'prometheus' | 'alertmanager' | 'console' | 'grafana' | 'rabbitmq', string> {
  const h = hostFor(config);
  return {
    ui: `http://${h}:${config.ports.ui}/`,
    api: `http://${h}:${config.ports.api}/`,
    edge: `http://${h}:${config.ports.edge}/`,
    haproxyStats: `http://${h}:${config.ports.haproxyStats}/`,
    prometheus: `http://${h}:${config.ports.prometheus}/`,
    alertmanager: `http://${h}:${config.ports.alertmanager}/`,
    console: `http://${h}:${config.ports.console}/`,
    grafana: `http://${h}:${config.ports.grafana}/`,
    rabbitmq: `http://${h}:${config.ports.rabbitmqManagement}/`,
  };
}
