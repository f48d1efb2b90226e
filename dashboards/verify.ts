// Live verification: every panel query, template-variable query, annotation and recording
// rule is sent to Prometheus and must return at least one series. A dashboard nobody has
// seen with data is a guess; this turns it into a check.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dashboards } from './catalog.ts';
import { panelQueries } from './render.ts';
import type { DashboardSpec } from './types.ts';
import { PrometheusClient, type Fetch } from '../shared/prometheus.ts';

export type { Fetch } from '../shared/prometheus.ts';

export interface CheckedQuery {
  // Where the query comes from, e.g. "smartshop-overview / Request rate by route [A]".
  source: string;
  expr: string;
  faultOnly: boolean;
}

export interface QueryOutcome extends CheckedQuery {
  series: number;
  error?: string;
}

const DEFAULT_RULES_DIR = 'prometheus/rules';

// Values for Grafana's built-in interval variables: 1m covers four 15 s scrapes, so rate()
// always has enough samples; $__range is what a default short dashboard window would give.
const BUILTINS: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '1m',
  __interval_ms: '60000',
  __range: '5m',
  __range_s: '300',
  __range_ms: '300000',
};

// Replaces Grafana variables ($name, ${name}, ${name:format}, [[name]]) by something
// Prometheus accepts: built-in intervals by a duration, every template variable by `.*`.
// `.*` only makes sense after `=~`; a variable used with `=` then returns nothing and the
// verification reports it, which is the point.
export function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$\{([A-Za-z_]\w*)(?::[^}]*)?\}|\[\[([A-Za-z_]\w*)(?::[^\]]*)?\]\]|\$([A-Za-z_]\w*)/g, (_match, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c ?? '';
    return BUILTINS[name] ?? '.*';
  });
}

export function dashboardQueries(specs: readonly DashboardSpec[] = dashboards): CheckedQuery[] {
  const out: CheckedQuery[] = [];
  for (const spec of specs) {
    for (const v of spec.variables) {
      out.push({ source: `${spec.uid} / variable $${v.name}`, expr: `count by (${v.labelName}) (${v.metric})`, faultOnly: false });
    }
    for (const a of spec.annotations ?? []) {
      out.push({ source: `${spec.uid} / annotation ${a.name}`, expr: a.expr, faultOnly: a.faultOnly === true });
    }
    for (const row of spec.rows) {
      for (const panel of row.panels) {
        panelQueries(panel).forEach((query, index) => {
          const refId = String.fromCharCode(65 + index);
          out.push({ source: `${spec.uid} / ${panel.title} [${refId}]`, expr: query.expr, faultOnly: query.faultOnly === true });
        });
      }
    }
  }
  return out;
}

interface RuleFile {
  groups?: { name?: string; rules?: { record?: string; alert?: string; expr?: string | number }[] }[];
}

export async function recordingRuleQueries(dir: string = DEFAULT_RULES_DIR): Promise<CheckedQuery[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const out: CheckedQuery[] = [];
  for (const file of files) {
    const doc = parse(await readFile(join(dir, file), 'utf8')) as RuleFile | null;
    for (const group of doc?.groups ?? []) {
      for (const rule of group.rules ?? []) {
        if (rule.record === undefined || rule.expr === undefined) continue;
        // The expression proves the inputs have data; the recorded series proves that
        // Prometheus loaded the file and evaluates the rule.
        out.push({ source: `${file} / ${rule.record} (expression)`, expr: String(rule.expr), faultOnly: false });
        out.push({ source: `${file} / ${rule.record} (recorded series)`, expr: rule.record, faultOnly: false });
      }
    }
  }
  return out;
}

export async function countSeries(prometheusUrl: string, expr: string, fetchImpl: Fetch = fetch, timeoutMs = 10_000): Promise<number> {
  return (await new PrometheusClient(prometheusUrl, { fetch: fetchImpl, timeoutMs }).query(substituteGrafanaVariables(expr))).length;
}

export async function verifyQueries(prometheusUrl: string, queries: readonly CheckedQuery[], fetchImpl: Fetch = fetch): Promise<QueryOutcome[]> {
  const outcomes: QueryOutcome[] = [];
  for (const query of queries) {
    try {
      outcomes.push({ ...query, series: await countSeries(prometheusUrl, query.expr, fetchImpl) });
    } catch (error) {
      outcomes.push({ ...query, series: 0, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return outcomes;
}

// Which queries to send: outside a drill the faultOnly ones are skipped (they are empty by
// design); during a drill (`faults`) only those are sent.
export function selectQueries(queries: readonly CheckedQuery[], mode: 'steady' | 'faults' | 'all'): CheckedQuery[] {
  if (mode === 'all') return [...queries];
  return queries.filter((q) => q.faultOnly === (mode === 'faults'));
}
