// The edge's drills on the shared lab (test/shared-lab.ts), after the alert drills: a flood
// from one client refused at the edge while the others are served, the edge stopped and
// started under traffic through it; and the flood's judge fails an edge with no limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { SHARED_LAB_ENV } from '../test/shared-lab.ts';

Object.assign(process.env, SHARED_LAB_ENV);

const { drillKit } = await import('./drill-test-kit.ts');
const { readLimits } = await import('../edge/limits.ts');
const { startLab, useLab, options, expectNoLoss } = drillKit(SHARED_LAB_ENV);
const { runDrill } = await import('./runner.ts');

useLab();

describe('the edge\'s drills on a real lab', () => {
  it('flood: the flood is refused with 429s at the edge, no refused write reaches the shop, the other clients keep within their budget', async () => {
    const r = await expectNoLoss('flood', { faultMs: 15_000 });
    const e = r.edge;
    if (!e || 'error' in e) throw new Error(`the edge not judged: ${e ? e.error : 'missing'}`);
    console.log(`[flood] ${e.limitedDuringFault} refused during the flood, ${e.limitedWrites} writes refused to the end (${e.limitedWritesInShop ?? 0} known to the shop); busiest writer ${JSON.stringify(e.busiestWriter)}; clients: ${JSON.stringify(r.clients)}`);
    expect(e.limitedDuringFault).toBeGreaterThan(0);
    // the flood's own client wrote, and within what its limit allows
    expect(e.busiestWriter?.client).toMatch(/-flood$/);
    expect(e.busiestWriter?.admitted).toBeLessThanOrEqual(e.busiestWriter?.allowed ?? 0);
    expect(e.limitedWritesInShop ?? 0).toBe(0);
    expect(r.traffic.byOutcome.limited).toBeGreaterThan(0);
    expect(r.verdict.verdict).toBe('passed');
  }, 600_000);

  it('edge-stop: the clients are served through the edge again once it is back, the shop untouched', async () => {
    const r = await expectNoLoss('edge-stop', { faultMs: 8_000 });
    const e = r.edge;
    if (!e || 'error' in e) throw new Error(`the edge not judged: ${e ? e.error : 'missing'}`);
    console.log(`[edge-stop] during: ${JSON.stringify(r.clientErrorsDuringFault)}; once the edge answered again: ${JSON.stringify(e.afterRollback)}`);
    // while it was gone its clients were refused: the drill did break something
    expect(r.clientErrorsDuringFault.error ?? 0).toBeGreaterThan(0);
    expect(e.afterRollback.failed).toBe(0);
    expect(e.afterRollback.succeeded).toBeGreaterThan(0);
    expect(r.verdict.verdict).toBe('passed');
  }, 600_000);

  describe('the judge fails an edge without limits', () => {
    beforeAll(async () => {
      const off = fileURLToPath(new URL('../edge/limits-off.map', import.meta.url));
      expect(readLimits(off).policies).toEqual([]);
      process.env.EDGE_LIMITS_FILE = 'limits-off.map';
      await startLab();
    }, 480_000);
    afterAll(async () => {
      delete process.env.EDGE_LIMITS_FILE;
      await startLab();
    }, 480_000);

    it('flood through an edge with no limits fails: nothing refused the flood', async () => {
      const outcome = await runDrill(options('flood', { faultMs: 15_000 }));
      const r = outcome.report;
      if (!r) throw new Error('no report');
      console.log(`[weakened flood] verdict ${r.verdict.verdict}: ${r.verdict.reason}; deviations: ${r.verdict.deviations.join(' | ') || 'none'}`);
      expect(r.verdict.verdict).toBe('failed');
      expect(r.verdict.failures.join('\n')).toMatch(/the edge refused none of the flood's \d+ requests/);
      // and its client wrote to the database past what the limits allow
      expect(r.verdict.failures.join('\n')).toMatch(/client \S+-flood got \d+ orders writes through the edge in \d+ s, over the \d+ its limit allows/);
      expect(r.traffic.byOutcome.limited ?? 0).toBe(0);
    }, 600_000);
  });
});
