// The edge's rate limits as data: edge/limits.map, the file HAProxy reads (edge/haproxy.cfg).
// Parsed here for `smartshop limits show`, the tools that pace themselves by it, and the
// tests that check the file says what the edge does.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENT_HEADER } from '../shared/rate-limit.ts';
import { ConfigError } from '../shared/env.ts';

const LIMITS_FILE = fileURLToPath(new URL('./limits.map', import.meta.url));
/** The draft the edge's RateLimit and RateLimit-Policy fields follow. */
const RATELIMIT_DRAFT = 'draft-ietf-httpapi-ratelimit-headers-11';
/** A group or class that is never limited. */
const EXEMPT = 'exempt';

export interface Policy {
  class: string;
  group: string;
  /** requests per second per client */
  rate: number;
  /** requests a client may send at once beyond the rate */
  burst: number;
}

export interface Limits {
  /** first match wins, as HAProxy's map_beg reads them */
  routes: { prefix: string; group: string }[];
  classes: { prefix: string; class: string }[];
  policies: Policy[];
}

/** A limits file that cannot be read as the edge would: the user's to fix (no stack trace). */
export class LimitsError extends ConfigError {}

/** The same client name rule as the edge's (edge/haproxy.cfg `named_client`). */
export const CLIENT_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function parseLimits(text: string, file = 'limits.map'): Limits {
  const limits: Limits = { routes: [], classes: [], policies: [] };
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${file}:${i + 1}`;
    const [key, value, extra] = line.split(/\s+/);
    if (key === undefined || value === undefined || extra !== undefined) throw new LimitsError(`${where}: expected "<key> <value>", got "${line}"`);
    const colon = key.indexOf(':');
    const kind = key.slice(0, colon);
    const name = key.slice(colon + 1);
    if (colon < 0 || name === '') throw new LimitsError(`${where}: "${key}" is not route:<prefix>, class:<prefix> or policy:<class>/<group>`);
    if (kind === 'route') {
      if (!name.startsWith('/')) throw new LimitsError(`${where}: a route prefix starts with / (got "${name}")`);
      // the edge matches the path in lower case: a prefix with a capital would never match
      if (name !== name.toLowerCase()) throw new LimitsError(`${where}: a route prefix is in lower case, as the edge matches paths (got "${name}")`);
      limits.routes.push({ prefix: name, group: value });
    } else if (kind === 'class') {
      limits.classes.push({ prefix: name, class: value });
    } else if (kind === 'policy') {
      const [cls, group, more] = name.split('/');
      const m = /^([1-9][0-9]{0,3}):([0-9]{1,4})$/.exec(value);
      if (!cls || !group || more !== undefined) throw new LimitsError(`${where}: a policy is policy:<class>/<group> (got "${key}")`);
      // 1000 / rate must be a whole number of ms for the edge's integer arithmetic to be exact
      if (!m || 1000 % Number(m[1]) !== 0) throw new LimitsError(`${where}: "${value}" is not <rate>:<burst>, a rate of 1 to 1000 requests per second that divides 1000, and a burst of 0 to 9999`);
      const rate = Number(m[1]);
      const burst = Number(m[2]);
      // the edge forgets a client 60 s after its last request (and takes a bucket more than
      // 600 s ahead for a wrapped clock): a full bucket must drain within that
      if (((burst + 1) * 1000) / rate > 60_000) throw new LimitsError(`${where}: "${value}": a full bucket (burst + 1 = ${burst + 1} requests at ${rate}/s) takes over 60 s to drain, longer than the edge remembers a client`);
      limits.policies.push({ class: cls, group, rate, burst });
    } else {
      throw new LimitsError(`${where}: unknown kind "${kind}" (route, class or policy)`);
    }
  });
  return limits;
}

export function readLimits(file = LIMITS_FILE): Limits {
  return parseLimits(readFileSync(file, 'utf8'), file);
}

/**
 * The limits the edge is started with: EDGE_LIMITS_FILE, a .map file in `dir` (this folder;
 * compose mounts it), default limits.map. Throws naming a bad name, a missing file or a bad line.
 */
export function readEdgeLimitsFile(env: Record<string, string | undefined> = process.env, dir = dirname(LIMITS_FILE)): Limits {
  const name = env.EDGE_LIMITS_FILE || 'limits.map';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\.map$/.test(name)) throw new LimitsError(`EDGE_LIMITS_FILE=${name}: expected the name of a .map file in edge/ (limits.map, limits-off.map)`);
  if (!existsSync(join(dir, name))) throw new LimitsError(`EDGE_LIMITS_FILE=${name}: there is no edge/${name}`);
  return readLimits(join(dir, name));
}

/** The route group of a path, as the edge finds it (in lower case, first matching prefix; none: light). */
export function groupOf(limits: Limits, path: string): string {
  const lower = path.toLowerCase();
  return limits.routes.find((r) => lower.startsWith(r.prefix))?.group ?? 'light';
}

/** The class of a client name, as the edge finds it (first matching prefix; none: default). */
function classOf(limits: Limits, client: string): string {
  return limits.classes.find((c) => client.startsWith(c.prefix))?.class ?? 'default';
}

/** The policy a client's request to a path falls under, or undefined when it is not limited. */
export function policyFor(limits: Limits, client: string, path: string): Policy | undefined {
  const group = groupOf(limits, path);
  const cls = classOf(limits, client);
  return limits.policies.find((p) => p.class === cls && p.group === group);
}

/** `smartshop limits show`: the file as a person reads it. */
export function describeLimits(limits: Limits, file = LIMITS_FILE): string[] {
  const lines = [`rate limits at the edge (${file}; fields per ${RATELIMIT_DRAFT})`, '', 'route groups (first matching prefix of the path in lower case; others are "light"):'];
  for (const r of limits.routes) lines.push(`  ${r.prefix.padEnd(24)} ${r.group}`);
  lines.push('', `client classes (${CLIENT_HEADER} from this machine, else ip:<address>; others are "default"):`);
  for (const c of limits.classes) lines.push(`  ${`${c.prefix}*`.padEnd(24)} ${c.class}`);
  if (limits.classes.length === 0) lines.push('  (none: every client is "default")');
  lines.push('', 'policies (per client and group):', `  ${'class/group'.padEnd(24)} ${'rate/s'.padStart(6)} ${'burst'.padStart(6)}`);
  for (const p of limits.policies) lines.push(`  ${`${p.class}/${p.group}`.padEnd(24)} ${String(p.rate).padStart(6)} ${String(p.burst).padStart(6)}`);
  const groups = new Set(limits.routes.map((r) => r.group).filter((g) => g !== EXEMPT));
  const unlimited = [...groups].filter((g) => !limits.policies.some((p) => p.class === 'default' && p.group === g));
  if (unlimited.length > 0) lines.push('', `not limited for default clients: ${unlimited.join(', ')}`);
  return lines;
}
