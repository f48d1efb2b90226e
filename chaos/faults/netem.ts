// Network delay on one container, from a short-lived helper container that joins the
// target's network namespace with NET_ADMIN (the target itself keeps no extra capability).
import { netToolsImage, type LabContainer, type Target } from '../../lab/index.ts';
import { each, type Fault } from './fault.ts';

export type NetemSpec = { kind: 'netem'; delayMs: number; jitterMs: number };

export const netem: Fault<NetemSpec> = {
  describe: (f, victims) => `tc qdisc replace … netem delay ${f.delayMs}ms ${f.jitterMs}ms in ${victims.join(', ')}'s network namespace (helper container, NET_ADMIN); later tc qdisc del`,
  preflight: async (_f, target, victims, log) => netemProblem(target, await netToolsImage(target, victims[0] as LabContainer, log)),
  async inject(f, { target, victims, log }) {
    const image = await netToolsImage(target, victims[0] as LabContainer, log);
    for (const v of victims) await addDelay(target, image, v, f.delayMs, f.jitterMs);
    return { rollback: () => each(victims, (v) => removeDelay(target, image, v)) };
  },
};

/** every interface except lo: a Galera node may sit on several lab networks */
const forEachDevice = (body: string): string => `for p in /sys/class/net/*; do d=$(basename "$p"); [ "$d" = lo ] && continue; ${body}; done`;


/**
 * Whether this kernel can run netem at all, tried in a helper's own empty network namespace
 * (nothing of the lab is touched). Some kernels (VMs) ship without sch_netem: then `tc`
 * says "Specified qdisc kind is unknown" and the drill is refused before it starts.
 */
export async function netemProblem(target: Target, image: string): Promise<string | undefined> {
  const res = await target.runHelper(
    { image, entrypoint: ['sh', '-c'], cmd: ['tc qdisc add dev lo root netem delay 1ms && tc qdisc del dev lo root'], user: 'root', capAdd: ['NET_ADMIN'] },
    60_000,
  );
  if (res.exitCode === 0) return undefined;
  return `this Docker host's kernel cannot run tc netem (${(res.stderr.trim() || res.stdout.trim()).split('\n')[0]}): load it with \`modprobe sch_netem\` on the host, or run the drill (db-latency, rabbitmq-latency) on a host whose kernel has it`;
}

async function tc(target: Target, image: string, victim: LabContainer, script: string): Promise<void> {
  const res = await target.runHelper({ image, entrypoint: ['sh', '-c'], cmd: [script], user: 'root', networkOf: victim, capAdd: ['NET_ADMIN'] }, 60_000);
  if (res.exitCode !== 0) throw new Error(`tc on ${victim.name} failed (exit ${res.exitCode}): ${res.stderr.trim() || res.stdout.trim()}`);
}

async function addDelay(target: Target, image: string, victim: LabContainer, delayMs: number, jitterMs: number): Promise<void> {
  await tc(target, image, victim, forEachDevice(`tc qdisc replace dev "$d" root netem delay ${delayMs}ms ${jitterMs}ms`));
}

/** Removes any netem qdisc; a device without one is fine. */
export async function removeDelay(target: Target, image: string, victim: LabContainer): Promise<void> {
  await tc(target, image, victim, forEachDevice('if tc qdisc show dev "$d" | grep -q netem; then tc qdisc del dev "$d" root; fi'));
}

/** Which devices of a running container carry a netem qdisc ("eth0: delay 200ms 20ms"). */
export async function showDelay(target: Target, image: string, victim: LabContainer): Promise<string[]> {
  const res = await target.runHelper(
    { image, entrypoint: ['sh', '-c'], cmd: [forEachDevice('tc qdisc show dev "$d" | grep netem | sed "s/^/$d: /"')], user: 'root', networkOf: victim },
    60_000,
  );
  return res.stdout.split('\n').filter((l) => l.trim() !== '');
}
