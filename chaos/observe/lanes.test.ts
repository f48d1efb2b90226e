import { describe, expect, it } from 'vitest';
import { haproxyLabel, LaneRecorder } from './lanes.ts';

describe('LaneRecorder', () => {
  it('keeps a lane\'s changes only, each until the next, the last until the end', () => {
    const r = new LaneRecorder();
    r.record('mariadb-2 Galera', 'Synced', 0);
    r.record('mariadb-2 HAProxy', 'UP', 0);
    r.record('mariadb-2 Galera', 'Synced', 500);
    r.record('mariadb-2 Galera', 'stopped', 1_000);
    r.record('mariadb-2 HAProxy', haproxyLabel('DOWN 1/2'), 1_250);
    r.record('mariadb-2 Galera', 'Synced', 4_000);
    expect(r.spans(5_000)).toEqual([
      { lane: 'mariadb-2 Galera', label: 'Synced', from: 0, to: 1_000 },
      { lane: 'mariadb-2 Galera', label: 'stopped', from: 1_000, to: 4_000 },
      { lane: 'mariadb-2 Galera', label: 'Synced', from: 4_000, to: 5_000 },
      { lane: 'mariadb-2 HAProxy', label: 'UP', from: 0, to: 1_250 },
      { lane: 'mariadb-2 HAProxy', label: 'DOWN', from: 1_250, to: 5_000 },
    ]);
    // a change that arrived after the end is not drawn
    r.record('mariadb-2 HAProxy', 'UP', 6_000);
    expect(r.spans(5_000).filter((s) => s.lane === 'mariadb-2 HAProxy').map((s) => [s.label, s.from, s.to])).toEqual([['UP', 0, 1_250], ['DOWN', 1_250, 5_000]]);
  });
});
