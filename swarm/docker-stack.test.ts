// The Swarm stack's rules that a drill once found broken, checked on the file itself:
// Swarm KILLS a task whose healthcheck fails, so the Galera check must keep a node alive
// in every state but "down" (a partitioned, non-Primary node killed for its health exited 0
// and, with restart condition on-failure, was never started again).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  image?: string;
  command?: string[];
  hostname?: string;
  healthcheck?: { test: string[] };
  labels?: Record<string, string>;
  environment?: Record<string, string>;
  volumes?: string[];
  configs?: { source: string; target: string }[];
  deploy?: { replicas?: number | string; endpoint_mode?: string; restart_policy?: { condition?: string }; update_config?: { parallelism?: number; order?: string } };
}
const stack = parse(readFileSync(new URL('./docker-stack.yml', import.meta.url), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const galera = ['mariadb-1', 'mariadb-2', 'mariadb-3'].map((n) => [n, stack.services[n] as Service] as const);

/** runs the service's CMD-SHELL check with clustercheck.sh replaced by a line of its output */
function checkPasses(service: Service, clustercheckLine: string): boolean {
  const [kind, script] = service.healthcheck?.test ?? [];
  expect(kind).toBe('CMD-SHELL');
  const shell = (script ?? '').replace('/usr/local/bin/clustercheck.sh --status', `printf '%s\\n' '${clustercheckLine}'`);
  try {
    execFileSync('sh', ['-c', shell], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('swarm/docker-stack.yml Galera services', () => {
  it.each(galera)('%s stays alive while Synced, donor, joining, cut off (non-Primary) or waiting for peers', (_name, service) => {
    for (const line of [
      'status=synced uuid=u seqno=10 state=Synced cluster=Primary ready=ON size=3',
      'status=not-synced uuid=u seqno=10 state=Donor/Desynced cluster=Primary ready=ON size=3',
      'status=not-synced uuid=u seqno=10 state=Joining: receiving State Transfer cluster=Primary ready=OFF size=3',
      'status=not-synced uuid=u seqno=10 state=Initialized cluster=non-Primary ready=OFF size=1',
      'status=waiting uuid=u seqno=10',
      'status=starting-join uuid=u seqno=10',
    ]) expect(checkPasses(service, line), line).toBe(true);
  });

  it.each(galera)('%s is declared dead when neither mariadbd nor the entrypoint answers', (_name, service) => {
    expect(checkPasses(service, 'status=down')).toBe(false);
  });

  it.each(galera)('%s is restarted by Swarm whatever its exit code, and carries the lab labels the drills find', (_name, service) => {
    expect(service.deploy?.restart_policy?.condition).toBe('any');
    expect(service.labels?.['lab.smartshop.role']).toBe('galera');
    expect(service.labels?.['lab.smartshop.project']).toBe('${STACK_NAME:-smartshop}');
  });
});

describe('swarm/docker-stack.yml broker and workers (the fulfilment pipeline, as on compose)', () => {
  const broker = ['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3'].map((n) => [n, stack.services[n] as Service] as const);

  it.each(broker)('%s is one task named for its Erlang node, on its own volume, restarted whatever its exit, checked for life (its Erlang VM), not for serving (a paused minority)', (name, service) => {
    expect(service.hostname).toBe(name);
    expect(service.volumes).toEqual([`${name}-data:/var/lib/rabbitmq`]);
    expect(service.deploy?.replicas).toBe(1);
    expect(service.deploy?.endpoint_mode).toBe('dnsrr');
    expect(service.deploy?.restart_policy?.condition).toBe('any');
    expect(service.healthcheck?.test).toEqual(['CMD', 'bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/25672']);
    expect(service.labels?.['lab.smartshop.role']).toBe('rabbitmq');
  });

  it('runs five workers rolled one at a time (the seed), committing before they ack, and the shop relays to the broker', () => {
    const worker = stack.services.worker as Service;
    expect(worker.deploy?.replicas).toBe('${WORKER_REPLICAS:-5}');
    expect(worker.deploy?.update_config?.parallelism).toBe(1);
    expect(worker.environment?.WORKER_ACK).toBe('after-commit');
    expect(worker.labels?.['lab.smartshop.role']).toBe('worker');
    expect(stack.services.app?.environment?.RABBITMQ_HOSTS).toBe('rabbitmq-1,rabbitmq-2,rabbitmq-3');
    expect(stack.services.app?.environment?.RABBITMQ_USER).toBe('shop');
  });
});

describe("swarm/docker-stack.yml's edge is compose's (issue 33: one configuration)", () => {
  const compose = parse(readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as { services: Record<string, Service> };
  const edge = stack.services.edge as Service;
  const configs = (parse(readFileSync(new URL('./docker-stack.yml', import.meta.url), 'utf8'), { merge: true }) as { configs: Record<string, { file: string }> }).configs;
  it('published in host mode: each client arrives from its own address, this machine from the gateway (edge/start.sh)', () => {
    const ports = (edge as Service & { ports?: { mode?: string }[] }).ports ?? [];
    expect(ports.length).toBe(3);
    expect(ports.every((p) => p.mode === 'host')).toBe(true);
  });
  it('started the same way, by edge/start.sh, at the shop replicas Swarm DNS names', () => {
    expect(edge.command).toEqual(compose.services.edge?.command);
    expect(edge.environment?.EDGE_SHOP_HOST).toBe('tasks.app');
  });
  it('from the files of edge/ that compose mounts at /etc/edge, the limits included', () => {
    const files = Object.fromEntries((edge.configs ?? []).map((c) => [c.target, configs[c.source]?.file]));
    expect(files).toEqual({
      '/etc/edge/start.sh': '../edge/start.sh',
      '/etc/edge/haproxy.cfg': '../edge/haproxy.cfg',
      '/etc/edge/limits.map': '../edge/limits.map',
      '/etc/edge/limits-off.map': '../edge/limits-off.map',
    });
    expect(compose.services.edge?.volumes).toEqual(['./edge:/etc/edge:ro']);
  });
});

describe('what the Swarm stack publishes (every interface of every node: Swarm cannot bind 127.0.0.1)', () => {
  const published = (file: string): Record<string, number[]> => {
    const doc = parse(readFileSync(new URL(file, import.meta.url), 'utf8'), { merge: true }) as { services: Record<string, { ports?: { target: number }[] }> };
    return Object.fromEntries(Object.entries(doc.services).filter(([, s]) => (s.ports ?? []).length > 0).map(([name, s]) => [name, (s.ports ?? []).map((p) => p.target)]));
  };
  it('by default only the edge: the shop (8080, by path), its API and its UI, all behind the limits', () => {
    expect(published('./docker-stack.yml')).toEqual({ edge: [8080, 8000, 3000] });
  });
  it('the operator ports only from docker-stack.ops-ports.yml (SWARM_PUBLISH_OPS=1)', () => {
    expect(published('./docker-stack.ops-ports.yml')).toEqual({ haproxy: [3306, 8404], prometheus: [9090], alertmanager: [9093], 'console': [9099] });
  });
});

describe('swarm/docker-stack.yml services of the shop image that are not the shop', () => {
  // The image's HEALTHCHECK asks /api/health on PORT, which only the shop serves; Swarm kills
  // an unhealthy task, so the console (PORT 9099, /health) was restarted every ~45 s until it
  // had a check of its own.
  const others = Object.entries(stack.services).filter(([, s]) => s.image === 'smartshop/app:local' && s.command !== undefined && !s.command.includes('serve'));
  it('are there (the console, the workers)', () => {
    expect(others.map(([n]) => n)).toEqual(expect.arrayContaining(['console', 'worker']));
  });
  it.each(others)('%s has a healthcheck of its own', (_name, service) => {
    expect(service.healthcheck?.test.join(' ')).not.toContain('/api/health');
    expect(service.healthcheck?.test.length ?? 0).toBeGreaterThan(0);
  });
});
