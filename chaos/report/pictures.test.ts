import { describe, expect, it } from 'vitest';
import type { RequestSample } from '../../simulator/index.ts';
import { report } from './report-fixture.ts';
import { buildTimeline } from './timeline.ts';
import { drawPictures, renderHtml } from './pictures.ts';
import { outcomeClass, pointsToDraw } from '../../shared/charts.ts';

// the fixture's fault starts at epoch 1 000 ms, its rollback at 3 000 ms (T+2 s)
const samples: RequestSample[] = [
  ...Array.from({ length: 40 }, (_, i) => ({ at: 500 + i * 100, ms: 4 + (i % 7), endpoint: 'GET /api/products', outcome: '200' })),
  { at: 1_200, ms: 900, endpoint: 'POST /api/orders/create', outcome: '503' },
  { at: 1_400, ms: 5_000, endpoint: 'POST /api/orders/create', outcome: 'timeout' },
  { at: 1_600, ms: 3, endpoint: 'GET /api/users/1', outcome: 'error' },
  { at: 2_000, ms: 8, endpoint: 'GET /api/users/999', outcome: '404' },
];

describe('drill pictures', () => {
  it('classes outcomes as the charts colour them', () => {
    expect(['200', '201', '404', '409', '500', '503', 'timeout', 'error'].map(outcomeClass)).toEqual(['2xx', '2xx', '4xx', '4xx', '5xx', '5xx', 'timeout', 'error']);
  });
  it('draws every error, and thins the other points past the cap, in time order', () => {
    const points = samples.map((s) => ({ t: s.at / 1000, ms: s.ms, outcome: outcomeClass(s.outcome) }));
    const { drawn, okEvery } = pointsToDraw(points, 10);
    expect(okEvery).toBe(5); // 41 successes and 4xx, at most 10 drawn
    expect(drawn.filter((p) => ['5xx', 'timeout', 'error'].includes(p.outcome))).toHaveLength(3);
    expect(drawn.length).toBe(3 + Math.ceil(41 / 5));
  });
  it('renders SVG whose error points, fault window and lanes are the report\'s', async () => {
    const r = report();
    const { pictures, summary } = await drawPictures(r, samples);
    expect(summary).toEqual({ requests: 44, errors: 3, okEvery: 1, fault: { from: 0, to: 2 }, dropped: 0 });
    const latency = pictures.find((p) => p.name === 'latency')?.svg ?? '';
    expect(latency.startsWith('<svg')).toBe(true);
    const errorPoints = latency.match(/aria-label="[^"]*outcome: (5xx|timeout|error)"[^>]*aria-roledescription="point"/g) ?? [];
    expect(errorPoints).toHaveLength(3);
    expect(latency).toContain('aria-label="fault from (s): 0; fault to (s): 2"');
    const lanes = pictures.find((p) => p.name === 'lanes')?.svg ?? '';
    expect(lanes).toMatch(/lane: phases; [^"]*state: steady-state-hypothesis/);
    expect(lanes).toMatch(/seconds from the fault: 0; lane: fault; to \(s\): 2; state: injected/);
    const html = renderHtml(r, pictures, summary);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org|vega\.github\.io)/); // self-contained: no script, nothing fetched
    expect(html).toContain('3 errors');
  });
  it('draws every node\'s lanes and the alert\'s as the report kept them, on the fault\'s axis', async () => {
    const r = {
      ...report(),
      lanes: [
        { lane: 'mariadb-2 Galera', label: 'Synced', from: 500, to: 1_000 },
        { lane: 'mariadb-2 Galera', label: 'exited', from: 1_000, to: 3_500 },
        { lane: 'mariadb-2 HAProxy', label: 'DOWN', from: 1_250, to: 4_000 },
        { lane: 'HAProxyBackendServerDown in Prometheus', label: 'pending', from: 2_000, to: 3_000 },
        { lane: 'HAProxyBackendServerDown notifications', label: 'firing sent', from: 3_000, to: 4_000 },
      ],
    };
    const { pictures } = await drawPictures(r, samples);
    const lanes = pictures.find((p) => p.name === 'lanes')?.svg ?? '';
    const bars = lanes.match(/aria-roledescription="bar"/g) ?? [];
    // the phases, the fault and the five spans above (no client-error marks in the fixture)
    expect(bars.length).toBe(r.phases.length + 1 + 5);
    expect(lanes).toMatch(/seconds from the fault: 0; lane: mariadb-2 Galera; to \(s\): 2\.5; state: exited/);
    expect(lanes).toMatch(/lane: HAProxyBackendServerDown notifications; to \(s\): 3; state: firing sent/);
    // the target-only lanes of older reports are not drawn beside them
    expect(lanes).not.toContain('lane: HAProxy: ');
  });
  it('shades nothing when no fault was injected, on the timeline\'s own axis', async () => {
    const r = { ...report(), timeline: buildTimeline([{ at: 1_000, kind: 'traffic-start', detail: '' }, { at: 5_000, kind: 'traffic-stop', detail: '' }]) };
    const { pictures, summary } = await drawPictures(r, samples, 7);
    expect(summary.fault).toBeNull();
    expect(summary.dropped).toBe(7);
    expect(pictures.map((p) => p.svg).join('')).not.toContain('fault from (s)');
    // the axis starts at the timeline's first event: the first sample (at 500 ms) is at T-0.5 s
    expect(pictures.find((p) => p.name === 'latency')?.svg).toMatch(/seconds from the start: [−-]0\.5;/);
    expect(renderHtml(r, pictures, summary)).toContain('No fault was injected');
  });
});
