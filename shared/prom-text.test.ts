import { describe, expect, it } from 'vitest';
import { cardinality, labelValues, newSeries, parseSamples, seriesKey, seriesKeys, seriesOf, seriesValue, seriesValues, sumOf, total } from './prom-text.ts';

const BEFORE = `# HELP http_requests_total HTTP requests answered, by route template
# TYPE http_requests_total counter
http_requests_total{method="GET",route="/api/stats",status_code="200"} 12
http_requests_total{method="GET",route="/api/orders/:id",status_code="404"} 3

# HELP process_cpu_seconds_total CPU
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 1.5
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/stats",status_code="200"} 10
http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/stats",status_code="200"} 12
`;

const AFTER = `${BEFORE}http_requests_total{method="POST",route="unmatched",status_code="404"} 5
`;

describe('seriesKey', () => {
  it('cuts the value (and a timestamp) off a sample line', () => {
    expect(seriesKey('up 1')).toBe('up');
    expect(seriesKey('x{a="1 2",b="}"} 3 1700000000')).toBe('x{a="1 2",b="}"}');
  });
});

describe('cardinality', () => {
  it('counts sample lines and families, skipping comments and blank lines', () => {
    const c = cardinality(BEFORE);
    expect(c.series).toBe(5);
    expect(c.families).toBe(3);
    expect(c.bytes).toBe(Buffer.byteLength(BEFORE));
    expect(seriesKeys(BEFORE)[0]).toBe('http_requests_total{method="GET",route="/api/stats",status_code="200"}');
  });
});

describe('labelValues', () => {
  it('lists the distinct values of one label of one metric, exactly that metric', () => {
    expect(labelValues(AFTER, 'http_requests_total', 'route')).toEqual(['/api/orders/:id', '/api/stats', 'unmatched']);
    expect(labelValues(AFTER, 'http_request_duration_seconds_bucket', 'le')).toEqual(['+Inf', '0.005']);
    expect(labelValues(AFTER, 'http_requests', 'route')).toEqual([]);
  });

  it('handles escaped quotes in values', () => {
    expect(labelValues('m{a="say \\"hi\\"",b="x"} 1', 'm', 'a')).toEqual(['say \\"hi\\"']);
  });
});

describe('newSeries, sumOf, seriesOf', () => {
  it('lists the series the second exposition added', () => {
    expect(newSeries(BEFORE, AFTER)).toEqual(['http_requests_total{method="POST",route="unmatched",status_code="404"}']);
    expect(newSeries(AFTER, AFTER)).toEqual([]);
  });

  it('sums and counts the series of one metric', () => {
    expect(sumOf(AFTER, 'http_requests_total')).toBe(20);
    expect(sumOf(AFTER, 'process_cpu_seconds_total')).toBe(1.5);
    expect(seriesOf(AFTER, 'http_requests_total')).toBe(3);
    expect(seriesOf(AFTER, 'process_cpu_seconds_total')).toBe(1);
  });
});

describe('parseSamples and seriesValues', () => {
  const page = [
    '# HELP http_requests_total Requests',
    '# TYPE http_requests_total counter',
    'http_requests_total{method="GET",route="/api/x",status_code="200"} 3',
    'http_requests_total{method="POST",route="/a,b=\\"c\\"\\\\d",status_code="500"} 2 1700000000000',
    'process_up 1',
    '',
  ].join('\n');

  it('reads names, unescaped labels and values, ignoring comments and timestamps', () => {
    expect(parseSamples(page)).toEqual([
      { name: 'http_requests_total', labels: { method: 'GET', route: '/api/x', status_code: '200' }, value: 3 },
      { name: 'http_requests_total', labels: { method: 'POST', route: '/a,b="c"\\d', status_code: '500' }, value: 2 },
      { name: 'process_up', labels: {}, value: 1 },
    ]);
    expect(total(parseSamples(page), 'http_requests_total')).toBe(5);
    expect(total(parseSamples(page), 'http_requests_total', { method: 'GET' })).toBe(3);
  });

  it('keys each series as the exposition writes it; an absent series is 0', () => {
    const values = seriesValues(page);
    expect(seriesValue(values, 'http_requests_total{method="GET",route="/api/x",status_code="200"}')).toBe(3);
    expect(seriesValue(values, 'process_up')).toBe(1);
    expect(seriesValue(values, 'never_seen_total')).toBe(0);
  });
});
