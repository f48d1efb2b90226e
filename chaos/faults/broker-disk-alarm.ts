// The broker's disk alarm raised on purpose: the free-disk limit of a node set above the disk
// it has free (`rabbitmqctl set_disk_free_limit`, `aboveFree` more than `df` reads in the
// node's data folder: a fixed figure would not raise it on a machine with more disk), so
// RabbitMQ blocks every publisher of the
// cluster (a resource alarm blocks cluster-wide) while consumers go on. The publisher is the
// outbox relay: payments keep answering, the outbox grows, and it drains once the alarm
// clears. The rollback puts back the limit rabbitmq/rabbitmq.conf sets.
import type { LabContainer, Target } from '../../lab/index.ts';
import { each, type Fault } from './fault.ts';

export type BrokerDiskAlarmSpec = { kind: 'broker-disk-alarm'; aboveFreeBytes: number; restoreLimit: string };

const GB = 1_000_000_000;

/** A node's disk-free limit in bytes, as `rabbitmqctl status` tells it (undefined: it did not answer). */
export async function diskFreeLimit(target: Target, node: LabContainer): Promise<number | undefined> {
  const r = await target.exec(node, ['rabbitmqctl', '-q', 'status', '--formatter', 'json'], { timeoutMs: 15_000 }).catch(() => undefined);
  if (r?.exitCode !== 0) return undefined;
  try {
    const limit = (JSON.parse(r.stdout) as { disk_free_limit?: unknown }).disk_free_limit;
    return typeof limit === 'number' ? limit : undefined;
  } catch {
    return undefined;
  }
}

/** Puts back the configured limit (the rollback, and `chaos recover` after a runner that died). */
export async function setDiskFreeLimit(target: Target, node: LabContainer, limit: string): Promise<void> {
  const r = await target.exec(node, ['rabbitmqctl', 'set_disk_free_limit', limit], { timeoutMs: 20_000 });
  if (r.exitCode !== 0) throw new Error(`rabbitmqctl set_disk_free_limit ${limit} exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(0, 200)}`);
}

/** `df -B1 --output=avail` of the node's data folder: the bytes free there. */
export function parseAvail(stdout: string): number | undefined {
  const n = Number(stdout.trim().split('\n').pop()?.trim());
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

export const brokerDiskAlarm: Fault<BrokerDiskAlarmSpec> = {
  describe: (f, victims) => `rabbitmqctl set_disk_free_limit ${f.aboveFreeBytes / GB} GB above what is free on ${victims.join(', ')} (the disk alarm blocks every publisher); later back to ${f.restoreLimit}`,
  async inject(f, { target, victims, log }) {
    const setLimit = async (v: LabContainer, limit: string): Promise<void> => {
      await setDiskFreeLimit(target, v, limit);
      log(`${v.name}: disk free limit ${limit}`);
    };
    for (const v of victims) {
      const df = await target.exec(v, ['df', '-B1', '--output=avail', '/var/lib/rabbitmq'], { timeoutMs: 10_000 });
      const free = df.exitCode === 0 ? parseAvail(df.stdout) : undefined;
      if (free === undefined) throw new Error(`df in ${v.name} did not tell the free disk: ${(df.stderr || df.stdout).trim().slice(0, 200)}`);
      await setLimit(v, String(free + f.aboveFreeBytes));
      log(`${v.name}: ${(free / GB).toFixed(1)} GB free; the limit is ${f.aboveFreeBytes / GB} GB above it`);
    }
    return { rollback: () => each(victims, (v) => setLimit(v, f.restoreLimit)) };
  },
};
