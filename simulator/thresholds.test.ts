import { describe, expect, it } from 'vitest';
import { judgeThresholds, junitXml, parseThreshold, thresholdCases, type Measured } from './thresholds.ts';
import { UsageError } from '../shared/cli-numbers.ts';
import type { RunSummary } from './engine/run.ts';

const latency = (p95: number) => ({ count: 10, p50: p95 / 2, p95, p99: p95 * 2, min: 0.001, max: p95 * 3, mean: p95 / 2 });
const summary = {
  requests: { total: 200, byOutcome: { 200: 190, 409: 8, 503: 1, timeout: 1 } },
  latency: latency(0.2),
  endpoints: { 'POST /api/orders/create': { requests: 50, outcomes: { 201: 50 }, latency: latency(0.4) } },
  journeys: { started: 42, completed: 38, failed: 1, limited: 2, dropped: 1, stopped: 0 },
} as unknown as RunSummary;
const run: Measured = { summary, quantile: (endpoint, q) => (endpoint === 'POST /api/orders/create' ? 0.4 : 0.2) * (q >= 0.99 ? 2 : 1) };

describe('load-test thresholds', () => {
  it('parses metric, endpoint tag, aggregation, operator and value', () => {
    expect(parseThreshold('http_req_duration{endpoint:POST /api/orders/create}:p(95)<750')).toMatchObject({
      metric: 'http_req_duration', endpoint: 'POST /api/orders/create', aggregation: { kind: 'p', q: 0.95 }, op: '<', value: 750,
    });
    expect(parseThreshold(' http_req_failed:rate<=0.01 ')).toMatchObject({ metric: 'http_req_failed', aggregation: { kind: 'rate' }, op: '<=', value: 0.01 });
  });

  it('refuses what it cannot judge, naming the mistake', () => {
    expect(() => parseThreshold('http_req_duration<500')).toThrow(UsageError);
    expect(() => parseThreshold('http_reqs:count>10')).toThrow(/unknown metric http_reqs/);
    expect(() => parseThreshold('http_req_failed:p(95)<1')).toThrow(/takes rate, not p\(95\)/);
    expect(() => parseThreshold('http_req_duration{method:GET}:p(95)<1')).toThrow(/only tag is endpoint/);
    expect(() => parseThreshold('http_req_duration:p(0)<1')).toThrow(/0 < N/);
  });

  it('judges latency in milliseconds, failures as 5xx/timeouts/errors, journeys completed', () => {
    const results = judgeThresholds(['http_req_duration:p(95)<500', 'http_req_duration:p(99)<300', 'http_req_duration{endpoint:POST /api/orders/create}:p(95)<300',
      'http_req_failed:rate<0.02', 'http_req_failed:rate<0.005', 'journeys_completed:rate>0.9', 'http_req_duration{endpoint:GET /nowhere}:p(95)<1'].map(parseThreshold), run);
    expect(results.map((r) => r.ok)).toEqual([true, false, false, true, false, true, false]);
    expect(results[0]?.observed).toBeCloseTo(200, 6);
    expect(results[3]?.observed).toBeCloseTo(2 / 200, 9); // 409 is an answer, not a failure
    expect(results[5]?.observed).toBeCloseTo(38 / 42, 9); // limited at the edge is not completed
    expect(results[6]?.detail).toMatch(/nothing to measure/);
  });

  it('writes JUnit XML with one case per threshold and a failure for each crossed one', () => {
    const results = judgeThresholds([parseThreshold('http_req_duration:p(95)<1'), parseThreshold('http_req_failed:rate<0.5')], run);
    const xml = junitXml('smoke', thresholdCases(results), 12.3);
    expect(xml).toContain('tests="2" failures="1"');
    expect(xml).toContain('name="http_req_duration:p(95)&lt;1"');
    expect(xml.match(/<failure /g)).toHaveLength(1);
  });
});
