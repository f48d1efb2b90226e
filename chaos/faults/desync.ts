// A node desynchronised on purpose (wsrep_desync=ON: Donor/Desynced, as while it donates a
// state transfer): it keeps its data and Primary, but stops being Synced, so HAProxy's check
// takes it out. The rollback turns it back on and waits until it is Synced again.
import { waitNodeSynced } from '../../lab/index.ts';
import { each, type Fault } from './fault.ts';

export type DesyncSpec = { kind: 'desync' };

export const desync: Fault<DesyncSpec> = {
  describe: (_f, victims) => `SET GLOBAL wsrep_desync = ON on ${victims.join(', ')} (Donor/Desynced); later OFF, until Synced`,
  async inject(_f, { target, sql, victims }) {
    for (const v of victims) await sql.query(v, 'SET GLOBAL wsrep_desync = ON');
    return {
      rollback: () => each(victims, async (v) => {
        await sql.query(v, 'SET GLOBAL wsrep_desync = OFF');
        const r = await waitNodeSynced(target, sql, v.name, 120_000);
        if (!r.synced) throw new Error(`not Synced within 120 s (last seen: ${r.last})`);
      }),
    };
  },
};
