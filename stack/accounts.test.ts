import { describe, expect, it } from 'vitest';
import { missingGrants } from './accounts.ts';

describe('accounts older than the checkout', () => {
  it('a backup account made before binary-log archiving lacks REPLICATION SLAVE; one made since, or none at all, needs nothing', () => {
    const old = "GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR ON *.* TO `backup`@`%` IDENTIFIED BY PASSWORD '*38' WITH MAX_USER_CONNECTIONS 4";
    const now = "GRANT RELOAD, PROCESS, LOCK TABLES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `backup`@`%` IDENTIFIED BY PASSWORD '*38' WITH MAX_USER_CONNECTIONS 5";
    expect(missingGrants("'backup'@'%'", old).map((u) => u.needs)).toEqual(['REPLICATION SLAVE']);
    expect(missingGrants("'backup'@'%'", now)).toEqual([]);
    expect(missingGrants("'backup'@'%'", undefined)).toEqual([]);
  });
});
