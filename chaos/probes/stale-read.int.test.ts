// The stale-read probe against a real three-node Galera (the integrity lab stack): write on
// one node, read at once on another. wsrep_sync_wait=1 is Galera's documented causal read:
// a read that starts after a commit acknowledged anywhere in the cluster sees it. Zero stale
// reads with it is asserted; how many there are without it is measured and printed only.
import { beforeAll, describe, expect, it } from 'vitest';
import { DB_CREDENTIALS, integrityStack, integrityUp } from '../../test/integrity/lab.ts';
import { formatStaleRead, runStaleReadProbe } from './stale-read.ts';
import { formatRace, runNaiveRace } from './naive-race.ts';

beforeAll(async () => {
  await integrityUp();
}, 900_000);

describe('stale-read probe', () => {
  it('counts stale reads with wsrep_sync_wait 0 and 1; causal reads see every write', async () => {
    const r = await runStaleReadProbe({
      project: integrityStack.project,
      writer: 'mariadb-1',
      reader: 'mariadb-2',
      iterations: 200,
      maxMs: 600_000,
      credentials: DB_CREDENTIALS,
    });
    console.log(formatStaleRead(r));
    expect(r.stoppedEarly).toBe(false);
    expect([r.writer, r.reader]).toEqual(['mariadb-1', 'mariadb-2']);
    expect([r.off.syncWait, r.off.reads, r.on.syncWait, r.on.reads]).toEqual([0, 200, 1, 200]);
    expect(r.off.stale).toBeGreaterThanOrEqual(0);
    expect(r.off.stale).toBeLessThanOrEqual(200);
    expect(r.off.staleRatio).toBeCloseTo(r.off.stale / 200, 10);
    expect(Number.isFinite(r.extraMsPerRead)).toBe(true);
    expect(r.rowsDeleted).toBe(400); // the probe cleans up every row it wrote
    expect(r.on.stale).toBe(0); // Galera's guarantee for causal reads
  }, 900_000);

  it('refuses to probe a node against itself and names unknown nodes', async () => {
    await expect(runStaleReadProbe({ project: integrityStack.project, writer: 'mariadb-1', reader: 'mariadb-1', iterations: 1 })).rejects.toThrow(/different nodes/);
    await expect(runStaleReadProbe({ project: integrityStack.project, writer: 'mariadb-1', reader: 'mariadb-9', iterations: 1 })).rejects.toThrow(/mariadb-9.*found: mariadb-1, mariadb-2, mariadb-3/);
  });

  // Contrast measurement, printed for docs/integrity.md. The only assertion is on the shop's
  // own pattern: the conditional UPDATE never crowns two winners.
  it('read-then-write vs conditional UPDATE, 16 clients over three nodes (printed)', async () => {
    const r = await runNaiveRace({ project: integrityStack.project, rounds: 20, maxMs: 600_000, credentials: DB_CREDENTIALS });
    console.log(formatRace(r));
    const conditional = r.results.find((m) => m.mode === 'conditional');
    expect(conditional?.rounds).toBe(20);
    expect(conditional?.maxWinners).toBe(1);
  }, 900_000);
});
