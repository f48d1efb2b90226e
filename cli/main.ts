// The one `smartshop` command. Each part owns its subcommand in its own `command.ts`
// and imports its heavy modules lazily inside the action, so `smartshop --help` stays instant.
import { Command } from 'commander';
import { serveCommand } from '../app/command.ts';

const program = new Command('smartshop')
  .description('SmartShop Chaos Lab: a shop on MariaDB Galera, built to be observed and broken on purpose')
  .showHelpAfterError()
  .enablePositionalOptions();

program.addCommand(serveCommand());

await program.parseAsync(process.argv);
