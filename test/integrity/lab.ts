// The integrity tests' own lab stack: compose project smartshop-integrity on its own host
// ports, so it runs beside a user's stack and the other test stacks (+10000 chaos, +20000
// stack tests). Started once per test file (a stack already up is reused, which keeps a
// developer's loop short); torn down with its volumes unless INTEGRITY_KEEP_STACK=1.
import { loadConfig, type AppConfig } from '../../app/config.ts';
import { stackDown, stackUp } from '../../stack/index.ts';
import { resolveLabConfig } from '../../lab/index.ts';
import type { LabConfig } from '../../lab/index.ts';
import { credentialsFromEnv } from '../../lab/index.ts';

export const integrityStack: LabConfig = resolveLabConfig({
  COMPOSE_PROJECT_NAME: 'smartshop-integrity',
  API_PORT: '18100',
  UI_PORT: '13100',
  MYSQL_PORT: '13406',
  HAPROXY_STATS_PORT: '18504',
  PROMETHEUS_PORT: '19190',
  GRAFANA_PORT: '13130',
  ALERTMANAGER_PORT: '19193',
  ALERT_RECORDER_PORT: '19195', RABBITMQ_MANAGEMENT_PORT: '19772', RABBITMQ_METRICS_PORT: '19792',
  // Grafana is not needed here; a name that cannot be pulled skips it at once.
  GRAFANA_IMAGE: 'smartshop-integrity/no-grafana:none',
  // No scheduled backup: one landing in a drill would take its load and timing (the stack
  // test runs the schedule; the drills take their own backups).
  BACKUP_INTERVAL_SECONDS: '0',
});

/** The stack's application account, from .env as compose reads it (test/lab-env.ts loads it). */
export const DB_CREDENTIALS = credentialsFromEnv();

const log = (line: string): void => {
  if (process.env.INTEGRITY_VERBOSE) console.log(line);
};

export async function integrityUp(): Promise<void> {
  await stackUp(integrityStack, { build: false, timeoutMs: 600_000, log });
}

export async function integrityDown(): Promise<void> {
  if (process.env.INTEGRITY_KEEP_STACK === '1') return;
  await stackDown(integrityStack, { volumes: true, log });
}

/** The real shop, run in-process by the test, against the stack's HAProxy MySQL port. */
export function shopAgainstStack(poolSize = 10): AppConfig {
  const base = loadConfig({});
  return {
    ...base,
    host: '127.0.0.1',
    port: 0,
    uiPort: null,
    errorInjectionEnabled: false,
    requestLogging: false,
    logLevel: 'silent',
    db: { host: '127.0.0.1', port: integrityStack.ports.mysql, ...DB_CREDENTIALS, poolSize },
  };
}
