import { describe, expect, it } from 'vitest';
import { recoveryWaitSeconds } from './recovery.ts';

describe('how long recovery waits', () => {
  it('waits the drill\'s whole bound while a node runs or the rollback went well', () => {
    expect(recoveryWaitSeconds(120, [], ['exited', 'exited', 'exited'])).toBe(120);
    expect(recoveryWaitSeconds(120, ['mariadb-3: could not start'], ['running', 'exited', 'exited'])).toBe(120);
  });

  it('gives up after 10 s when the rollback failed and no Galera node runs: it cannot recover by itself', () => {
    expect(recoveryWaitSeconds(120, ['mariadb-1: could not start'], ['exited', 'exited', 'exited'])).toBe(10);
    expect(recoveryWaitSeconds(120, ['docker went away'], [])).toBe(10);
  });
});
