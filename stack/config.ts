// Where the lab stack lives and how it is reached: compose project, host ports and
// the bind address, all from the environment with the contract's defaults, so a
// test can run a second stack (its own project and ports) beside a user's.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, int, str } from '../shared/env.ts';
import type { Durability, StackConfig } from './types.ts';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const COMPOSE_FILE = fileURLToPath(new URL('../docker-compose.yml', import.meta.url));
export const GALERA_NODES = ['mariadb-1', 'mariadb-2', 'mariadb-3'] as const;
export const DURABILITIES: readonly Durability[] = ['strict', 'relaxed', 'fast'];
/** The images the lab builds itself (the `image:` of every service with a `build:` in
 * docker-compose.yml; a unit test keeps the two in step). */
export const LAB_IMAGES = ['smartshop/mariadb:local', 'smartshop/monitoring:local', 'smartshop/haproxy:local', 'smartshop/app:local'] as const;
export const DEFAULT_GRAFANA_IMAGE = 'grafana/grafana-oss:11.6.0';

type Env = Record<string, string | undefined>;

/** Host folder node-exporter's textfile collector reads for this compose project (mounted
 * read-only at /textfile): results of batch checks such as `stack verify` are written there.
 * One folder per project, so the stacks tests run side by side never read each other's. */
export function textfileDir(project: string, root: string = REPO_ROOT): string {
  return join(root, '.lab', project, 'textfile');
}

/**
 * Host folder of the sockets the host tools serve their metrics on (mounted read-only in
 * the Prometheus container at /run/lab-tools, relayed there: shared/tool-metrics.ts).
 */
export function toolSocketDir(project: string, root: string = REPO_ROOT): string {
  return join(root, '.lab', project, 'run');
}

/** The socket `tool` (simulator, chaos) serves its metrics on for Prometheus. */
export function toolSocket(project: string, tool: 'simulator' | 'chaos', root: string = REPO_ROOT): string {
  return join(toolSocketDir(project, root), `${tool}.sock`);
}

/** The socket of `tool` for the lab this environment names (COMPOSE_PROJECT_NAME). */
export function labToolSocket(tool: 'simulator' | 'chaos', env: Env = process.env): string {
  return toolSocket(str(env, 'COMPOSE_PROJECT_NAME', 'smartshop'), tool);
}

export function parseDurability(raw: string): Durability {
  const found = DURABILITIES.find((d) => d === raw);
  if (!found) throw new ConfigError(`durability must be one of ${DURABILITIES.join(', ')} (got '${raw}')`);
  return found;
}

export function resolveStackConfig(env: Env = process.env): StackConfig {
  const port = (name: string, fallback: number): number => int(env, name, fallback, 1, 65535);
  return {
    project: str(env, 'COMPOSE_PROJECT_NAME', 'smartshop'),
    bind: str(env, 'LAB_BIND', '127.0.0.1'),
    durability: parseDurability(str(env, 'DURABILITY', 'strict')),
    grafanaImage: str(env, 'GRAFANA_IMAGE', DEFAULT_GRAFANA_IMAGE),
    ports: {
      api: port('API_PORT', 8000),
      ui: port('UI_PORT', 3000),
      mysql: port('MYSQL_PORT', 3306),
      haproxyStats: port('HAPROXY_STATS_PORT', 8404),
      prometheus: port('PROMETHEUS_PORT', 9090),
      grafana: port('GRAFANA_PORT', 3030),
    },
  };
}

/** The environment compose runs with: the caller's, plus the stack's settings. */
export function composeEnv(config: StackConfig, base: Env = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  return {
    ...env,
    COMPOSE_PROJECT_NAME: config.project,
    LAB_BIND: config.bind,
    DURABILITY: config.durability,
    GRAFANA_IMAGE: config.grafanaImage,
    API_PORT: String(config.ports.api),
    UI_PORT: String(config.ports.ui),
    MYSQL_PORT: String(config.ports.mysql),
    HAPROXY_STATS_PORT: String(config.ports.haproxyStats),
    PROMETHEUS_PORT: String(config.ports.prometheus),
    GRAFANA_PORT: String(config.ports.grafana),
    LAB_TEXTFILE_DIR: textfileDir(config.project),
    LAB_RUN_DIR: toolSocketDir(config.project),
  };
}

/** Host address to reach a published port (0.0.0.0 binds are reached on loopback). */
export function hostFor(config: StackConfig): string {
  return config.bind === '0.0.0.0' || config.bind === '' ? '127.0.0.1' : config.bind;
}

export function urls(config: StackConfig): Record<'ui' | 'api' | 'haproxyStats' | 'prometheus' | 'grafana', string> {
  const h = hostFor(config);
  return {
    ui: `http://${h}:${config.ports.ui}/`,
    api: `http://${h}:${config.ports.api}/`,
    haproxyStats: `http://${h}:${config.ports.haproxyStats}/`,
    prometheus: `http://${h}:${config.ports.prometheus}/`,
    grafana: `http://${h}:${config.ports.grafana}/`,
  };
}
