// `smartshop serve`: runs the API and the web UI. Options override the environment.
// It starts even when the database is down (readiness says so, migrations retry), because in
// the stack the app may come up before the cluster.
import { Command, InvalidArgumentError } from 'commander';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('run the shop API (PORT, default 8000) and the web UI (UI_PORT, default 3000)')
    .option('-p, --port <port>', 'API port (env PORT)', port)
    .option('--ui-port <port>', 'web UI port, 0 = no UI listener (env UI_PORT)', port)
    .option('--host <host>', 'address to bind (env HOST, default 127.0.0.1)')
    .action(async (opts: { port?: number; uiPort?: number; host?: string }) => {
      const { loadConfig } = await import('./config.ts');
      const { ConfigError } = await import('../shared/env.ts');
      const { startServer } = await import('./server.ts');
      let config;
      try {
        config = loadConfig(process.env);
      } catch (err) {
        if (err instanceof ConfigError) {
          console.error(`smartshop serve: ${err.message}`);
          process.exit(2);
        }
        throw err;
      }
      if (opts.port !== undefined) config.port = opts.port;
      if (opts.uiPort !== undefined) config.uiPort = opts.uiPort === 0 ? null : opts.uiPort;
      if (opts.host !== undefined) config.host = opts.host;
      const server = await startServer(config);
      const { logger } = server.app;
      logger.info(
        { api: server.apiUrl, ui: server.uiUrl, db: `${config.db.host}:${config.db.port}/${config.db.database}` },
        'smartshop serving',
      );
      console.error(`SmartShop API on ${server.apiUrl}${server.uiUrl === undefined ? '' : `, web UI on ${server.uiUrl}`}`);
      const stop = (signal: string): void => {
        logger.info({ signal }, 'draining in-flight requests, then closing the pool');
        server.close().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(3); // "could not run" in the exit-code table (shared/exit-codes.ts)
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
