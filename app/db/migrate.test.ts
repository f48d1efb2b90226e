import { describe, expect, it } from 'vitest';
import { loadMigrations, parseMigrationFileName, splitStatements } from './migrate.ts';

describe('migrations', () => {
  it('splits statements and drops comment lines', () => {
    expect(splitStatements('-- c\nCREATE TABLE a (x INT);\n\nINSERT INTO a VALUES\n (1);\n')).toEqual(['CREATE TABLE a (x INT)', 'INSERT INTO a VALUES\n (1)']);
  });
  it('parses versioned file names only', () => {
    expect(parseMigrationFileName('001-initial-schema.sql')).toEqual({ version: 1, name: 'initial-schema' });
    expect(parseMigrationFileName('readme.md')).toBeUndefined();
  });
  it('ships ordered, Galera-safe migrations', async () => {
    const migrations = await loadMigrations();
    expect(migrations.map((m) => m.version)).toEqual([...migrations.map((m) => m.version)].sort((a, b) => a - b));
    expect(new Set(migrations.map((m) => m.version)).size).toBe(migrations.length);
    for (const m of migrations) {
      for (const s of m.statements) {
        expect(s).not.toMatch(/LOCK TABLES/i);
        if (/^CREATE TABLE/i.test(s)) {
          expect(s).toMatch(/IF NOT EXISTS/i);
          expect(s).toMatch(/ENGINE=InnoDB/i);
          expect(s).toMatch(/PRIMARY KEY/i);
        }
        if (/^INSERT/i.test(s)) expect(s).toMatch(/^INSERT IGNORE/i);
      }
    }
  });
});
