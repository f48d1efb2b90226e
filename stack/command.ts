// `smartshop stack up|down|restart|status|logs|verify`: the lab on one machine (docker compose),
// or with --swarm as a Docker Swarm stack (stack/swarm.ts). Heavy modules (dockerode,
// compose runner) load inside the actions.
import { Command, Option } from 'commander';
import { parseInteger, UsageError } from '../shared/cli-numbers.ts';
import { ConfigError } from '../shared/env.ts';
import { EXIT } from '../shared/exit-codes.ts';

const log = (line: string): void => console.log(line);

async function config(durability?: string) {
  const { parseDurability, resolveLabConfig } = await import('../lab/index.ts');
  const c = resolveLabConfig();
  return durability ? { ...c, durability: parseDurability(durability) } : c;
}

async function run(action: () => Promise<number | void>, command = 'stack'): Promise<void> {
  const { StackError } = await import('./lifecycle.ts');
  try {
    const code = await action();
    if (typeof code === 'number' && code !== 0) process.exitCode = code;
  } catch (e) {
    const err = e as Error;
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`smartshop ${command}: ${err.message}`);
      process.exitCode = EXIT.usage;
      return;
    }
    console.error(`${command}: ${err instanceof StackError ? err.message : (err.stack ?? err.message)}`);
    process.exitCode = EXIT.couldNotRun;
  }
}

export function stackCommand(): Command {
  const stack = new Command('stack').description('the lab stack: three Galera nodes, HAProxy, the shop, Prometheus, exporters, Grafana (docker compose)');

  stack.command('up')
    .description('build (if needed) and start the lab, wait until every part is healthy, print the URLs')
    .addOption(new Option('--durability <profile>', 'Galera durability: strict (flush at commit), relaxed, fast').choices(['strict', 'relaxed', 'fast']))
    .option('--no-build', 'use the images already built')
    .option('--timeout <seconds>', 'how long to wait for a healthy lab', '360')
    .option('--swarm', 'deploy swarm/docker-stack.yml with `docker stack deploy` instead, on the same locally built images (makes this engine a one-node swarm if it is in none)')
    .action((opts: { durability?: string; build: boolean; timeout: string; swarm?: boolean }) => run(async () => {
      if (opts.swarm) {
        const { prepareImages } = await import('./lifecycle.ts');
        const { swarmDeploy } = await import('./swarm.ts');
        const lab = await config(opts.durability);
        await prepareImages(lab, opts.build, log); // the stack uses the same local images
        return swarmDeploy('up', { init: true, durability: lab.durability, timeoutSeconds: parseInteger('--timeout', opts.timeout, 10, 86_400) });
      }
      const { stackUp } = await import('./lifecycle.ts');
      await stackUp(await config(opts.durability), { build: opts.build, timeoutMs: parseInteger('--timeout', opts.timeout, 10, 86_400) * 1000, log });
    }));

  stack.command('build')
    .description('build every lab image from this checkout (cached layers make it quick); `make test` runs it first, so no test runs an image of older code')
    .action(() => run(async () => {
      const { prepareImages } = await import('./lifecycle.ts');
      await prepareImages(await config(), true, log);
    }));

  stack.command('down')
    .description('stop the lab (nodes one by one so the cluster re-forms by itself); data is kept')
    .option('--volumes', 'also DELETE the data volumes (database, Prometheus, Grafana)')
    .option('--swarm', 'remove the Swarm stack (`docker stack rm`) instead; the engine stays in its swarm')
    .action((opts: { volumes?: boolean; swarm?: boolean }) => run(async () => {
      if (opts.swarm) {
        const { swarmDeploy } = await import('./swarm.ts');
        return swarmDeploy('down', { volumes: opts.volumes === true });
      }
      const { stackDown } = await import('./lifecycle.ts');
      await stackDown(await config(), { volumes: opts.volumes === true, log });
    }));

  stack.command('restart')
    .description('restart the lab without taking it down: --rolling restarts each Galera node in turn (out of HAProxy, stopped, started, Synced, back in), then the shop')
    .requiredOption('--rolling', 'one node at a time (the only kind of restart offered)')
    .option('--no-shop', 'only the Galera nodes')
    .action((opts: { shop: boolean }) => run(async () => {
      const { hostChecks } = await import('./lifecycle.ts');
      const { rollingRestartStack } = await import('./restart.ts');
      await hostChecks();
      await rollingRestartStack(await config(), { log, shop: opts.shop });
    }));

  stack.command('status')
    .description('cluster state per node, durability profile, containers')
    .option('--swarm', 'the Swarm stack\'s services and tasks instead')
    .action((opts: { swarm?: boolean }) => run(async () => {
      if (opts.swarm) {
        const { swarmDeploy } = await import('./swarm.ts');
        return swarmDeploy('status');
      }
      const { stackStatus } = await import('./lifecycle.ts');
      await stackStatus(await config(), log);
    }));

  stack.command('logs')
    .description('logs of the lab (all services, or the ones named)')
    .argument('[services...]', 'compose services, e.g. mariadb-1 haproxy app')
    .option('-f, --follow', 'keep following')
    .option('--tail <lines>', 'lines per service', '200')
    .action((services: string[], opts: { follow?: boolean; tail: string }) => run(async () => {
      const { stackLogs } = await import('./lifecycle.ts');
      return stackLogs(await config(), services, { follow: opts.follow === true, tail: String(parseInteger('--tail', opts.tail, 0, 1_000_000)) });
    }));

  stack.command('verify')
    .description('compare every Galera node directly (causal reads): row counts and CHECKSUM TABLE per shop table; exit 1 when they differ. The result is exported as smartshop_cluster_consistent{table} (node-exporter textfile)')
    .option('--attempts <n>', 'tries while writes settle', '5')
    .action((opts: { attempts: string }) => run(async () => {
      const attempts = parseInteger('--attempts', opts.attempts, 1, 100);
      const { hostChecks } = await import('./lifecycle.ts');
      const { ComposeTarget, compareNodes, formatVerify } = await import('../lab/index.ts');
      const { fromVerifyResult, recordConsistency } = await import('./consistency-metric.ts');
      await hostChecks();
      const c = await config();
      const result = await compareNodes(new ComposeTarget(c.project), {
        attempts,
        onAttempt: (n, r) => { if (!r.consistent) console.error(`attempt ${n}: ${r.divergences.map((d) => d.table).join(', ') || r.problem || ''} not level yet`); },
      });
      log(formatVerify(result));
      // exported for the Galera dashboard and GaleraNodesDiverged; a failure to write only warns
      await recordConsistency(c, fromVerifyResult(result));
      return result.consistent ? 0 : 1;
    }));

  return stack;
}

/** `smartshop flags list|set|reset`: the lab's fault flags (stack/flags.ts, docs/chaos.md). */
export function flagsCommand(): Command {
  const flags = new Command('flags').description("the lab's fault flags: what the shop does wrong on purpose, switched at run time (docs/chaos.md)");
  const project = (): Option => new Option('--project <name>', 'compose project of the lab').default(process.env.COMPOSE_PROJECT_NAME ?? 'smartshop');
  flags.command('list').description('every flag, its value now and what it does').addOption(project())
    .action((o: { project: string }) => run(async () => (await import('./flags.ts')).listFlags(o.project).then((lines) => lines.forEach(log)), 'flags'));
  flags.command('set').description('set one flag: smartshop flags set paymentFailure 0.5').argument('<name>').argument('<value>', 'JSON: 0.5, true, {"/api/orders/create": 500}').addOption(project())
    .action((name: string, value: string, o: { project: string }) => run(async () => (await import('./flags.ts')).setFlagCli(o.project, name, value).then((lines) => lines.forEach(log)), 'flags'));
  flags.command('reset').description('every flag off (or only the ones named)').argument('[names...]').addOption(project())
    .action((names: string[], o: { project: string }) => run(async () => (await import('./flags.ts')).resetFlagsCli(o.project, names).then((lines) => lines.forEach(log)), 'flags'));
  return flags;
}

export function queueCommand(): Command {
  const queue = new Command('queue').description('the fulfilment queues on RabbitMQ (docs/fulfilment.md)');
  queue.command('status').description('broker nodes, and each queue\'s replicas, depth, unacked and consumers')
    .action(() => run(async () => (await import('./queue.ts')).queueStatus(await config()).then((lines) => lines.forEach(log)), 'queue'));
  const dlq = queue.command('dlq').description('the dead-letter queue: messages that failed past their delivery limit');
  for (const [action, what] of [
    ['list', 'the messages waiting, left in place'],
    ['replay', 'every message back into the fulfilment queue (after the cause is fixed); the workers apply each once'],
    ['purge', 'drop every message (their orders stay unshipped)'],
  ] as const) {
    dlq.command(action).description(what)
      .action(() => run(async () => (await import('./queue.ts')).deadLetters(await config(), action).then((lines) => lines.forEach(log)), 'queue'));
  }
  queue.command('republish').description('publish again every outbox event whose shipment the data lacks (the broker lost messages it had confirmed); the workers apply each once')
    .action(() => run(async () => (await import('./queue.ts')).republish(await config()).then((lines) => lines.forEach(log)), 'queue'));
  return queue;
}
