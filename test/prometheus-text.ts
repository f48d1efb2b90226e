// Parses Prometheus text exposition into { 'name{labels}': value } for assertions in tests.
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

/** The value of one series, or 0 when it is absent (a counter never incremented). */
export function metric(metrics: Map<string, number>, series: string): number {
  return metrics.get(series) ?? 0;
}
