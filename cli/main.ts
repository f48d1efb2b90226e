// The one `smartshop` command. Each part owns its subcommand in its own `command.ts`
// and imports its heavy modules lazily inside the action, so `smartshop --help` stays instant.
import { Command, CommanderError } from 'commander';
import { EXIT } from '../shared/exit-codes.ts';
import { ConfigError } from '../shared/env.ts';
import { loadDotEnv } from '../shared/dot-env.ts';
import { serveCommand } from '../app/command.ts';
import { simulateCommand } from '../simulator/command.ts';
import { dashboardsCommand } from '../dashboards/command.ts';
import { chaosCommand } from '../chaos/command.ts';
import { flagsCommand, queueCommand, stackCommand } from '../stack/command.ts';
import { backupCommand } from '../backup/command.ts';
import { limitsCommand } from '../edge/command.ts';

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
program.addCommand(limitsCommand());

// One table of exit codes for every command (shared/exit-codes.ts, the README): commander's
// own usage errors (an unknown option, a missing argument) exit 2 like ours, not its 1; an
// error no command caught is "could not run".
const everyCommand = (c: Command): Command[] => [c, ...c.commands.flatMap(everyCommand)];
for (const c of everyCommand(program)) c.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help ends here too, with its own code 0
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (err instanceof ConfigError) {
    // a setting of the environment (.env) that cannot be understood is a usage error
    console.error(`smartshop: ${err.message}`);
    process.exitCode = EXIT.usage;
  } else {
    console.error(`smartshop: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = EXIT.couldNotRun;
  }
}
