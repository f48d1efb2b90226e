// `smartshop limits show|reload`: the edge's rate limits (edge/limits.map, docs/edge.md).
import { Command } from 'commander';
import { EXIT } from '../shared/exit-codes.ts';

export function limitsCommand(): Command {
  const limits = new Command('limits').description("the edge's per-client rate limits (edge/limits.map; docs/edge.md)");
  limits.command('show').description('route groups, client classes and each policy\'s rate and burst')
    .action(async () => {
      const { describeLimits, readLimits, LimitsError } = await import('./limits.ts');
      try {
        for (const line of describeLimits(readLimits())) console.log(line);
      } catch (e) {
        if (!(e instanceof LimitsError)) throw e;
        console.error(`smartshop limits: ${e.message}`);
        process.exitCode = EXIT.usage;
      }
    });
  limits.command('reload').description('make the running lab\'s edge read edge/limits.map again (HAProxy reloads: its port stays open, counts start afresh)')
    .action(async () => {
      const { readLimits, LimitsError } = await import('./limits.ts');
      const { ComposeTarget, docker, resolveLabConfig } = await import('../lab/index.ts');
      try {
        readLimits(); // a file the edge would misread is refused here, with its line
      } catch (e) {
        if (!(e instanceof LimitsError)) throw e;
        console.error(`smartshop limits: ${e.message}`);
        process.exitCode = EXIT.usage;
        return;
      }
      const config = resolveLabConfig();
      try {
        // HAProxy's master (-W) reloads on SIGUSR2: a new worker with the new map, the port kept open
        const edge = await new ComposeTarget(config.project).find('edge');
        await docker().getContainer(edge.id).kill({ signal: 'SIGUSR2' });
        console.log(`the edge of ${config.project} reloaded edge/limits.map`);
      } catch (e) {
        console.error(`smartshop limits: could not signal the edge of ${config.project} (${(e as Error).message.split('\n')[0]}); is the lab up? \`smartshop stack status\``);
        process.exitCode = EXIT.couldNotRun;
      }
    });
  return limits;
}
