// The broker's disk alarm raised on purpose: the free-disk limit of a node set far above the
// disk it has (`rabbitmqctl set_disk_free_limit`), so RabbitMQ blocks every publisher of the
// cluster (a resource alarm blocks cluster-wide) while consumers go on. The publisher is the
// outbox relay: payments keep answering, the outbox grows, and it drains once the alarm
// clears. The rollback puts back the limit rabbitmq/rabbitmq.conf sets.
import type { LabContainer } from '../../lab/index.ts';
import { each, type Fault } from './fault.ts';

export type BrokerDiskAlarmSpec = { kind: 'broker-disk-alarm'; limit: string; restoreLimit: string };

export const brokerDiskAlarm: Fault<BrokerDiskAlarmSpec> = {
  describe: (f, victims) => `rabbitmqctl set_disk_free_limit ${f.limit} on ${victims.join(', ')} (more than its disk: the disk alarm blocks every publisher); later back to ${f.restoreLimit}`,
  async inject(f, { target, victims, log }) {
    const setLimit = async (v: LabContainer, limit: string): Promise<void> => {
      const r = await target.exec(v, ['rabbitmqctl', 'set_disk_free_limit', limit], { timeoutMs: 20_000 });
      if (r.exitCode !== 0) throw new Error(`rabbitmqctl set_disk_free_limit ${limit} exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(0, 200)}`);
      log(`${v.name}: disk free limit ${limit}`);
    };
    for (const v of victims) await setLimit(v, f.limit);
    return { rollback: () => each(victims, (v) => setLimit(v, f.restoreLimit)) };
  },
};
