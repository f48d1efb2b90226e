// GETs against the lab's own HTTP APIs (Prometheus, Alertmanager, the lab console, the
// shop's probes), always bounded in time: one way for every part that reads them. They name
// themselves to the edge as the lab's tools (exempt from its rate limits), which matters where
// the edge is the only way to the shop (Swarm).
import { LAB_TOOLS_HEADERS } from './rate-limit.ts';

/** The status and body, whatever the status (a probe wants a 503 too). */
export async function getText(url: string, timeoutMs = 3_000): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { headers: LAB_TOOLS_HEADERS, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
}

/** The parsed JSON of a 2xx answer; anything else throws, naming the URL and the status. */
export async function getJson<T>(url: string, timeoutMs = 5_000): Promise<T> {
  const res = await fetch(url, { headers: LAB_TOOLS_HEADERS, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}
