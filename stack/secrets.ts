// The lab's passwords. docker-compose.yml has no defaults for them (a default password is
// the same on every laptop that runs the lab): the first compose command writes random ones
// into the checkout's .env, mode 0600, and never prints them; compose, the containers and
// every host tool read them from there (shared/dot-env.ts). A value set in the environment
// or already in .env is kept.
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { DOT_ENV_FILE, loadDotEnv } from '../shared/dot-env.ts';
import { ComposeTarget, docker } from '../lab/index.ts';

type Env = Record<string, string | undefined>;

/** The passwords of the Galera nodes' accounts: each node's entrypoint gives its accounts the
 * ones in its environment at every start (mariadb/account-passwords.sh). */
export const DB_ACCOUNT_SECRETS = [
  'MARIADB_ROOT_PASSWORD',
  'DB_PASSWORD',
  'DB_MIGRATION_PASSWORD',
  'MARIADB_SST_PASSWORD',
  'MARIADB_EXPORTER_PASSWORD',
  'MARIADB_BACKUP_PASSWORD',
] as const;

/** Every password the lab's compose file requires. */
export const SECRET_NAMES = [
  ...DB_ACCOUNT_SECRETS,
  'GRAFANA_ADMIN_PASSWORD',
  // Alertmanager's bearer token for the console's webhook (Alertmanager's notifications)
  'ALERT_WEBHOOK_TOKEN',
  // RabbitMQ: the nodes' shared Erlang cookie and one account per client (docs/fulfilment.md)
  'RABBITMQ_COOKIE',
  'RABBITMQ_ADMIN_PASSWORD',
  'RABBITMQ_SHOP_PASSWORD',
  'RABBITMQ_WORKER_PASSWORD',
] as const;

/**
 * What a lab created before the passwords were random was initialised with (the old
 * defaults, one account for the shop): a database keeps the passwords it was created with,
 * so such a lab keeps them until its volumes are deleted.
 */
export const LEGACY_VALUES: Record<string, string> = {
  MARIADB_ROOT_PASSWORD: 'smartshop-root',
  DB_PASSWORD: 'smartshop',
  DB_MIGRATION_USER: 'smartshop',
  DB_MIGRATION_PASSWORD: 'smartshop',
  MARIADB_SST_PASSWORD: 'smartshop-sst',
  MARIADB_EXPORTER_PASSWORD: 'smartshop-exporter',
  GRAFANA_ADMIN_PASSWORD: 'smartshop',
};

/** 32 characters from [A-Za-z0-9_-]: safe unquoted in .env, a DSN, SQL and a shell. */
function randomPassword(): string {
  return randomBytes(24).toString('base64url');
}

export interface SecretsOptions {
  env?: Env;
  file?: string;
  /** the passwords an existing lab of the project was created with (read from its containers) */
  adopt?: Record<string, string>;
  /** true when the project's Galera volumes exist but no container tells their passwords:
   * they predate random passwords (see LEGACY_VALUES) */
  legacyData?: boolean;
  log?: (line: string) => void;
}

/** The secrets neither env nor the file sets (env is filled from the file first). */
export function missingSecrets(env: Env = process.env, file: string = DOT_ENV_FILE): string[] {
  loadDotEnv(env, file);
  return SECRET_NAMES.filter((name) => unset(env, name));
}

const unset = (env: Env, name: string): boolean => env[name] === undefined || env[name] === '';

/** A lab from before the split accounts: its shop account ran the migrations, so it is the migration account too. */
function preSplitMigrationAccount(shopUser: string | undefined, shopPassword: string | undefined): Record<'DB_MIGRATION_USER' | 'DB_MIGRATION_PASSWORD', string> {
  return { DB_MIGRATION_USER: shopUser || 'smartshop', DB_MIGRATION_PASSWORD: shopPassword ?? '' };
}

/** The names written (values never returned nor printed). Loads .env into env first. */
export function ensureSecrets(options: SecretsOptions = {}): string[] {
  const { env = process.env, file = DOT_ENV_FILE, adopt = {}, legacyData = false, log = (l: string) => console.error(l) } = options;
  const missing = missingSecrets(env, file);
  if (missing.length === 0) return [];
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(adopt)) if (unset(env, name) && value !== '') values[name] = value;
  if (legacyData) {
    const legacy = { ...LEGACY_VALUES, ...preSplitMigrationAccount(env.DB_USER, env.DB_PASSWORD || 'smartshop') };
    for (const [name, value] of Object.entries(legacy)) if (unset(env, name) && values[name] === undefined) values[name] = value;
  }
  for (const name of missing) values[name] ??= randomPassword();
  const existed = existsSync(file);
  const before = existed ? readFileSync(file, 'utf8') : '';
  const adopted = Object.keys(adopt).length > 0 || legacyData;
  const header = adopted
    ? '# The passwords this lab\'s data was created with (read from its containers, or the old defaults).\n' +
      '# For new random ones: `make down ARGS=--volumes`, delete these lines, `make up`.\n'
    : '# Random passwords written by the first `make up` (stack/secrets.ts); keep this file private.\n';
  const lines = Object.entries(values).map(([name, value]) => `${name}=${value}`).join('\n');
  // an .env copied from .env.example (0644) holds passwords from now on: private, always,
  // and before the first one is written (appendFileSync's mode applies only to a new file)
  if (existed) chmodSync(file, 0o600);
  appendFileSync(file, `${before === '' || before.endsWith('\n') ? '' : '\n'}${header}${lines}\n`, { mode: 0o600 });
  Object.assign(env, values);
  const names = Object.keys(values);
  log(legacyData
    ? `==> this lab's data was created with the old default passwords: wrote them into ${file} (${names.join(', ')}); ` +
      '`make down ARGS=--volumes` then `make up` recreates it with random passwords and the DML-only shop account'
    : adopted
      ? `==> wrote the passwords of the lab's existing containers into ${file} (${names.join(', ')}); they are never printed`
      : `==> wrote random passwords into ${file} (${names.join(', ')}); they are never printed, read them there`);
  return names;
}

export interface Renewal {
  /** rewritten in .env and env */
  renewed: string[];
  /** set in the environment, not (or not so) in .env: the next command would bring the old value back */
  byHand: string[];
}

/**
 * New random values for `names` in .env and in env. Each `NAME=` line is rewritten in place
 * and the file replaced at once (a temporary file renamed over it, mode 0600), so a crash
 * leaves the old file or the new one, never half of it. Only names whose value comes from
 * .env are renewed: one set in the environment wins over the file (as for compose).
 */
export function renewSecrets(names: readonly string[], options: { env?: Env; file?: string } = {}): Renewal {
  const { env = process.env } = options;
  // no .env: every password comes from the environment
  if (!existsSync(options.file ?? DOT_ENV_FILE)) return { renewed: [], byHand: names.filter((n) => !unset(env, n)) };
  // a symlinked .env keeps its link: the file it points to is the one replaced
  const file = realpathSync(options.file ?? DOT_ENV_FILE);
  const before = readFileSync(file, 'utf8');
  const inFile = parseEnv(before) as Record<string, string>;
  let renewed = names.filter((n) => inFile[n] !== undefined && inFile[n] !== '' && env[n] === inFile[n]);
  // before the split accounts the shop's account ran the migrations: its two passwords are
  // one, renewed together or not at all
  const oneAccount = (env.DB_MIGRATION_USER || 'smartshop_migrate') === (env.DB_USER || 'smartshop');
  if (oneAccount && renewed.includes('DB_PASSWORD') !== renewed.includes('DB_MIGRATION_PASSWORD')) {
    renewed = renewed.filter((n) => n !== 'DB_PASSWORD' && n !== 'DB_MIGRATION_PASSWORD');
  }
  const byHand = names.filter((n) => !renewed.includes(n) && !unset(env, n));
  if (renewed.length === 0) return { renewed, byHand };
  const values: Record<string, string> = Object.fromEntries(renewed.map((n) => [n, randomPassword()]));
  if (oneAccount && values.DB_PASSWORD !== undefined) values.DB_MIGRATION_PASSWORD = values.DB_PASSWORD;
  const text = before.split('\n').map((line) => {
    const name = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    return name !== undefined && values[name] !== undefined ? `${name}=${values[name]}` : line;
  }).join('\n');
  // a line this cannot rewrite (a quoted value over several lines) is refused, not mangled
  const want = { ...inFile, ...values };
  const got = parseEnv(text) as Record<string, string>;
  if (Object.keys(want).length !== Object.keys(got).length || Object.entries(want).some(([k, v]) => got[k] !== v)) {
    throw new Error(`cannot rewrite ${file} in place (a value spans several lines?): give ${renewed.join(', ')} new values there by hand`);
  }
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    // 'wx': a new file, private from its first byte
    writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
  Object.assign(env, values);
  return { renewed, byHand };
}

/** Where an existing lab's passwords come from: its Galera container's environment, else
 * (volumes without containers) the old defaults; nothing for a project with no data. */
async function existingLabSecrets(project: string): Promise<Pick<SecretsOptions, 'adopt' | 'legacyData'>> {
  const lab = new ComposeTarget(project);
  const node = await lab.find('mariadb-1').catch(() => undefined);
  if (node !== undefined) {
    const env = await lab.envOf(node);
    const migration = env.MARIADB_MIGRATION_PASSWORD
      ? { DB_MIGRATION_USER: env.MARIADB_MIGRATION_USER ?? 'smartshop_migrate', DB_MIGRATION_PASSWORD: env.MARIADB_MIGRATION_PASSWORD }
      : preSplitMigrationAccount(env.MARIADB_USER, env.MARIADB_PASSWORD);
    const adopt: Record<string, string> = {
      MARIADB_ROOT_PASSWORD: env.MARIADB_ROOT_PASSWORD ?? '',
      DB_PASSWORD: env.MARIADB_PASSWORD ?? '',
      ...migration,
      MARIADB_SST_PASSWORD: env.MARIADB_SST_PASSWORD ?? '',
      MARIADB_EXPORTER_PASSWORD: env.MARIADB_EXPORTER_PASSWORD ?? '',
      MARIADB_BACKUP_PASSWORD: env.MARIADB_BACKUP_PASSWORD ?? '',
    };
    return { adopt };
  }
  try {
    await docker().getVolume(`${project}_mariadb-1-data`).inspect();
    return { legacyData: true };
  } catch {
    return {};
  }
}

let ensured: Promise<void> | undefined;

/** ensureSecrets once per process, before the first compose command. */
export function ensureLabSecrets(project: string): Promise<void> {
  ensured ??= (async () => {
    if (missingSecrets().length === 0) return;
    ensureSecrets(await existingLabSecrets(project));
  })();
  return ensured;
}
