// Live verification's pure parts: Grafana variable substitution, which queries are sent
// (fault-only ones skipped outside a drill), and how Prometheus answers are counted.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { countSeries, dashboardQueries, recordingRuleQueries, selectQueries, substituteGrafanaVariables, verifyQueries } from './verify.ts';
import type { Fetch } from './verify.ts';

const rulesDir = fileURLToPath(new URL('../prometheus/rules/', import.meta.url));

describe('substituteGrafanaVariables', () => {
  it('turns interval built-ins into durations Prometheus accepts', () => {
    expect(substituteGrafanaVariables('rate(x[$__rate_interval])')).toBe('rate(x[1m])');
    expect(substituteGrafanaVariables('rate(x[${__interval}])')).toBe('rate(x[1m])');
    expect(substituteGrafanaVariables('increase(x[$__range])')).toBe('increase(x[5m])');
    expect(substituteGrafanaVariables('x / $__range_s')).toBe('x / 300');
  });

  it('turns template variables in every syntax into a match-all regex', () => {
    expect(substituteGrafanaVariables('up{instance=~"$instance"}')).toBe('up{instance=~".*"}');
    expect(substituteGrafanaVariables('up{instance=~"${instance}", proxy=~"${proxy:regex}"}')).toBe('up{instance=~".*", proxy=~".*"}');
    expect(substituteGrafanaVariables('up{job=~"[[job]]"}')).toBe('up{job=~".*"}');
  });

  it('leaves PromQL that only looks like a variable alone', () => {
    const expr = 'label_replace(up, "host", "$1", "instance", "(.*):.*") and on() x{a=~"^b$"}';
    expect(substituteGrafanaVariables(expr)).toBe(expr);
  });

  it('leaves no Grafana variable in any dashboard query', () => {
    for (const query of dashboardQueries()) {
      expect(substituteGrafanaVariables(query.expr), query.source).not.toMatch(/\$[A-Za-z_]|\[\[/);
    }
  });
});

describe('query selection', () => {
  const queries = dashboardQueries();

  it('marks every chaos_* query as fault-only, and only those', () => {
    for (const query of queries) expect(query.faultOnly || !query.expr.includes('chaos_'), query.source).toBe(true);
    expect(queries.filter((q) => q.expr.includes('chaos_')).length).toBeGreaterThan(4);
  });

  it('skips fault-only queries in steady mode and sends only them in faults mode', () => {
    const steady = selectQueries(queries, 'steady');
    const faults = selectQueries(queries, 'faults');
    expect(steady.some((q) => q.faultOnly)).toBe(false);
    expect(faults.every((q) => q.faultOnly)).toBe(true);
    expect(steady.length + faults.length).toBe(queries.length);
    expect(selectQueries(queries, 'all')).toHaveLength(queries.length);
  });

  it('includes template-variable queries and both forms of every recording rule', async () => {
    expect(queries.map((q) => q.expr)).toContain('count by (instance) (mysql_up)');
    const rules = await recordingRuleQueries(rulesDir);
    expect(rules.map((r) => r.expr)).toContain('smartshop:http_error_ratio:rate5m');
    expect(rules.some((r) => r.expr.includes('sum by (route) (rate(http_requests_total[5m]))'))).toBe(true);
    expect(rules.length % 2).toBe(0);
  });
});

describe('verifyQueries', () => {
  // A stand-in for Prometheus' HTTP API: answers by the query text it receives.
  const seen: string[] = [];
  const fakePrometheus: Fetch = (url) => {
    const query = new URL(url).searchParams.get('query') ?? '';
    seen.push(query);
    const body = query.startsWith('bad')
      ? { status: 'error', error: 'parse error' }
      : { status: 'success', data: { resultType: 'vector', result: query.startsWith('empty') ? [] : [{ metric: {}, value: [0, '1'] }, { metric: {}, value: [0, '2'] }] } };
    return Promise.resolve({ ok: !query.startsWith('bad'), status: query.startsWith('bad') ? 400 : 200, json: () => Promise.resolve(body) });
  };

  it('sends the substituted query and counts the series', async () => {
    expect(await countSeries('http://prom:9090/', 'rate(x{i=~"$instance"}[$__rate_interval])', fakePrometheus)).toBe(2);
    expect(seen.at(-1)).toBe('rate(x{i=~".*"}[1m])');
  });

  it('reports empty answers and Prometheus errors as zero series', async () => {
    const outcomes = await verifyQueries(
      'http://prom:9090',
      [
        { source: 'a', expr: 'up', faultOnly: false },
        { source: 'b', expr: 'empty_metric', faultOnly: false },
        { source: 'c', expr: 'bad((', faultOnly: false },
      ],
      fakePrometheus,
    );
    expect(outcomes.map((o) => [o.source, o.series, o.error])).toEqual([
      ['a', 2, undefined],
      ['b', 0, undefined],
      ['c', 0, 'Prometheus /api/v1/query: parse error'],
    ]);
  });
});
