// The one `smartshop` command. Each part owns its subcommand in its own `command.ts`
// and imports its heavy modules lazily inside the action, so `smartshop --help` stays instant.
import { Command } from 'commander';
import { serveCommand } from '../app/command.ts';
import { simulateCommand } from '../simulator/command.ts';
import { dashboardsCommand } from '../dashboards/command.ts';
import { chaosCommand } from '../chaos/command.ts';
import { stackCommand } from '../stack/command.ts';

const program = new Command('smartshop')
  .description('SmartShop Chaos Lab: a shop on MariaDB Galera, built to be observed and broken on purpose')
  .showHelpAfterError()
  .enablePositionalOptions();

program.addCommand(serveCommand());
program.addCommand(simulateCommand());
program.addCommand(dashboardsCommand());
program.addCommand(chaosCommand());
program.addCommand(stackCommand());

await program.parseAsync(process.argv);
