import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPOSE_FILE, LAB_IMAGES, checkEdgeLimits, composeEnv, edgeConfigDigest } from './config.ts';
import { REPO_ROOT, resolveLabConfig } from '../lab/index.ts';
import { textfileDir } from '../lab/paths.ts';

interface Service { image?: string; build?: unknown; command?: string[]; volumes?: string[] }

describe('LAB_IMAGES', () => {
  it('names exactly the images docker-compose.yml builds itself', () => {
    const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as { services: Record<string, Service> };
    const built = new Set(Object.values(compose.services).filter((s) => s.build !== undefined).map((s) => s.image));
    expect([...built].sort()).toEqual([...LAB_IMAGES].sort());
  });
});

describe('textfile folder (node-exporter reads the consistency result there)', () => {
  it('is one folder per compose project under .lab/, passed to compose as LAB_TEXTFILE_DIR', () => {
    const env = composeEnv({ ...resolveLabConfig({}), project: 'smartshop-test' }, {});
    expect(env.LAB_TEXTFILE_DIR).toBe(join(REPO_ROOT, '.lab', 'smartshop-test', 'textfile'));
    expect(textfileDir('smartshop')).toBe(join(REPO_ROOT, '.lab', 'smartshop', 'textfile'));
  });

  it('is mounted read-only into node-exporter, whose textfile collector reads it', () => {
    const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as { services: Record<string, Service> };
    const exporter = compose.services['node-exporter'];
    expect(exporter?.command).toContain('--collector.textfile.directory=/textfile');
    // the default is the default project's folder, the same one composeEnv names
    expect(exporter?.volumes).toContain('${LAB_TEXTFILE_DIR:-./.lab/smartshop/textfile}:/textfile:ro');
  });
});

describe('fault flags folder (the console writes its flags.json, the shop and the workers read it)', () => {
  it('is one folder per project, passed as LAB_FLAGS_DIR and mounted as a folder at /flags, where FLAGS_FILE points: read-write in the console only', () => {
    const env = composeEnv({ ...resolveLabConfig({}), project: 'smartshop-test' }, {});
    expect(env.LAB_FLAGS_DIR).toBe(join(REPO_ROOT, '.lab', 'smartshop-test', 'flags'));
    const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as { services: Record<string, Service & { environment?: Record<string, string> }> };
    for (const name of ['app', 'worker']) {
      const service = compose.services[name];
      expect(service?.volumes, name).toContain('${LAB_FLAGS_DIR:-./.lab/smartshop/flags}:/flags:ro');
      expect(service?.environment?.FLAGS_FILE, name).toBe('/flags/flags.json');
    }
    const console = compose.services.console;
    expect(console?.volumes).toContain('${LAB_FLAGS_DIR:-./.lab/smartshop/flags}:/flags');
    expect(console?.environment?.FLAGS_FILE).toBe('/flags/flags.json');
  });
});

describe('the backup service (scheduled backups from inside the lab)', () => {
  type Backup = Service & { ports?: unknown; cap_drop?: string[]; cap_add?: string[]; networks?: string[]; environment?: Record<string, string> };
  const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as { services: Record<string, Backup> };
  const backup = compose.services.backup;

  it("reads the node it backs up from that node's volume, read-only, and writes only the project's backups and textfile folders", () => {
    expect(backup?.environment?.BACKUP_NODE).toBe('mariadb-3');
    expect(compose.services['mariadb-3']?.volumes).toContain('mariadb-3-data:/var/lib/mysql');
    expect(backup?.volumes?.sort()).toEqual([
      '${LAB_BACKUP_DIR:-./.lab/smartshop/backups}:/backups',
      '${LAB_TEXTFILE_DIR:-./.lab/smartshop/textfile}:/textfile',
      'mariadb-3-data:/var/lib/mysql:ro',
    ]);
    const env = composeEnv({ ...resolveLabConfig({}), project: 'smartshop-test' }, {});
    expect(env.LAB_BACKUP_DIR).toBe(join(REPO_ROOT, '.lab', 'smartshop-test', 'backups'));
  });

  it('has no Docker socket, no published port, no network but the back tier, and only the capabilities it needs', () => {
    expect(JSON.stringify(backup)).not.toMatch(/docker\.sock/);
    expect(backup?.ports).toBeUndefined();
    expect(backup?.networks).toEqual(['back-tier']);
    expect(backup?.cap_drop).toEqual(['ALL']);
    expect(backup?.cap_add?.sort()).toEqual(['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID']);
  });
});

describe('the edge\'s limits file, checked before stack up starts anything', () => {
  it('passes the checkout\'s files and names a bad line, a missing file or a name that is not one', () => {
    expect(() => checkEdgeLimits({})).not.toThrow();
    expect(() => checkEdgeLimits({ EDGE_LIMITS_FILE: 'limits-off.map' })).not.toThrow();
    expect(() => checkEdgeLimits({ EDGE_LIMITS_FILE: '../.env' })).toThrow(/expected the name of a \.map file in edge\//);
    expect(() => checkEdgeLimits({ EDGE_LIMITS_FILE: 'nope.map' })).toThrow(/there is no edge\/nope\.map/);
    const dir = mkdtempSync(join(tmpdir(), 'edge-limits-'));
    try {
      writeFileSync(join(dir, 'limits.map'), 'route:/api/ light\npolicy:default/light 7:2\n');
      expect(() => checkEdgeLimits({}, dir)).toThrow(/limits\.map:2: "7:2"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the edge\'s config digest', () => {
  it('is what edge/config-digest.sh prints (Ansible passes that one), so neither recreates the edge the other started', () => {
    expect(execFileSync('sh', [join(REPO_ROOT, 'edge', 'config-digest.sh')], { encoding: 'utf8' }).trim()).toBe(edgeConfigDigest());
  });

  it('changes with what the edge reads, and only with that: stack up recreates the edge on a change', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-digest-'));
    try {
      writeFileSync(join(dir, 'haproxy.cfg'), 'global\n');
      writeFileSync(join(dir, 'limits.map'), 'policy:default/orders 10:2\n');
      const before = edgeConfigDigest(dir);
      writeFileSync(join(dir, 'limits.ts'), '// not read by the edge\n');
      expect(edgeConfigDigest(dir)).toBe(before);
      writeFileSync(join(dir, 'limits.map'), 'policy:default/orders 10:3\n');
      expect(edgeConfigDigest(dir)).not.toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(composeEnv(resolveLabConfig({}), {}).EDGE_CONFIG_DIGEST).toMatch(/^[0-9a-f]{16}$/);
  });
});
