// Reading a Prometheus text exposition, pure: its samples (name, labels, value), the value of
// each series, its cardinality (how many series, how many metric families), which label
// values one label takes, and which series are new. The one parser of the project: tests,
// the bench and the simulator's checks all read /metrics pages through it.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Cardinality {
  /** sample lines (one per series, histogram buckets included) */
  series: number;
  /** metric families (# TYPE lines) */
  families: number;
  bytes: number;
}

/** The series key of a sample line: name{labels}, without the value (and timestamp). */
export function seriesKey(line: string): string {
  const brace = line.indexOf('{');
  if (brace >= 0) {
    const close = line.lastIndexOf('}');
    if (close > brace) return line.slice(0, close + 1);
  }
  const space = line.indexOf(' ');
  return space < 0 ? line : line.slice(0, space);
}

/** Every series key in the exposition, in order. */
export function seriesKeys(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    out.push(seriesKey(line));
  }
  return out;
}

/** The value of a sample line (after its series key; a timestamp after it is ignored). */
function valueOf(line: string, key: string): number {
  return Number(line.slice(key.length).trim().split(/\s+/)[0]);
}

const LABEL = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of the exposition with its labels unescaped (\\, \", \n). */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const key = seriesKey(line);
    const brace = key.indexOf('{');
    const labels: Record<string, string> = {};
    if (brace >= 0) {
      for (const [, k = '', v = ''] of key.slice(brace + 1, -1).matchAll(LABEL)) labels[k] = v.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
    }
    samples.push({ name: brace >= 0 ? key.slice(0, brace) : key, labels, value: valueOf(line, key) });
  }
  return samples;
}

/** { 'name{labels}': value } with the series keys as the exposition writes them. */
export function seriesValues(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const key = seriesKey(line);
    out.set(key, valueOf(line, key));
  }
  return out;
}

/** The value of one series of seriesValues(), 0 when absent (a counter never incremented). */
export function seriesValue(values: Map<string, number>, series: string): number {
  return values.get(series) ?? 0;
}

/** Sum of the samples of `name` whose labels include `where`. */
export function total(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}

export function cardinality(text: string): Cardinality {
  let families = 0;
  for (const line of text.split('\n')) if (line.startsWith('# TYPE ')) families++;
  return { series: seriesKeys(text).length, families, bytes: Buffer.byteLength(text) };
}

/** Distinct values of `label` over the series of `metric` (exact name), sorted. */
export function labelValues(text: string, metric: string, label: string): string[] {
  const values = new Set<string>();
  const pattern = new RegExp(`[{,]${label}="((?:[^"\\\\]|\\\\.)*)"`);
  for (const key of seriesKeys(text)) {
    if (!key.startsWith(`${metric}{`)) continue;
    const m = pattern.exec(key);
    if (m) values.add(m[1] as string);
  }
  return [...values].sort();
}

/** Series of `after` that `before` did not have, sorted. */
export function newSeries(before: string, after: string): string[] {
  const seen = new Set(seriesKeys(before));
  return [...new Set(seriesKeys(after))].filter((k) => !seen.has(k)).sort();
}

/** Sum of the values of every series of `metric` (exact name), e.g. requests served so far. */
export function sumOf(text: string, metric: string): number {
  let sum = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    const value = valueOf(line, seriesKey(line));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** How many series `metric` (exact name) has. */
export function seriesOf(text: string, metric: string): number {
  return seriesKeys(text).filter((k) => k === metric || k.startsWith(`${metric}{`)).length;
}

/** Values of `metric` (exact name) by one label's value, summed over the other labels. */
export function valuesBy(text: string, metric: string, label: string): Map<string, number> {
  const out = new Map<string, number>();
  const pattern = new RegExp(`[{,]${label}="((?:[^"\\\\]|\\\\.)*)"`);
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith(`${metric}{`)) continue;
    const key = seriesKey(line);
    const m = pattern.exec(key);
    const value = valueOf(line, key);
    if (m && Number.isFinite(value)) out.set(m[1] as string, (out.get(m[1] as string) ?? 0) + value);
  }
  return out;
}
