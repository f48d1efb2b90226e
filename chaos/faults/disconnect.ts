// A network partition: the victims cut from a network, then reconnected.
import type { LabContainer } from '../../lab/index.ts';
import { each, type Fault } from './fault.ts';

export type DisconnectSpec = { kind: 'disconnect'; network: 'back-tier' };

export const disconnect: Fault<DisconnectSpec> = {
  describe: (f, victims, runtime) => runtime === 'swarm'
    ? `ip link set down ${victims.join(', ')}'s ${f.network} interface in its network namespace (helper container, NET_ADMIN; a Swarm task keeps its DNS name); later up`
    : `docker network disconnect ${f.network} ${victims.join(', ')}; later reconnect with the service alias`,
  async inject(f, { target, victims }) {
    const done: LabContainer[] = [];
    try {
      for (const v of victims) {
        await target.disconnect(v, f.network);
        done.push(v);
      }
    } catch (err) {
      await each(done, (v) => target.connect(v, f.network)); // undo the half-done fault before failing
      throw err;
    }
    return { rollback: () => each(victims, (v) => target.connect(v, f.network)) };
  },
};
