// Every Galera node restarted in turn, as a configuration change or an upgrade is rolled out:
// out of HAProxy, stopped cleanly, started, Synced, back in, then the next (lab/rolling-restart.ts).
// Nothing is left broken for the hold: the rollback only repairs an interrupted rolling restart
// (a node left stopped or marked out of HAProxy) and reports why it was interrupted.
import { clearMaintenance, haproxyServers, resolveLabConfig, rollingRestart } from '../../lab/index.ts';
import { each, type Fault } from './fault.ts';

export type RollingRestartSpec = { kind: 'rolling-restart'; stopTimeoutSeconds: number };

export const rollingRestartFault: Fault<RollingRestartSpec> = {
  describe: (f, victims) => `one at a time, ${victims.join(', ')}: out of HAProxy (its check answers 503), docker stop -t ${f.stopTimeoutSeconds}, start, Synced, back in HAProxy`,
  async inject(f, { target, sql, victims, log }) {
    const config = resolveLabConfig();
    let failure: string | undefined;
    try {
      const steps = await rollingRestart(target, sql, victims, { haproxy: () => haproxyServers(config), log, stopTimeoutSeconds: f.stopTimeoutSeconds });
      log(`rolling restart done: ${steps.map((s) => `${s.node} back in ${(s.backInMs / 1000).toFixed(1)} s`).join(', ')}`);
    } catch (err) {
      failure = (err as Error).message;
      log(`rolling restart interrupted: ${failure}`);
    }
    return {
      rollback: async () => {
        const problems = await each(victims, async (v) => {
          const c = await target.find(v.name);
          if (c.state !== 'running') await target.start(c);
          await clearMaintenance(target, c);
        });
        return failure === undefined ? problems : [`the rolling restart did not finish: ${failure}`, ...problems];
      },
    };
  },
};
