// The integrity tests' lab: the one they share with the drills (test/shared-lab.ts), started
// by the first file that needs it (a lab already up is reused) and removed after the last.
import { loadConfig, type AppConfig } from '../../app/config.ts';
import { stackUp } from '../../stack/index.ts';
import { SHARED_LAB_ENV } from '../shared-lab.ts';
import { resolveLabConfig } from '../../lab/index.ts';
import type { LabConfig } from '../../lab/index.ts';
import { credentialsFromEnv } from '../../lab/node-connections.ts';

// exactly the drills' configuration: a different one would make `stack up` recreate containers
export const integrityStack: LabConfig = resolveLabConfig({ ...process.env, ...SHARED_LAB_ENV });

/** The stack's application account, from .env as compose reads it (test/lab-env.ts loads it). */
export const DB_CREDENTIALS = credentialsFromEnv();

const log = (line: string): void => {
  if (process.env.INTEGRITY_VERBOSE) console.log(line);
};

export async function integrityUp(): Promise<void> {
  await stackUp(integrityStack, { build: false, timeoutMs: 600_000, log });
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
