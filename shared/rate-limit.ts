// The client's side of the edge's rate limits (edge/, docs/edge.md): a well-behaved client tells
// the edge's 429 from the shop's own (the problem type), waits Retry-After before trying
// again, and paces itself when the RateLimit field says nothing is left. Fields as in
// draft-ietf-httpapi-ratelimit-headers-11: `RateLimit: "orders";r=0;t=1` and
// `RateLimit-Policy: "orders";q=10;w=1`.
import type { HttpOutcome } from './http-client.ts';

/** The header a client on the lab's machine names itself with (the edge trusts it from there only). */
export const CLIENT_HEADER = 'x-smartshop-client';

/**
 * The name the lab's own tools give the edge (the drills' judges and probes): edge/limits.map
 * exempts lab-* clients, as they audit the shop rather than use it (on Swarm the edge is their
 * only way in). Trusted from this machine only, like any name.
 */
export const LAB_TOOLS_HEADERS: Readonly<Record<string, string>> = { [CLIENT_HEADER]: 'lab-tools' };

/** The problem type of a request refused for its quota (the draft's IANA registration). */
export const QUOTA_EXCEEDED = 'https://iana.org/assignments/http-problem-types#quota-exceeded';

/** A 429 from the edge's rate limit; an injected 429 from the shop is an ordinary answer. */
export function isRateLimited(res: HttpOutcome): boolean {
  if (res.kind !== 'response' || res.status !== 429) return false;
  const body = res.body;
  return body !== null && typeof body === 'object' && (body as { type?: unknown }).type === QUOTA_EXCEEDED;
}

/** The first item's integer parameter `name` of a structured-field list, e.g. r of `"orders";r=0;t=1`. */
export function fieldParam(value: string | null, name: string): number | undefined {
  if (value === null) return undefined;
  const first = value.split(',')[0] ?? '';
  for (const part of first.split(';').slice(1)) {
    const [k, v] = part.trim().split('=');
    if (k === name && v !== undefined && /^\d+$/.test(v)) return Number(v);
  }
  return undefined;
}

/** How long to wait before trying a limited request again: Retry-After, at least one second. */
export function retryAfterMs(res: HttpOutcome): number {
  const seconds = res.kind === 'response' ? Number(res.headers.get('retry-after')) : Number.NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
}

/**
 * How long to hold the next request after this answer: when nothing of the quota is left
 * (r=0), one request's share of the window (w / q), so the next one finds room; else 0.
 */
export function paceMs(res: HttpOutcome): number {
  if (res.kind !== 'response' || fieldParam(res.headers.get('ratelimit'), 'r') !== 0) return 0;
  const policy = res.headers.get('ratelimit-policy');
  const q = fieldParam(policy, 'q');
  const w = fieldParam(policy, 'w') ?? 1;
  return q !== undefined && q > 0 ? Math.ceil((w * 1000) / q) : 0;
}
