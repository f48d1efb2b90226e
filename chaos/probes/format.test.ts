import { describe, expect, it } from 'vitest';
import { extraCost, finishRun, formatStaleRead, type StaleReadResult } from './stale-read.ts';

describe('stale-read arithmetic and table', () => {
  it('computes ratios and the causal read cost', () => {
    const off = finishRun({ syncWait: 0, reads: 200, stale: 25, staleRatio: 0, readMs: 400, meanReadMs: 0 });
    const on = finishRun({ syncWait: 1, reads: 200, stale: 0, staleRatio: 0, readMs: 500, meanReadMs: 0 });
    expect([off.staleRatio, off.meanReadMs, on.meanReadMs]).toEqual([0.125, 2, 2.5]);
    expect(extraCost(off, on)).toEqual({ extraMsPerRead: 0.5, extraRatio: 0.25 });
    expect(finishRun({ syncWait: 0, reads: 0, stale: 0, staleRatio: 0, readMs: 0, meanReadMs: 0 }).meanReadMs).toBe(0);
    const r: StaleReadResult = { writer: 'mariadb-1', reader: 'mariadb-2', iterations: 200, off, on, ...extraCost(off, on), stoppedEarly: false, rowsDeleted: 400 };
    const table = formatStaleRead(r);
    expect(table).toContain('| 0 | 200 | 25 | 12.5% | 2.00 |');
    expect(table).toContain('| 1 | 200 | 0 | 0.0% | 2.50 |');
    expect(table).toContain('+0.50 ms per read (+25.0%)');
  });
});
