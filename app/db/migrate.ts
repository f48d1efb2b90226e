// Versioned SQL migrations (app/db/migrations/NNN-name.sql), applied at start.
// Safe when several replicas start at once, also on Galera where GET_LOCK is node-local:
// every statement is idempotent (IF NOT EXISTS, INSERT IGNORE) and the version row is
// written with INSERT IGNORE, so two replicas running the same migration both succeed.
// (No GET_LOCK: it is per connection and per node, and LOCK TABLES is unsafe on Galera.)
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { RowDataPacket } from 'mysql2/promise';
import type { Database } from './database.ts';
import { DbError } from './db-errors.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/** Splits a migration file into statements: `;` at the end of a line ends one; `--` lines are comments. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('--')) continue;
    current.push(line);
    if (trimmed.endsWith(';')) {
      statements.push(current.join('\n').trim().replace(/;$/, ''));
      current = [];
    }
  }
  const rest = current.join('\n').trim();
  if (rest !== '') statements.push(rest);
  return statements;
}

export function parseMigrationFileName(file: string): { version: number; name: string } | undefined {
  const m = /^(\d{3})-([a-z0-9-]+)\.sql$/.exec(file);
  if (m === null) return undefined;
  return { version: Number(m[1]), name: m[2] ?? '' };
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const parsed = parseMigrationFileName(file);
    if (parsed === undefined) continue;
    migrations.push({ ...parsed, statements: splitStatements(await readFile(`${dir}/${file}`, 'utf8')) });
  }
  return migrations;
}

/** Applies the migrations not yet recorded; returns the versions applied by this call. */
export async function migrate(db: Database, migrations: Migration[]): Promise<number[]> {
  // Read first: a shop started against a schema that is already current needs no DDL, so
  // its runtime account (DML only) is enough; only a pending migration needs the migration one.
  const done = await appliedVersions(db);
  if (migrations.every((m) => done.has(m.version))) return [];
  await db.exec(
    'migrate',
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version INT UNSIGNED NOT NULL PRIMARY KEY,
       name VARCHAR(200) NOT NULL,
       applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
     ) ENGINE=InnoDB`,
    [],
    { retry: 'safe' },
  );
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    for (const statement of m.statements) {
      await db.exec('migrate', statement, [], { retry: 'safe' });
    }
    await db.exec('migrate', 'INSERT IGNORE INTO schema_migrations (version, name) VALUES (?, ?)', [m.version, m.name], { retry: 'safe' });
    applied.push(m.version);
  }
  return applied;
}

/** The versions recorded in schema_migrations; none when the table does not exist yet. */
async function appliedVersions(db: Database): Promise<Set<number>> {
  try {
    const rows = await db.rows<RowDataPacket>('migrate', 'SELECT version FROM schema_migrations');
    return new Set(rows.map((r) => Number(r.version)));
  } catch (err) {
    if (err instanceof DbError && err.failure.code === 'ER_NO_SUCH_TABLE') return new Set();
    throw err;
  }
}

/** The MariaDB errors that mean "this account may not": retrying will not help. */
export function isAccessDenied(err: unknown): boolean {
  const code = err instanceof DbError ? err.failure.code : undefined;
  return code === 'ER_TABLEACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR' || code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR';
}
