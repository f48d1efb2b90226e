import { describe, expect, it } from 'vitest';
import { toSpans } from '../shared/charts.ts';
import { toPoints } from './live-charts.ts';

describe('live charts: Prometheus range answers as points and lanes', () => {
  it('keeps every finite sample, named, in epoch milliseconds', () => {
    const points = toPoints([{ metric: { node: 'a' }, values: [[100, 1], [115, Number.NaN], [130, 2]] }], (m) => m.node ?? '?');
    expect(points).toEqual([{ series: 'a', at: 100_000, value: 1 }, { series: 'a', at: 130_000, value: 2 }]);
  });

  it('merges equal labels of consecutive steps into one span, a missing step as its own label or as no span', () => {
    const steps = [0, 15_000, 30_000, 45_000, 60_000];
    const lanes = new Map([['m1', new Map([[0, 'Synced'], [15_000, 'Synced'], [45_000, 'Synced'], [60_000, 'down']])]]);
    expect(toSpans(lanes, steps, 15_000, 'no data')).toEqual([
      { lane: 'm1', label: 'Synced', from: 0, to: 30_000 },
      { lane: 'm1', label: 'no data', from: 30_000, to: 45_000 },
      { lane: 'm1', label: 'Synced', from: 45_000, to: 60_000 },
      { lane: 'm1', label: 'down', from: 60_000, to: 75_000 },
    ]);
    expect(toSpans(lanes, steps, 15_000).map((s) => [s.label, s.from, s.to])).toEqual([['Synced', 0, 30_000], ['Synced', 45_000, 60_000], ['down', 60_000, 75_000]]);
  });
});
