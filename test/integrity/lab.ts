// The integrity tests' own lab stack: compose project smartshop-integrity on its own host
// ports, so it runs beside a user's stack and the other test stacks (+10000 chaos, +20000
// stack tests). Started once per test file (a stack already up is reused, which keeps a
// developer's loop short); torn down with its volumes unless INTEGRITY_KEEP_STACK=1.
// Two files use it and integration files run in two lanes (test/lanes.ts): a lock file
// makes the second wait until the first has taken the lab down.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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

const LOCK = join(tmpdir(), 'smartshop-integrity-lab.lock');
// inside the 15 min the files give their beforeAll: the other file holds the lab ~2 min
const LOCK_WAIT_MS = 8 * 60_000;

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the lab's lock (bounded); a lock left by a process that is gone is taken over. */
async function lockLab(): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = 0;
    try {
      holder = Number(readFileSync(LOCK, 'utf8'));
    } catch { /* released meanwhile */ }
    if (!alive(holder)) rmSync(LOCK, { force: true });
    else if (Date.now() > deadline) throw new Error(`the integrity lab is still held by process ${holder} after ${LOCK_WAIT_MS / 60_000} min (${LOCK})`);
    else await sleep(2_000);
  }
}

export async function integrityUp(): Promise<void> {
  await lockLab();
  await stackUp(integrityStack, { build: false, timeoutMs: 600_000, log });
}

export async function integrityDown(): Promise<void> {
  try {
    if (process.env.INTEGRITY_KEEP_STACK !== '1') await stackDown(integrityStack, { volumes: true, log });
  } finally {
    rmSync(LOCK, { force: true });
  }
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
