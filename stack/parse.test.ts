import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { composeEnv, resolveStackConfig, urls } from './config.ts';
import { demux } from './docker.ts';
import { compareDigests, durabilityFromFlush, isSynced, parseHaproxyCsv, parsePromTargets, parseTabbed, parseVerifyOutput } from './parse.ts';
import { OPTIONAL_JOBS, notReady } from './readiness.ts';
import type { NodeDigest, NodeState } from './types.ts';

const synced = { wsrep_local_state: '4', wsrep_cluster_status: 'Primary', wsrep_ready: 'ON', wsrep_cluster_size: '3', wsrep_local_state_comment: 'Synced' };

describe('parsing', () => {
  it('reads tab-separated status lines', () => {
    expect(parseTabbed('wsrep_ready\tON\nwsrep_cluster_size\t3\n\n')).toEqual({ wsrep_ready: 'ON', wsrep_cluster_size: '3' });
  });

  it('keeps only servers from HAProxy CSV, by header names', () => {
    const csv = '# pxname,svname,qcur,status,x\nmysql,FRONTEND,,OPEN,\ngalera,mariadb-1,0,UP,\ngalera,mariadb-2,0,DOWN,\ngalera,BACKEND,0,UP,\n';
    expect(parseHaproxyCsv(csv)).toEqual([
      { backend: 'galera', server: 'mariadb-1', status: 'UP' },
      { backend: 'galera', server: 'mariadb-2', status: 'DOWN' },
    ]);
  });

  it('reads Prometheus targets', () => {
    const json = { data: { activeTargets: [{ labels: { job: 'app', instance: 'app:8000' }, health: 'up', lastError: '' }] } };
    expect(parsePromTargets(json)).toEqual([{ job: 'app', instance: 'app:8000', health: 'up', lastError: '' }]);
    expect(parsePromTargets({})).toEqual([]);
  });

  it('maps flush settings to durability profiles', () => {
    expect(['1', '2', '0', undefined].map(durabilityFromFlush)).toEqual(['strict', 'relaxed', 'fast', 'unknown']);
  });

  it('requires Synced, Primary and ready', () => {
    expect(isSynced(synced)).toBe(true);
    expect(isSynced({ ...synced, wsrep_cluster_status: 'non-Primary' })).toBe(false);
    expect(isSynced({ ...synced, wsrep_local_state: '2' })).toBe(false);
  });

  it('reads the verify script output', () => {
    const out = 'status\twsrep_last_committed\t22\ncount\tusers\t5\nsmartshop.users\t1234\ncount\tempty\t0\nsmartshop.empty\t0\n';
    expect(parseVerifyOutput(out, 'smartshop')).toEqual({
      status: { wsrep_last_committed: '22' },
      tables: { users: { rows: 5, checksum: '1234' }, empty: { rows: 0, checksum: '0' } },
    });
  });

  it('splits docker exec frames into stdout and stderr', () => {
    const frame = (type: number, text: string): Buffer => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = type;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    expect(demux(Buffer.concat([frame(1, 'out1 '), frame(2, 'err'), frame(1, 'out2')]))).toEqual({ stdout: 'out1 out2', stderr: 'err' });
  });
});

describe('compareDigests', () => {
  const node = (name: string, tables: NodeDigest['tables']): NodeDigest => ({ node: name, lastCommitted: '1', clusterStatus: 'Primary', localState: 'Synced', clusterSize: '3', tables });

  it('finds nothing when all nodes agree', () => {
    const t = { users: { rows: 2, checksum: '9' } };
    expect(compareDigests([node('a', t), node('b', t), node('c', t)])).toEqual([]);
  });

  it('names the table and every node value when one differs or misses a table', () => {
    const d = compareDigests([
      node('a', { users: { rows: 2, checksum: '9' }, orders: { rows: 1, checksum: '1' } }),
      node('b', { users: { rows: 3, checksum: '7' }, orders: { rows: 1, checksum: '1' } }),
      node('c', { users: { rows: 2, checksum: '9' } }),
    ]);
    expect(d.map((x) => x.table)).toEqual(['orders', 'users']);
    expect(d[0]?.values.c).toBe('missing');
    expect(d[1]?.values.b).toBe('3 rows, checksum 7');
  });
});

describe('config', () => {
  it('uses the contract defaults and lets env move project and ports', () => {
    const d = resolveStackConfig({});
    expect(d.project).toBe('smartshop');
    expect(d.ports).toEqual({ api: 8000, ui: 3000, mysql: 3306, haproxyStats: 8404, prometheus: 9090, grafana: 3030 });
    const t = resolveStackConfig({ COMPOSE_PROJECT_NAME: 'smartshop-test', API_PORT: '18000', DURABILITY: 'fast' });
    expect(t.ports.api).toBe(18000);
    expect(composeEnv(t, {}).API_PORT).toBe('18000');
    expect(composeEnv(t, {}).COMPOSE_PROJECT_NAME).toBe('smartshop-test');
    expect(urls(t).api).toBe('http://127.0.0.1:18000/');
  });

  it('rejects an unknown durability profile and a bad port', () => {
    expect(() => resolveStackConfig({ DURABILITY: 'yolo' })).toThrow(/durability/);
    expect(() => resolveStackConfig({ API_PORT: '99999' })).toThrow(/API_PORT/);
  });
});

describe('notReady', () => {
  const node = (name: string, wsrep: Record<string, string>): NodeState => ({ node: name, container: 'running', health: 'healthy', wsrep });
  const ready = {
    nodes: ['mariadb-1', 'mariadb-2', 'mariadb-3'].map((n) => node(n, synced)),
    haproxy: ['mariadb-1', 'mariadb-2', 'mariadb-3'].map((s) => ({ backend: 'galera', server: s, status: 'UP' })),
    appStatus: 200,
    targets: [{ job: 'app', instance: 'app:8000', health: 'up', lastError: '' }, { job: 'simulator', instance: 'h:9464', health: 'down', lastError: 'refused' },
      { job: 'chaos', instance: 'h:9465', health: 'down', lastError: 'refused' }],
  };

  it('is empty for a healthy lab (the simulator and the chaos runner may be down)', () => {
    expect(notReady(ready)).toEqual([]);
  });

  it('treats every job scraped on the host as optional: nothing runs there until a user starts it', () => {
    const config = parse(readFileSync(new URL('../prometheus/prometheus.yml', import.meta.url), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs?: { targets: string[] }[] }[];
    };
    const onHost = config.scrape_configs
      // the host tools' sockets are relayed on the Prometheus container's own loopback
      .filter((j) => (j.static_configs ?? []).some((c) => c.targets.some((t) => t.startsWith('127.0.0.1:19'))))
      .map((j) => j.job_name);
    expect(onHost.length).toBeGreaterThan(0);
    for (const job of onHost) expect(OPTIONAL_JOBS.has(job), job).toBe(true);
  });

  it('names what is not healthy', () => {
    const problems = notReady({
      ...ready,
      nodes: [node('mariadb-1', { ...synced, wsrep_cluster_size: '2' }), ...ready.nodes.slice(1)],
      haproxy: [{ backend: 'galera', server: 'mariadb-3', status: 'DOWN' }],
      appStatus: 503,
    });
    expect(problems.join('\n')).toMatch(/mariadb-1: Synced, Primary, cluster size 2/);
    expect(problems.join('\n')).toMatch(/mariadb-3 DOWN/);
    expect(problems.join('\n')).toMatch(/HTTP 503/);
  });
});
