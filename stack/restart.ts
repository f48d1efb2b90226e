// `smartshop stack restart --rolling`: a configuration change or an upgrade rolled out without
// taking the shop down. Every Galera node in turn (lab/rolling-restart.ts: out of HAProxy,
// stopped cleanly, started, Synced, back in), then the shop: on Swarm its replicas one at a time
// (`docker service update --force`, the stack's update_config: one at a time, start-first); on
// compose its one container, which its clients see as a few seconds of refused connections
// (there is no second replica to take the traffic; the edge of issue 33 will have one).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LabConfig } from '../lab/index.ts';
import { StackError } from './lifecycle.ts';
import { waitUntilReady } from './readiness.ts';

const run = promisify(execFile);

export async function rollingRestartStack(config: LabConfig, o: { log: (line: string) => void; shop: boolean }): Promise<void> {
  const { haproxyServers, NodeSql, openTarget, rollingRestart } = await import('../lab/index.ts');
  const target = await openTarget(config.project);
  const nodes = (await target.list('galera')).sort((a, b) => a.name.localeCompare(b.name));
  if (nodes.length === 0) throw new StackError(`no Galera node of ${config.project} found: start the lab first (make up)`);
  const down = nodes.filter((n) => n.state !== 'running');
  if (down.length > 0) throw new StackError(`not every node is running (${down.map((n) => `${n.name}: ${n.state}`).join(', ')}): a rolling restart starts from a healthy cluster (smartshop chaos recover)`);
  o.log(`==> rolling restart of ${nodes.map((n) => n.name).join(', ')} (${target.kind}), one at a time`);
  const t0 = Date.now();
  const steps = await rollingRestart(target, new NodeSql(target), nodes, { haproxy: () => haproxyServers(config), log: (l) => o.log(`  ${l}`) });
  o.log(`==> Galera restarted in ${Math.round((Date.now() - t0) / 1000)} s (${steps.map((s) => `${s.node} ${Math.round(s.backInMs / 1000)} s`).join(', ')})`);
  if (!o.shop) return;
  if (target.kind === 'swarm') {
    o.log(`==> the shop's replicas, one at a time (docker service update --force ${config.project}_app)`);
    await run('docker', ['service', 'update', '--force', '--detach=false', '--quiet', `${config.project}_app`], { timeout: 600_000 });
  } else {
    o.log('==> the shop (one container on compose: a few seconds without it)');
    for (const app of await target.list('app')) {
      await target.stop(app, 30);
      await target.start(await target.find(app.name));
    }
  }
  const ready = await waitUntilReady(config, { timeoutMs: 180_000, log: o.log });
  if (!ready.ready) throw new StackError(`the lab is not healthy after the restart: ${ready.problems.join('; ')}`);
  o.log(`==> rolling restart done in ${Math.round((Date.now() - t0) / 1000)} s`);
}
