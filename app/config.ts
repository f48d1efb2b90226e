// The app's settings, read once from the environment (names in the shared contract).
import { str, int, num, bool, ConfigError } from '../shared/env.ts';
import { brokerConfig, type BrokerConfig } from '../shared/broker.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface DbConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  poolSize: number;
  /**
   * Attempts of one database operation when its node went away, was evicted, aborted it or
   * timed out (DB_MAX_ATTEMPTS, default 3; 1 turns the retries off, only for the test that
   * proves a drill's client budget catches it).
   */
  maxAttempts?: number;
  /**
   * The account migrations run with (DDL on the shop schema), used only at start; the
   * runtime account above has DML only. Defaults to the runtime account, for a database
   * (a test's) that has a single user.
   */
  migration?: { user: string; password: string };
}

export interface AppConfig {
  /** API port; 0 = any free port. */
  port: number;
  /** Web UI port; null = no UI listener (env UI_PORT=0); 0 here means any free port. */
  uiPort: number | null;
  /** Address both listeners bind to. */
  host: string;
  /**
   * Host names answered besides IP literals and localhost (ALLOWED_HOSTS, comma-separated):
   * the compose service name Prometheus scrapes, a Swarm node's name. Any other name is a
   * 421, so a DNS-rebinding page cannot reach the shop (shared/web/site-guard.ts).
   */
  allowedHosts: string[];
  db: DbConfig;
  paymentSuccessRatio: number;
  errorInjectionEnabled: boolean;
  flags: {
    /** the flags file in flagd's format (FLAGS_FILE); unset = every fault flag off for good */
    file: string | undefined;
  };
  /** the lab console's address as the user's browser reaches it (CONSOLE_URL): the UI's
   * "Lab console" link goes there through GET /console; unset outside the lab */
  consoleUrl: string | undefined;
  metricsEnabled: boolean;
  requestLogging: boolean;
  logLevel: LogLevel;
  /** Largest accepted JSON body (express.json `limit`). */
  bodyLimit: string;
  idempotency: {
    /** How long a key's answer is kept for replays (IDEMPOTENCY_TTL_SECONDS, default 24 h). */
    ttlSeconds: number;
    /**
     * with-effects (always, in the lab): the key's record commits with the effects.
     * after-effects: the broken two-commit design, only for the shop-crash drill's own test.
     */
    commit: 'with-effects' | 'after-effects';
  };
  /**
   * after-confirm (always, in the lab): the relay marks outbox rows published once the broker
   * confirmed them. before-confirm: marked as soon as handed to the channel, without waiting
   * for the confirm (nor a return), the broken order only the judge's own test runs
   * (rabbitmq-partition).
   */
  relayMark: 'after-confirm' | 'before-confirm';
  /** Seconds between purges of expired keys and old stat buckets; 0 = never (tests). */
  purgeIntervalSeconds: number;
  /** The outbox relay's broker (RABBITMQ_HOSTS, the `shop` account); undefined = no relay
   * in this process: paid orders' events wait in the outbox (docs/fulfilment.md). */
  broker: BrokerConfig | undefined;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const logLevel = str(env, 'LOG_LEVEL', 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL=${logLevel} is not one of ${LOG_LEVELS.join(', ')}`);
  }
  const uiPort = int(env, 'UI_PORT', 3000, 0, 65535);
  const dbUser = str(env, 'DB_USER', 'smartshop');
  const dbPassword = str(env, 'DB_PASSWORD', '');
  return {
    port: int(env, 'PORT', 8000, 0, 65535),
    uiPort: uiPort === 0 ? null : uiPort,
    // this machine only unless told otherwise; the container sets HOST=0.0.0.0 and Docker
    // publishes the port on 127.0.0.1 (docker-compose.yml)
    host: str(env, 'HOST', '127.0.0.1'),
    allowedHosts: str(env, 'ALLOWED_HOSTS', '').split(',').map((h) => h.trim()).filter((h) => h !== ''),
    db: {
      host: str(env, 'DB_HOST', '127.0.0.1'),
      port: int(env, 'DB_PORT', 3306, 1, 65535),
      user: dbUser,
      password: dbPassword,
      database: str(env, 'DB_NAME', 'smartshop'),
      poolSize: int(env, 'DB_POOL_SIZE', 10, 1, 1000),
      // unset: the database layer's own default (MAX_ATTEMPTS in app/db/database.ts)
      maxAttempts: env.DB_MAX_ATTEMPTS === undefined ? undefined : int(env, 'DB_MAX_ATTEMPTS', 1, 1, 10),
      migration: { user: str(env, 'DB_MIGRATION_USER', dbUser), password: str(env, 'DB_MIGRATION_PASSWORD', dbPassword) },
    },
    paymentSuccessRatio: num(env, 'PAYMENT_SUCCESS_RATIO', 0.8, 0, 1),
    errorInjectionEnabled: bool(env, 'ERROR_INJECTION_ENABLED', false),
    flags: { file: env.FLAGS_FILE?.trim() || undefined },
    consoleUrl: consoleUrl(env),
    metricsEnabled: bool(env, 'METRICS_ENABLED', true),
    requestLogging: bool(env, 'REQUEST_LOGGING', true),
    logLevel: logLevel as LogLevel,
    bodyLimit: '10kb',
    idempotency: { ttlSeconds: int(env, 'IDEMPOTENCY_TTL_SECONDS', 86_400, 60, 30 * 86_400), commit: idempotencyCommit(env) },
    purgeIntervalSeconds: int(env, 'PURGE_INTERVAL_SECONDS', 60, 0, 86_400),
    broker: brokerConfig(env, 'shop'),
    relayMark: relayMark(env),
  };
}

function consoleUrl(env: Record<string, string | undefined>): string | undefined {
  const url = env.CONSOLE_URL?.trim();
  if (!url) return undefined;
  // only a plain http(s) origin: the shop sends browsers there
  if (!/^https?:\/\/[^\s/?#]+\/?$/.test(url)) throw new ConfigError(`CONSOLE_URL=${url} is not an http(s) address like http://127.0.0.1:9095`);
  return url.replace(/\/$/, '');
}

function relayMark(env: Record<string, string | undefined>): AppConfig['relayMark'] {
  const v = str(env, 'RELAY_MARK', 'after-confirm');
  if (v !== 'after-confirm' && v !== 'before-confirm') throw new ConfigError(`RELAY_MARK=${v} is not after-confirm or before-confirm`);
  return v;
}

function idempotencyCommit(env: Record<string, string | undefined>): AppConfig['idempotency']['commit'] {
  const v = str(env, 'IDEMPOTENCY_COMMIT', 'with-effects');
  if (v !== 'with-effects' && v !== 'after-effects') throw new ConfigError(`IDEMPOTENCY_COMMIT=${v} is not with-effects or after-effects`);
  return v;
}
