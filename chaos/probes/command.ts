// `smartshop chaos probe stale-read | race`: measurements on the lab's Galera nodes through
// direct connections (the nodes' back-tier addresses), printed as small tables. Wire it with
// `chaos.addCommand(probeCommand())` in chaos/command.ts. Heavy modules load in the actions.
import { Command, Option } from 'commander';
import { int, str } from '../../shared/env.ts';

const projectOption = (): Option =>
  new Option('--project <name>', 'compose project whose labelled Galera nodes are probed').default(str(process.env, 'COMPOSE_PROJECT_NAME', 'smartshop'));

const positive = (name: string, raw: string, max: number): number => int({ [name]: raw }, name, 1, 1, max);

export function probeCommand(): Command {
  const probe = new Command('probe').description('measure what Galera does not promise (stale reads, lost updates)');

  probe
    .command('stale-read')
    .description('write on one node, read at once on another; stale reads with wsrep_sync_wait 0 and 1')
    .option('--writer <node>', 'node that writes', 'mariadb-1')
    .option('--reader <node>', 'node that reads', 'mariadb-2')
    .option('-n, --iterations <n>', 'writes per setting (at most 100000)', '500')
    .option('--json', 'print the result as JSON')
    .addOption(projectOption())
    .action(async (opts: { writer: string; reader: string; iterations: string; json?: boolean; project: string }) => {
      const { formatStaleRead, runStaleReadProbe } = await import('./stale-read.ts');
      const r = await runStaleReadProbe({ project: opts.project, writer: opts.writer, reader: opts.reader, iterations: positive('iterations', opts.iterations, 100_000) });
      console.log(opts.json ? JSON.stringify(r, null, 2) : formatStaleRead(r));
    });

  probe
    .command('race')
    .description('16 clients over the nodes race on one order: read-then-write vs conditional UPDATE')
    .option('--rounds <n>', 'rounds per mode (at most 10000)', '20')
    .option('--clients <n>', 'simultaneous clients (at most 64)', '16')
    .option('--json', 'print the result as JSON')
    .addOption(projectOption())
    .action(async (opts: { rounds: string; clients: string; json?: boolean; project: string }) => {
      const { formatRace, runNaiveRace } = await import('./naive-race.ts');
      const r = await runNaiveRace({ project: opts.project, rounds: positive('rounds', opts.rounds, 10_000), clients: positive('clients', opts.clients, 64) });
      console.log(opts.json ? JSON.stringify(r, null, 2) : formatRace(r));
    });

  return probe;
}
