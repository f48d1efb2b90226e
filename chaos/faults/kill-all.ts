// Every target SIGKILLed (spaced, or at once: a power cut), then the safe bootstrap: the
// most advanced node, by grastate.dat / --wsrep-recover, starts the cluster. Volumes are
// never deleted.
import { setTimeout as sleep } from 'node:timers/promises';
import { safeBootstrap, type SafeBootstrapResult } from '../galera/safe-bootstrap.ts';
import type { Fault } from './fault.ts';

export type KillAllSpec = { kind: 'kill-all'; spacingMs: number };

export const killAll: Fault<KillAllSpec> = {
  describe(f, victims, runtime) {
    const who = victims.join(', ');
    const kills = `SIGKILL ${who} ${f.spacingMs > 0 ? `${f.spacingMs} ms apart` : 'at once (within 1 s)'}`;
    return runtime === 'swarm'
      ? `${kills}; Swarm restarts every task, each entrypoint recovers its position (--wsrep-recover) and the most advanced node bootstraps when all are waiting (galera-decide.sh); nodes still down after the hold get the safe bootstrap. Volumes are never deleted.`
      : `${kills}; later read grastate.dat / --wsrep-recover on each volume, set safe_to_bootstrap: 1 on the most advanced node only, start it, then the others. Volumes are never deleted.`;
  },
  async inject(f, { target, sql, victims, log }) {
    if (f.spacingMs > 0) {
      for (const [i, v] of victims.entries()) {
        if (i > 0) await sleep(f.spacingMs);
        await target.kill(v, 'SIGKILL');
        log(`killed ${v.name}`);
      }
    } else {
      await Promise.all(victims.map((v) => target.kill(v, 'SIGKILL'))); // a burst: all within the same instant
      log(`killed ${victims.map((v) => v.name).join(', ')} at once`);
    }
    let result: SafeBootstrapResult | undefined;
    return {
      bootstrap: () => result,
      rollback: async () => {
        try {
          result = await safeBootstrap(target, sql, log);
          return result.problems;
        } catch (err) {
          return [`safe bootstrap failed: ${(err as Error).message}`];
        }
      },
    };
  },
};
