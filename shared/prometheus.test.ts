import { describe, expect, it } from 'vitest';
import { PrometheusClient, type Fetch } from './prometheus.ts';

// A stand-in for Prometheus' HTTP API, answering each path as the real one does (shapes from
// https://prometheus.io/docs/prometheus/latest/querying/api/).
const answers: Record<string, unknown> = {
  '/api/v1/query': { status: 'success', data: { resultType: 'vector', result: [{ metric: { node: 'mariadb-1' }, value: [1, '4'] }, { metric: { node: 'mariadb-2' }, value: [1, 'NaN'] }] } },
  '/api/v1/query_range': { status: 'success', data: { resultType: 'matrix', result: [{ metric: { job: 'app' }, values: [[10, '1'], [20, '2.5']] }] } },
  '/api/v1/alerts': { status: 'success', data: { alerts: [{ labels: { alertname: 'GaleraNodeDown' }, state: 'firing', activeAt: '2026-01-01T00:00:00Z' }] } },
  '/api/v1/rules': { status: 'success', data: { groups: [{ name: 'g', rules: [{ name: 'A', type: 'alerting', query: 'x' }, { name: 'r:x', type: 'recording' }] }] } },
  '/api/v1/targets': { status: 'success', data: { activeTargets: [{ labels: { job: 'app', instance: 'app:8000' }, health: 'up', lastError: '' }, {}] } },
  '/api/v1/alertmanagers': { status: 'success', data: { activeAlertmanagers: [{ url: 'http://alertmanager:9093/api/v2/alerts' }] } },
};
const seen: URL[] = [];
const fake: Fetch = (url) => {
  const u = new URL(url);
  seen.push(u);
  const body = u.searchParams.get('query') === 'bad(' ? { status: 'error', errorType: 'bad_data', error: 'parse error' } : answers[u.pathname];
  return Promise.resolve({ ok: body !== undefined, status: body === undefined ? 404 : 200, json: () => Promise.resolve(body ?? {}) });
};
const prom = new PrometheusClient('http://prom:9090/', { fetch: fake });

describe('PrometheusClient', () => {
  it('reads instant and range queries as numbers', async () => {
    expect(await prom.query('up')).toEqual([{ metric: { node: 'mariadb-1' }, value: 4 }, { metric: { node: 'mariadb-2' }, value: Number.NaN }]);
    expect(await prom.scalar('up')).toBe(4);
    const series = await prom.queryRange('rate(x[1m])', new Date(10_000), new Date(20_000), 5);
    expect(series).toEqual([{ metric: { job: 'app' }, values: [[10, 1], [20, 2.5]] }]);
    expect(Object.fromEntries(seen.at(-1)?.searchParams ?? [])).toEqual({ query: 'rate(x[1m])', start: '10', end: '20', step: '5' });
  });
  it('reads alerts, rules, targets and Alertmanagers', async () => {
    expect((await prom.alerts()).map((a) => [a.labels.alertname, a.state])).toEqual([['GaleraNodeDown', 'firing']]);
    expect(await prom.rules('alert')).toEqual([{ name: 'A', type: 'alerting' }, { name: 'r:x', type: 'recording' }]);
    expect(seen.at(-1)?.search).toBe('?type=alert');
    expect(await prom.targets()).toEqual([{ job: 'app', instance: 'app:8000', health: 'up', lastError: '' }, { job: '', instance: '', health: 'unknown', lastError: '' }]);
    expect(await prom.alertmanagers()).toBe(1);
  });
  it("throws with Prometheus' own message on an error answer, and on a missing API", async () => {
    await expect(prom.query('bad(')).rejects.toThrow('Prometheus /api/v1/query: parse error');
    await expect(new PrometheusClient('http://prom:9090', { fetch: (u) => fake(u.replace('/api/v1/', '/nope/'), { signal: AbortSignal.timeout(1) }) }).alerts()).rejects.toThrow(/HTTP 404/);
  });
});
