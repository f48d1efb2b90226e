// Helpers for the simulator's integration tests: scrape a /metrics page into samples.
import { parseSamples, type Sample } from '../shared/prom-text.ts';

export { total, type Sample } from '../shared/prom-text.ts';

export async function scrape(baseUrl: string): Promise<Sample[]> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  return parseSamples(await res.text());
}
