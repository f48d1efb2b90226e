// An alert drill's alert on the pictures' time axis: Prometheus' own states of it
// (ALERTS{alertname}: pending while its `for` runs, then firing, as its rule evaluated them)
// and the moments its firing and resolved notifications reached the lab console.
import { PrometheusClient } from '../../shared/prometheus.ts';
import { toSpans, type TimeSpan } from '../../shared/charts.ts';

export async function alertLanes(prometheusUrl: string, alert: string, from: number, to: number, delivered: { firing?: number; resolved?: number }): Promise<TimeSpan[]> {
  const start = Math.floor(from / 1000);
  const end = Math.ceil(to / 1000);
  const series = await new PrometheusClient(prometheusUrl, { timeoutMs: 5_000 }).queryRange(`ALERTS{alertname="${alert}"}`, new Date(start * 1000), new Date(end * 1000), 1);
  // several label sets (one per node, say) share the lane: firing wins over pending
  const byTime = new Map<number, string>();
  for (const s of series) for (const [t] of s.values) if (byTime.get(t * 1000) !== 'firing') byTime.set(t * 1000, s.metric.alertstate ?? 'active');
  const steps = Array.from({ length: end - start + 1 }, (_, i) => (start + i) * 1000);
  const spans = toSpans(new Map([[`${alert} in Prometheus`, byTime]]), steps, 1000);
  const lane = `${alert} notifications`;
  if (delivered.firing !== undefined) spans.push({ lane, label: 'firing sent', from: delivered.firing, to: delivered.resolved ?? to });
  if (delivered.resolved !== undefined) spans.push({ lane, label: 'resolved sent', from: delivered.resolved, to: delivered.resolved + 1000 });
  return spans;
}
