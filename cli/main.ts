// The one `smartshop` command. Each part owns its subcommand in its own `command.ts`
// and imports its heavy modules lazily inside the action, so `smartshop --help` stays instant.
import { Command } from 'commander';
import { loadDotEnv } from '../shared/dot-env.ts';
import { serveCommand } from '../app/command.ts';
import { simulateCommand } from '../simulator/command.ts';
import { dashboardsCommand } from '../dashboards/command.ts';
import { chaosCommand } from '../chaos/command.ts';
import { flagsCommand, queueCommand, stackCommand } from '../stack/command.ts';
import { backupCommand } from '../backup/command.ts';

// The checkout's .env (ports, passwords `make up` wrote) under what the environment sets,
// as compose reads it: every subcommand reaches the lab with the containers' settings.
loadDotEnv(process.env);

const program = new Command('smartshop')
  .description('SmartShop Chaos Lab: a shop on MariaDB Galera, built to be observed and broken on purpose')
  .showHelpAfterError()
  .enablePositionalOptions();

program.addCommand(serveCommand());
program.addCommand(simulateCommand());
program.addCommand(dashboardsCommand());
program.addCommand(chaosCommand());
program.addCommand(stackCommand());
program.addCommand(flagsCommand());
program.addCommand(queueCommand());
program.addCommand(backupCommand());

await program.parseAsync(process.argv);
