// `smartshop chaos recover` and `chaos status`: find what a drill (or a killed runner)
// left broken in the lab, from the lab itself (no state file to lose), and undo it:
// leftover helpers removed, containers unpaused, frozen nodes thawed, Galera and broker
// nodes reconnected to back-tier, netem delays removed, a broker's disk-free limit put back,
// stopped containers started (Galera in a safe order: the most advanced node first when none
// is running). Only labelled containers are touched.
import { diskFreeLimit, freeze, isFrozen, removeDelay, setDiskFreeLimit, showDelay } from './faults/index.ts';
import { NET_TOOLS_IMAGE } from '../lab/index.ts';
import { BROKER_DISK_FREE_LIMIT } from '../shared/queue-names.ts';
import type { NodeSql } from '../lab/index.ts';
import { safeBootstrap, waitSynced } from './galera/safe-bootstrap.ts';
import type { LabContainer, Target } from '../lab/index.ts';

export interface Injection {
  container: string;
  kind: 'stopped' | 'paused' | 'disconnected' | 'netem' | 'helper-left' | 'disk-limit';
  detail: string;
}

const STOPPED = new Set(['exited', 'created', 'dead']);
// the roles the drills freeze, cut off back-tier, or slow with netem
const FREEZABLE = new Set(['galera', 'rabbitmq']);
const CUTTABLE = new Set(['galera', 'rabbitmq']);
const DELAYABLE = new Set(['galera', 'haproxy', 'rabbitmq']);

/** netem delays on the running nodes a drill can slow, each asked by its own helper, side by side. */
async function delaysNow(target: Target, image: string | undefined, all: LabContainer[]): Promise<{ c: LabContainer; delays: string[] }[]> {
  if (!image) return [];
  const nodes = all.filter((x) => DELAYABLE.has(x.role) && x.state === 'running');
  return Promise.all(nodes.map(async (c) => ({ c, delays: await showDelay(target, image, c).catch(() => []) })));
}

async function tcImage(target: Target, galera: LabContainer[]): Promise<string | undefined> {
  if (await target.hasImage(NET_TOOLS_IMAGE)) return NET_TOOLS_IMAGE;
  return galera[0]?.image; // the lab's Galera image carries tc
}

/** Running broker nodes whose disk-free limit is not the configured one (the disk alarm's drills), asked side by side. */
async function raisedDiskLimits(target: Target, all: LabContainer[]): Promise<{ node: LabContainer; limit: number }[]> {
  const nodes = all.filter((c) => c.role === 'rabbitmq' && c.state === 'running');
  const limits = await Promise.all(nodes.map(async (node) => ({ node, limit: await diskFreeLimit(target, node) })));
  return limits.flatMap(({ node, limit }) => (limit === undefined || limit === BROKER_DISK_FREE_LIMIT.bytes ? [] : [{ node, limit }]));
}

/** What is injected now (read-only). */
export async function findInjections(target: Target): Promise<Injection[]> {
  const all = await target.list();
  const out: Injection[] = [];
  const networks = await target.networks();
  const galera = all.filter((c) => c.role === 'galera');
  const image = await tcImage(target, galera);
  for (const c of all) {
    if (c.role === 'chaos-helper') out.push({ container: c.name, kind: 'helper-left', detail: `helper container ${c.containerName} (${c.state})` });
    else if (STOPPED.has(c.state)) out.push({ container: c.name, kind: 'stopped', detail: c.state });
    else if (c.state === 'paused') out.push({ container: c.name, kind: 'paused', detail: 'paused' });
    if (CUTTABLE.has(c.role) && networks.includes('back-tier') && (await target.isCut(c, 'back-tier'))) {
      out.push({ container: c.name, kind: 'disconnected', detail: 'not attached to back-tier' });
    }
  }
  for (const { c, delays } of await delaysNow(target, image, all)) {
    for (const d of delays) out.push({ container: c.name, kind: 'netem', detail: d });
  }
  for (const { node, limit } of await raisedDiskLimits(target, all)) {
    out.push({ container: node.name, kind: 'disk-limit', detail: `disk_free_limit ${limit} bytes (configured ${BROKER_DISK_FREE_LIMIT.text})` });
  }
  return out;
}

export interface RecoverResult {
  actions: string[];
  problems: string[];
}

export async function recoverLab(target: Target, sql: NodeSql, log: (line: string) => void): Promise<RecoverResult> {
  const actions: string[] = [];
  const problems: string[] = [];
  const act = async (what: string, f: () => Promise<void>): Promise<void> => {
    try {
      await f();
      actions.push(what);
      log(what);
    } catch (err) {
      problems.push(`${what}: ${(err as Error).message}`);
      log(`FAILED ${what}: ${(err as Error).message}`);
    }
  };
  let all = await target.list();
  for (const c of all.filter((x) => x.role === 'chaos-helper')) await act(`removed leftover helper ${c.containerName}`, () => target.removeHelper(c));
  for (const c of all.filter((x) => x.state === 'paused')) await act(`unpaused ${c.name}`, () => target.unpause(c));
  for (const c of all.filter((x) => FREEZABLE.has(x.role) && x.state === 'running')) {
    if (await isFrozen(target, c).catch(() => false)) await act(`thawed ${c.name}'s frozen processes (SIGCONT)`, () => freeze(target, c, false));
  }
  const networks = await target.networks();
  if (networks.includes('back-tier')) {
    for (const c of all.filter((x) => CUTTABLE.has(x.role))) {
      if (await target.isCut(c, 'back-tier')) await act(`reconnected ${c.name} to back-tier`, () => target.connect(c, 'back-tier'));
    }
  }
  all = await target.list();
  const galera = all.filter((c) => c.role === 'galera');
  const image = await tcImage(target, galera);
  for (const { c, delays } of await delaysNow(target, image, all)) {
    if (delays.length > 0 && image) await act(`removed netem delay on ${c.name} (${delays.join('; ')})`, () => removeDelay(target, image, c));
  }
  for (const { node, limit } of await raisedDiskLimits(target, all)) {
    await act(`put ${node.name}'s disk_free_limit back to ${BROKER_DISK_FREE_LIMIT.text} (was ${limit} bytes)`, () => setDiskFreeLimit(target, node, BROKER_DISK_FREE_LIMIT.text));
  }
  // Galera first, in a safe order, then whatever else is stopped (HAProxy waits for a healthy node)
  const stoppedGalera = galera.filter((c) => STOPPED.has(c.state));
  if (stoppedGalera.length > 0) {
    try {
      const res = await safeBootstrap(target, sql, log);
      actions.push(`started ${res.started.join(', ') || 'no Galera node'}${res.choice.ok ? ` (bootstrapped ${res.choice.node}: ${res.choice.reason})` : ''}`);
      problems.push(...res.problems);
    } catch (err) {
      problems.push(`starting Galera nodes: ${(err as Error).message}`);
    }
  } else {
    for (const c of galera.filter((x) => x.state === 'running')) {
      if (!(await waitSynced(sql, target, c.name, 60_000))) problems.push(`${c.name} is running but not Synced/Primary after 60 s`);
    }
  }
  all = await target.list();
  for (const c of all.filter((x) => x.role !== 'galera' && x.role !== 'chaos-helper' && STOPPED.has(x.state))) {
    await act(`started ${c.name}`, () => target.start(c));
  }
  return { actions, problems };
}
