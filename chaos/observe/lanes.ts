// Each node's state over a drill, as lanes for the report's pictures: the observer records a
// lane's label only when it changes (a Galera node's wsrep state, HAProxy's status for it, a
// broker node's container), so a drill of any length keeps a handful of entries per lane.
import type { TimeSpan } from '../../shared/charts.ts';

export class LaneRecorder {
  private readonly changes: { lane: string; label: string; at: number }[] = [];
  private readonly last = new Map<string, string>();

  record(lane: string, label: string, at = Date.now()): void {
    if (this.last.get(lane) === label) return;
    this.last.set(lane, label);
    this.changes.push({ lane, label, at });
  }

  /**
   * Each recorded state until the lane's next change, the last one until `end`; lanes by name,
   * so each node's Galera and HAProxy lanes sit together, the brokers after them. A read that answered after `end` (still in flight when the observer
   * stopped) is not drawn past it.
   */
  spans(end: number): TimeSpan[] {
    const lanes = [...new Set(this.changes.map((c) => c.lane))].sort((a, b) => a.localeCompare(b));
    return lanes.flatMap((lane) => {
      const mine = this.changes.filter((c) => c.lane === lane && c.at < end);
      return mine.map((c, i) => ({ lane, label: c.label, from: c.at, to: Math.min(end, mine[i + 1]?.at ?? end) }));
    });
  }
}

/** HAProxy's status word for a server ("UP 1/2" is still UP, going down; "DOWN 1/3" still DOWN). */
export const haproxyLabel = (status: string): string => status.split(' ')[0] ?? status;
