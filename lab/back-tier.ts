// The back-tier network's addresses. Docker gives a container a new address from the pool
// whenever it (re)joins a network, and the quorum-loss drill reconnects two nodes at once:
// seen in a rehearsal, mariadb-2 and mariadb-3 swapped addresses, Galera still held each
// peer's old one ("Found matching local endpoint ... blacklisting address") and the cluster
// stayed non-Primary. With a subnet of its own the Galera nodes keep fixed addresses
// (.11-.13, outside the range Docker hands out to the others, .128-.254), and a reconnect
// gets the node's address back (DockerTarget.connect).
//
// One /24 per lab, so labs run side by side (the tests run several): chosen once from the
// project's name in 10.213.0.0/16, moved on when Docker or a host route already uses it,
// and remembered in .lab/<project>/back-tier so every later command agrees.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { ConfigError } from '../shared/env.ts';

type Env = Record<string, string | undefined>;

const PREFIX = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const RANGE = '10.213';

function backTierFile(project: string, root: string): string {
  return join(root, '.lab', project, 'back-tier');
}

function hash(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}

/** The /24s a project tries, in order: its own first, then the ones after it. */
export function candidatePrefixes(project: string): string[] {
  const first = hash(project) % 256;
  return Array.from({ length: 256 }, (_, i) => `${RANGE}.${(first + i) % 256}`);
}

function checkPrefix(name: string, raw: string): string {
  const m = PREFIX.exec(raw.trim());
  if (!m || m.slice(1).some((n) => Number(n) > 255)) throw new ConfigError(`${name} must be the first three numbers of a /24, like 10.213.7 (got '${raw}')`);
  return raw.trim();
}

/** LAB_BACK_TIER_PREFIX, else the one this lab settled on, else its first candidate. */
export function resolveBackTierPrefix(project: string, env: Env, root: string): string {
  if (env.LAB_BACK_TIER_PREFIX) return checkPrefix('LAB_BACK_TIER_PREFIX', env.LAB_BACK_TIER_PREFIX);
  const file = backTierFile(project, root);
  if (existsSync(file)) return checkPrefix(file, readFileSync(file, 'utf8'));
  return candidatePrefixes(project)[0] as string;
}

export interface Net { first: number; last: number; what: string }

function toInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function parseCidr(cidr: string, what: string): Net | undefined {
  const [ip, bits] = cidr.split('/');
  if (!ip || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return undefined; // IPv6: not ours to meet
  const size = 2 ** (32 - Number(bits ?? 32));
  const first = toInt(ip) - (toInt(ip) % size);
  return { first, last: first + size - 1, what };
}

/** The host's routes (/proc/net/route: little-endian hex), a VPN's among them; not the default route. */
export function parseRoutes(text: string): Net[] {
  const out: Net[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [iface, dest, , , , , , mask] = line.trim().split(/\s+/);
    if (!iface || !dest || !mask || mask === '00000000') continue;
    const le = (hex: string): number => Number.parseInt(hex.match(/../g)?.reverse().join('') ?? '0', 16);
    const first = le(dest);
    const size = 2 ** 32 - le(mask);
    out.push({ first, last: first + size - 1, what: `host route on ${iface}` });
  }
  return out;
}

const overlaps = (a: Net, b: Net): boolean => a.first <= b.last && b.first <= a.last;

export interface NetworkSubnets { name: string; subnets: string[] }

/**
 * The prefix `stack up` gives compose: the subnet of this project's back-tier if the network
 * exists (its containers keep their addresses), else the configured one if nothing else
 * uses it, else the next free candidate (LAB_BACK_TIER_PREFIX set by hand is never moved:
 * an overlap is an error naming it).
 */
export function choosePrefix(project: string, configured: string, pinned: boolean, networks: NetworkSubnets[], routes: Net[]): string {
  const kept = ownPrefix(project, networks);
  if (kept) return kept;
  // a lab made before the back-tier had a subnet of its own has Docker's (a /16): `stack up`
  // replaces that network, so it neither holds a prefix nor blocks one
  const others = networks.filter((n) => n.name !== ownName(project));
  const used = [...routes, ...others.flatMap((n) => n.subnets.flatMap((s) => parseCidr(s, `Docker network ${n.name}`) ?? []))];
  const clash = (prefix: string): Net | undefined => used.find((u) => overlaps(u, parseCidr(`${prefix}.0/24`, '') as Net));
  if (pinned) {
    const hit = clash(configured);
    if (hit) throw new ConfigError(`LAB_BACK_TIER_PREFIX=${configured}: ${configured}.0/24 overlaps ${hit.what}; choose another (or unset it: the lab picks a free one)`);
    return configured;
  }
  const free = [configured, ...candidatePrefixes(project)].find((p) => !clash(p));
  if (!free) throw new ConfigError(`no free /24 in ${RANGE}.0.0/16 for the lab's back-tier network; set LAB_BACK_TIER_PREFIX to a free one`);
  return free;
}

const ownName = (project: string): string => `${project}_back-tier`;

/** The prefix of this project's back-tier when it has a /24 of its own. */
function ownPrefix(project: string, networks: NetworkSubnets[]): string | undefined {
  const subnet = networks.find((n) => n.name === ownName(project))?.subnets.find((s) => s.endsWith('.0/24'));
  return subnet?.split('.').slice(0, 3).join('.');
}

/** A back-tier this project made before it had a subnet of its own (Docker's, not a /24). */
export function predatesOwnSubnet(project: string, networks: NetworkSubnets[]): boolean {
  return networks.some((n) => n.name === ownName(project)) && ownPrefix(project, networks) === undefined;
}

/**
 * choosePrefix against this engine's networks and this host's routes, remembered in the lab's
 * folder; `stale`: the lab's back-tier predates its subnet and must be recreated first.
 */
export async function settleBackTierPrefix(docker: Docker, project: string, configured: string, env: Env, root: string): Promise<{ prefix: string; stale: boolean }> {
  const networks = (await docker.listNetworks()).map((n) => ({ name: n.Name, subnets: (n.IPAM?.Config ?? []).flatMap((c) => (c.Subnet ? [c.Subnet] : [])) }));
  const routes = parseRoutes(await readFile('/proc/net/route', 'utf8').catch(() => ''));
  const prefix = await remember(project, root, choosePrefix(project, configured, Boolean(env.LAB_BACK_TIER_PREFIX), networks, routes));
  return { prefix, stale: predatesOwnSubnet(project, networks) };
}

async function remember(project: string, root: string, prefix: string): Promise<string> {
  const file = backTierFile(project, root);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${prefix}\n`);
  return prefix;
}
