// Accounts are created when a node is initialised (mariadb/docker-entrypoint.sh), so a lab
// whose data is older than a grant the checkout needs keeps the old one. `stack up` brings
// such an account up to date, as the nodes' local root (no password travels), once the
// cluster is ready: Galera replicates the GRANT to every node.
import { composeCapture } from './compose.ts';
import type { LabConfig } from '../lab/index.ts';

type Log = (line: string) => void;

/** What an account needs that its node's initialisation may predate. */
const UPGRADES = [
  {
    account: "'backup'@'%'",
    needs: 'REPLICATION SLAVE',
    why: 'the backup service streams the binary log into backups/binlogs',
    sql: "GRANT REPLICATION SLAVE ON *.* TO 'backup'@'%'; ALTER USER 'backup'@'%' WITH MAX_USER_CONNECTIONS 5",
  },
];

/** The upgrades a SHOW GRANTS answer lacks (an account that does not exist needs none: it was never made). */
export function missingGrants(account: string, shown: string | undefined): typeof UPGRADES {
  if (shown === undefined) return [];
  return UPGRADES.filter((u) => u.account === account && !shown.toUpperCase().includes(u.needs));
}

export async function upgradeAccounts(config: LabConfig, log: Log): Promise<void> {
  const root = (sql: string): Promise<string> => composeCapture(config, ['exec', '-T', 'mariadb-1', 'mariadb', '-N', '-B', '-e', sql], 30_000);
  for (const account of new Set(UPGRADES.map((u) => u.account))) {
    // an unknown account is an error from SHOW GRANTS: nothing to upgrade
    const shown = await root(`SHOW GRANTS FOR ${account}`).catch(() => undefined);
    for (const u of missingGrants(account, shown)) {
      log(`==> ${account} predates ${u.needs} (${u.why}): granting it`);
      await root(u.sql).catch((e: Error) => log(`warning: could not grant ${u.needs} to ${account} (${e.message.split('\n').at(-2) ?? e.message}); the binlog archive stays off until it is`));
    }
  }
}
