import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { composeEnv } from './config.ts';
import { demux, resolveLabConfig, urls } from '../lab/index.ts';
import { durabilityFromFlush } from './parse.ts';
import { OPTIONAL_JOBS, notReady } from './readiness.ts';
import type { NodeState } from '../lab/index.ts';

const synced = { clusterStatus: 'Primary', localState: 'Synced', ready: true, clusterSize: 3, lastCommitted: 20 };

describe('parsing', () => {
  it('maps flush settings to durability profiles', () => {
    expect(['1', '2', '0', undefined].map(durabilityFromFlush)).toEqual(['strict', 'relaxed', 'fast', 'unknown']);
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

describe('config', () => {
  it('uses the contract defaults and lets env move project and ports', () => {
    const d = resolveLabConfig({});
    expect(d.project).toBe('smartshop');
    expect(d.ports).toEqual({ api: 8000, ui: 3000, edge: 8080, mysql: 3306, haproxyStats: 8404, prometheus: 9090, alertmanager: 9093, console: 9095, grafana: 3030, rabbitmqManagement: 15672, rabbitmqMetrics: 15692 });
    const t = resolveLabConfig({ COMPOSE_PROJECT_NAME: 'smartshop-test', API_PORT: '18000', DURABILITY: 'fast' });
    expect(t.ports.api).toBe(18000);
    expect(composeEnv(t, {}).API_PORT).toBe('18000');
    expect(composeEnv(t, {}).COMPOSE_PROJECT_NAME).toBe('smartshop-test');
    expect(urls(t).api).toBe('http://127.0.0.1:18000/');
  });

  it('rejects an unknown durability profile and a bad port', () => {
    expect(() => resolveLabConfig({ DURABILITY: 'yolo' })).toThrow(/durability/);
    expect(() => resolveLabConfig({ API_PORT: '99999' })).toThrow(/API_PORT/);
  });

  it('hands the backup schedule to compose: hourly by default, 0 for none, under a minute refused', () => {
    expect(composeEnv(resolveLabConfig({}), {}).BACKUP_INTERVAL_SECONDS).toBe('3600');
    expect(composeEnv(resolveLabConfig({ BACKUP_INTERVAL_SECONDS: '0' }), {}).BACKUP_INTERVAL_SECONDS).toBe('0');
    expect(() => resolveLabConfig({ BACKUP_INTERVAL_SECONDS: '30' })).toThrow(/less than a minute/);
  });
});

describe('notReady', () => {
  const node = (name: string, state: Partial<NodeState>): NodeState => ({ node: name, container: `lab-${name}-1`, docker: 'running', health: 'healthy', ...state });
  const ready = {
    nodes: ['mariadb-1', 'mariadb-2', 'mariadb-3'].map((n) => node(n, synced)),
    haproxy: ['mariadb-1', 'mariadb-2', 'mariadb-3'].map((s) => ({ backend: 'galera', server: s, status: 'UP' })),
    appStatus: 200,
    edgeStatus: 200,
    targets: [{ job: 'app', instance: 'app:8000', health: 'up', lastError: '' }, { job: 'simulator', instance: 'h:9464', health: 'down', lastError: 'refused' },
      { job: 'chaos', instance: 'h:9465', health: 'down', lastError: 'refused' }],
    alertmanagers: 1,
    broker: { nodes: [1, 2, 3].map((i) => ({ name: `rabbit@rabbitmq-${i}`, running: true, alarm: false })), queues: [] },
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
      nodes: [node('mariadb-1', { ...synced, clusterSize: 2 }), ...ready.nodes.slice(1)],
      haproxy: [{ backend: 'galera', server: 'mariadb-3', status: 'DOWN' }],
      appStatus: 503,
      edgeStatus: 0,
      alertmanagers: 0,
      broker: { nodes: [{ name: 'rabbit@rabbitmq-1', running: true, alarm: true }, { name: 'rabbit@rabbitmq-2', running: false, alarm: false }], queues: [] },
    });
    expect(problems.join('\n')).toMatch(/RabbitMQ: 1\/3 nodes running/);
    expect(problems.join('\n')).toMatch(/rabbit@rabbitmq-1 has a resource alarm/);
    expect(problems.join('\n')).toMatch(/mariadb-1: Synced, Primary, cluster size 2/);
    expect(problems.join('\n')).toMatch(/mariadb-3 DOWN/);
    expect(problems.join('\n')).toMatch(/HTTP 503/);
    expect(problems.join('\n')).toMatch(/edge \/api\/health: no answer/);
    expect(problems.join('\n')).toMatch(/no Alertmanager to send alerts to/);
  });
});
