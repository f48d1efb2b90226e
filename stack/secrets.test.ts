import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DB_ACCOUNT_SECRETS, ensureSecrets, LEGACY_VALUES, missingSecrets, renewSecrets, SECRET_NAMES } from './secrets.ts';
import { loadDotEnv, readDotEnv } from '../shared/dot-env.ts';

function tempFile(content?: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'secrets-')), '.env');
  if (content !== undefined) writeFileSync(file, content);
  return file;
}

describe('the lab passwords in .env', () => {
  it('writes a random password for each one missing, mode 0600, and never prints one', () => {
    const file = tempFile();
    const env: Record<string, string | undefined> = {};
    const lines: string[] = [];
    const written = ensureSecrets({ env, file, log: (l) => lines.push(l) });
    expect(written).toEqual([...SECRET_NAMES]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const values = readDotEnv(file);
    for (const name of SECRET_NAMES) {
      expect(values[name]).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(env[name]).toBe(values[name]);
      for (const line of lines) expect(line).not.toContain(values[name]);
    }
    expect(new Set(SECRET_NAMES.map((n) => values[n])).size).toBe(SECRET_NAMES.length);
  });

  it('makes an .env copied from .env.example (0644) private once it holds passwords', () => {
    const file = tempFile('# copied from .env.example\nLAB_BIND=127.0.0.1\n');
    chmodSync(file, 0o644);
    ensureSecrets({ env: {}, file, log: () => undefined });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps what .env or the environment already sets, and writes nothing the second time', () => {
    const file = tempFile('COMPOSE_PROJECT_NAME=mine\nDB_PASSWORD=chosen-by-me');
    const env: Record<string, string | undefined> = { GRAFANA_ADMIN_PASSWORD: 'from-env' };
    const written = ensureSecrets({ env, file, log: () => undefined });
    expect(written).not.toContain('DB_PASSWORD');
    expect(written).not.toContain('GRAFANA_ADMIN_PASSWORD');
    const values = readDotEnv(file);
    expect(values.DB_PASSWORD).toBe('chosen-by-me');
    expect(values.COMPOSE_PROJECT_NAME).toBe('mine');
    expect(values.GRAFANA_ADMIN_PASSWORD).toBeUndefined();
    const before = readFileSync(file, 'utf8');
    expect(ensureSecrets({ env: {}, file, log: () => undefined })).toEqual(['GRAFANA_ADMIN_PASSWORD']);
    expect(ensureSecrets({ env: {}, file, log: () => undefined })).toEqual([]);
    expect(readFileSync(file, 'utf8').startsWith(before)).toBe(true);
    expect(missingSecrets({}, file)).toEqual([]);
  });

  it("writes the old defaults for data created with them, so an existing lab keeps working", () => {
    const file = tempFile();
    const lines: string[] = [];
    ensureSecrets({ env: {}, file, legacyData: true, log: (l) => lines.push(l) });
    const values = readDotEnv(file);
    for (const [name, value] of Object.entries(LEGACY_VALUES)) expect(values[name]).toBe(value);
    expect(lines.join('\n')).toMatch(/make down ARGS=--volumes/);
  });

  it('loads .env under the environment: a variable already set wins', () => {
    const file = tempFile('API_PORT=9000\nDB_NAME=fromfile\nEMPTY=\n');
    const env = loadDotEnv({ API_PORT: '8100', DB_NAME: '' }, file);
    expect(env).toEqual({ API_PORT: '8100', DB_NAME: 'fromfile', EMPTY: '' });
  });
});

describe('the compose and Swarm files', () => {
  const files = ['../docker-compose.yml', '../swarm/docker-stack.yml'].map((f) => readFileSync(new URL(f, import.meta.url), 'utf8'));

  it('give no password a default: compose requires each, Swarm takes them from .env', () => {
    for (const text of files) {
      for (const name of SECRET_NAMES) {
        const uses = [...text.matchAll(new RegExp(`\\$\\{${name}([^}]*)\\}`, 'g'))].map((m) => m[1] ?? '');
        for (const rest of uses) expect(rest, `${name} has a default`).not.toMatch(/^:?-/);
      }
    }
    const compose = files[0] ?? '';
    for (const name of SECRET_NAMES) expect(compose).toMatch(new RegExp(`\\$\\{${name}:\\?`));
  });

  it('let the environment switch error injection, on by default in the lab', () => {
    for (const text of files) expect(text).toContain('ERROR_INJECTION_ENABLED: ${ERROR_INJECTION_ENABLED:-true}');
  });
});

describe('a lab that already has data', () => {
  it('adopts the passwords its containers were created with, random for the rest', () => {
    const file = tempFile();
    const adopt = { MARIADB_ROOT_PASSWORD: 'r00t', DB_PASSWORD: 'shop', DB_MIGRATION_USER: 'smartshop', DB_MIGRATION_PASSWORD: 'shop' };
    const lines: string[] = [];
    ensureSecrets({ env: {}, file, adopt, log: (l) => lines.push(l) });
    const values = readDotEnv(file);
    expect(values).toMatchObject(adopt);
    expect(values.GRAFANA_ADMIN_PASSWORD).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(lines.join()).toMatch(/existing containers/);
    expect(lines.join()).not.toContain('r00t');
  });

  it('renews passwords in place: only those .env sets, every other line kept, the file replaced at once and private', () => {
    const file = tempFile('# mine\nCOMPOSE_PROJECT_NAME=mine\nMARIADB_ROOT_PASSWORD=old-root\nDB_PASSWORD=old-shop\nexport MARIADB_SST_PASSWORD=old-sst\nGRAFANA_ADMIN_PASSWORD=old-grafana\n');
    chmodSync(file, 0o644);
    const env: Record<string, string | undefined> = loadDotEnv({ MARIADB_EXPORTER_PASSWORD: 'from-the-shell', DB_PASSWORD: 'overridden' }, file);
    const { renewed, byHand } = renewSecrets(DB_ACCOUNT_SECRETS, { env, file });
    expect(renewed).toEqual(['MARIADB_ROOT_PASSWORD', 'MARIADB_SST_PASSWORD']);
    // the environment wins over .env: a new value in the file would not be the one used
    expect(byHand).toEqual(['DB_PASSWORD', 'MARIADB_EXPORTER_PASSWORD']);
    const after = readDotEnv(file);
    expect(after.MARIADB_ROOT_PASSWORD).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(after.MARIADB_SST_PASSWORD).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(after.MARIADB_SST_PASSWORD).not.toBe(after.MARIADB_ROOT_PASSWORD);
    expect(env.MARIADB_ROOT_PASSWORD).toBe(after.MARIADB_ROOT_PASSWORD);
    expect(env.MARIADB_SST_PASSWORD).toBe(after.MARIADB_SST_PASSWORD);
    expect(after).toMatchObject({ COMPOSE_PROJECT_NAME: 'mine', DB_PASSWORD: 'old-shop', GRAFANA_ADMIN_PASSWORD: 'old-grafana' });
    expect(readFileSync(file, 'utf8').split('\n').slice(0, 2)).toEqual(['# mine', 'COMPOSE_PROJECT_NAME=mine']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps one password for the shop and its migrations when they are one account (a lab from before the split)', () => {
    const file = tempFile('DB_USER=smartshop\nDB_MIGRATION_USER=smartshop\nDB_PASSWORD=old\nDB_MIGRATION_PASSWORD=old\n');
    const env: Record<string, string | undefined> = loadDotEnv({}, file);
    expect(renewSecrets(['DB_PASSWORD', 'DB_MIGRATION_PASSWORD'], { env, file }).renewed).toEqual(['DB_PASSWORD', 'DB_MIGRATION_PASSWORD']);
    const after = readDotEnv(file);
    expect(after.DB_PASSWORD).not.toBe('old');
    expect(after.DB_MIGRATION_PASSWORD).toBe(after.DB_PASSWORD);
  });

  it('renews neither of a pre-split account\'s two passwords when one comes from the environment', () => {
    const file = tempFile('DB_USER=smartshop\nDB_MIGRATION_USER=smartshop\nDB_PASSWORD=old\nDB_MIGRATION_PASSWORD=old\n');
    const env = loadDotEnv({ DB_MIGRATION_PASSWORD: 'from-the-shell' }, file);
    expect(renewSecrets(['DB_PASSWORD', 'DB_MIGRATION_PASSWORD'], { env, file })).toEqual({ renewed: [], byHand: ['DB_PASSWORD', 'DB_MIGRATION_PASSWORD'] });
    expect(readDotEnv(file).DB_PASSWORD).toBe('old');
  });

  it('refuses to rewrite what it cannot rewrite in place (a quoted value over two lines), and leaves the file as it was', () => {
    const content = 'NOTE="first line\nMARIADB_ROOT_PASSWORD=inside the quote"\nMARIADB_ROOT_PASSWORD=old-root\n';
    const file = tempFile(content);
    const env: Record<string, string | undefined> = loadDotEnv({}, file);
    expect(() => renewSecrets(['MARIADB_ROOT_PASSWORD'], { env, file })).toThrow(/by hand/);
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(env.MARIADB_ROOT_PASSWORD).toBe('old-root');
  });

  it('keeps a symlinked .env a symlink, and leaves no temporary file', () => {
    const target = tempFile('MARIADB_SST_PASSWORD=old-sst\n');
    const link = join(mkdtempSync(join(tmpdir(), 'secrets-link-')), '.env');
    symlinkSync(target, link);
    const env: Record<string, string | undefined> = loadDotEnv({}, link);
    expect(renewSecrets(['MARIADB_SST_PASSWORD'], { env, file: link }).renewed).toEqual(['MARIADB_SST_PASSWORD']);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readDotEnv(target).MARIADB_SST_PASSWORD).toBe(env.MARIADB_SST_PASSWORD);
    expect(readdirSync(dirname(target))).toEqual(['.env']);
  });

  it('renews nothing without an .env: every password then comes from the environment', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'secrets-none-')), '.env');
    expect(renewSecrets(['MARIADB_ROOT_PASSWORD', 'DB_PASSWORD'], { env: { MARIADB_ROOT_PASSWORD: 'from-the-shell' }, file }))
      .toEqual({ renewed: [], byHand: ['MARIADB_ROOT_PASSWORD'] });
  });
});
