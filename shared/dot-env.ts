// The checkout's .env, read the way docker compose reads it (compose interpolates the
// compose file from it): every host tool that reaches the lab (the smartshop command, the
// bench, the tests) sees the same settings and passwords as the containers. A variable
// already set in the environment wins over the file, as it does for compose.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

type Env = Record<string, string | undefined>;

export const DOT_ENV_FILE = fileURLToPath(new URL('../.env', import.meta.url));

/** The file's variables; {} when there is no file. A file that cannot be parsed throws. */
export function readDotEnv(file: string = DOT_ENV_FILE): Record<string, string> {
  if (!existsSync(file)) return {};
  return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
}

/** Fills the variables `env` does not set (or sets empty) from the file; returns env. */
export function loadDotEnv<E extends Env>(env: E, file: string = DOT_ENV_FILE): E {
  for (const [name, value] of Object.entries(readDotEnv(file))) {
    if (env[name] === undefined || env[name] === '') (env as Env)[name] = value;
  }
  return env;
}
