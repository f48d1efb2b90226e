// The restore drills' judgement (pure): which acknowledged writes a restore must bring back,
// which it cannot, and the RPO and RTO that follow. Time splits the ledger, as it would an
// operator's: the writes acknowledged before the disaster (a point-in-time restore brings
// every one back), those before the backup began (a backup alone brings those back), those
// after the backup finished (a backup alone cannot have them), those acknowledged after the
// disaster (a restore to just before it discards them by design: counted, not required).
// Rolled forward with the backup service's archive of the binary log (the disks lost), the
// last ARCHIVE_LAG_MS before the disaster may not have been streamed yet: counted and named,
// not required; everything before that is.
// The ledger is the one snapshotted at the disaster: an order's state as acknowledged then.
import type { LedgerExport } from '../../simulator/index.ts';
import { fromSimulatorLedger, type AckLedger } from './ledger.ts';
import type { LedgerCheck } from './read-nodes.ts';

export type RestoreMode = 'point-in-time' | 'archived-logs' | 'backup-only';

/** How far behind the node the binlog archive's stream may be when every node dies at once. */
export const ARCHIVE_LAG_MS = 3_000;

/** What the restore fault recorded; epoch ms. */
export interface RestoreWindow {
  mode: RestoreMode;
  backupId: string;
  backupStartedAt: number;
  backupFinishedAt: number;
  disaster: string;
  disasterAt: number;
  /** the restore command's report (undefined when it failed) */
  restoreSeconds?: number;
  rolledForward?: string;
}

export interface RestoreJudgement extends Omit<RestoreWindow, 'backupStartedAt' | 'backupFinishedAt' | 'disasterAt'> {
  backupStartedAt: string;
  backupFinishedAt: string;
  disasterAt: string;
  /** acknowledged writes the restore had to bring back (and the judge's ledger check holds them) */
  required: number;
  /** backup only: acknowledged after the backup finished, before the disaster; none can be back */
  notInBackup?: { acknowledged: number; lost: string[]; found: string[] };
  /** archived logs: acknowledged in the last ARCHIVE_LAG_MS before the disaster; back if the stream had them */
  inStreamLag?: { acknowledged: number; lost: string[] };
  /** acknowledged after the disaster (before the shop stopped): a restore to before it discards them by design */
  acknowledgedAfterDisaster: number;
  /** acknowledged ids the shop handed out again after the restore, to other rows */
  reusedIds: string[];
  /** writes acknowledged before the disaster and not back, and the window they span */
  rpo: { writes: number; seconds: number; ids: string[] };
  /** seconds from the disaster to the steady state back (undefined: it did not come back) */
  rtoSeconds?: number;
}

type Entry = { ackAt: string };
const before = <T extends Entry>(list: T[], at: number): T[] => list.filter((x) => Date.parse(x.ackAt) < at);
const after = <T extends Entry>(list: T[], at: number): T[] => list.filter((x) => Date.parse(x.ackAt) > at);

function cut(l: LedgerExport, keep: <T extends Entry>(list: T[]) => T[]): AckLedger {
  return fromSimulatorLedger({ users: keep(l.users), orders: keep(l.orders), payments: keep(l.payments) });
}

/**
 * The part of the snapshot a restore must bring back (point in time: all of it; archived
 * logs: all but the stream's lag; backup only: what was acknowledged before the backup
 * began) and the part it may not (a backup alone cannot; the archive may not have).
 * Writes acknowledged while the backup ran may or may not be in it: neither required nor expected lost.
 */
export function splitLedger(
  snapshot: LedgerExport, w: Pick<RestoreWindow, 'mode' | 'backupStartedAt' | 'backupFinishedAt' | 'disasterAt'>,
): { required: AckLedger; notInBackup?: AckLedger; inStreamLag?: AckLedger } {
  if (w.mode === 'point-in-time') return { required: fromSimulatorLedger(snapshot) };
  if (w.mode === 'archived-logs') {
    const streamed = w.disasterAt - ARCHIVE_LAG_MS;
    return { required: cut(snapshot, (list) => before(list, streamed)), inStreamLag: cut(snapshot, (list) => list.filter((x) => Date.parse(x.ackAt) >= streamed)) };
  }
  return {
    required: cut(snapshot, (list) => before(list, w.backupStartedAt)),
    notInBackup: cut(snapshot, (list) => after(list, w.backupFinishedAt)),
  };
}

const ledgerSize = (l: { users: unknown[]; orders: unknown[]; payments: unknown[] }): number => l.users.length + l.orders.length + l.payments.length;

/** "order 17" for each write the check found missing or in an earlier state, once each. */
function lostWrites(check: LedgerCheck): string[] {
  return [...new Set([...check.result.missing.map((m) => `${m.kind} ${m.id}`), ...check.result.regressed.map((r) => `${r.kind} ${r.id}`)])];
}

/** Acknowledgement times of the named writes in the snapshot, epoch ms. */
function ackTimes(snapshot: LedgerExport, ids: string[]): number[] {
  const at = new Map<string, string>();
  for (const u of snapshot.users) at.set(`user ${u.id}`, u.ackAt);
  for (const o of snapshot.orders) at.set(`order ${o.id}`, o.ackAt);
  for (const p of snapshot.payments) at.set(`payment ${p.id}`, p.ackAt);
  return ids.map((id) => Date.parse(at.get(id) ?? '')).filter(Number.isFinite);
}

export function judgeRestore(
  w: RestoreWindow,
  snapshot: LedgerExport,
  final: LedgerExport,
  checks: { required: LedgerCheck; notInBackup?: LedgerCheck; inStreamLag?: LedgerCheck },
  steadyBackAt: number | undefined,
): RestoreJudgement {
  const split = splitLedger(snapshot, w);
  const requiredLost = lostWrites(checks.required);
  let notInBackup: RestoreJudgement['notInBackup'];
  if (split.notInBackup && checks.notInBackup) {
    const lost = lostWrites(checks.notInBackup);
    const lostSet = new Set(lost);
    const all = [
      ...split.notInBackup.users.map((u) => `user ${u.id}`),
      ...split.notInBackup.orders.map((o) => `order ${o.id}`),
      ...split.notInBackup.payments.map((p) => `payment ${p.id}`),
    ];
    notInBackup = { acknowledged: all.length, lost, found: all.filter((id) => !lostSet.has(id)) };
  }
  const inStreamLag = split.inStreamLag && checks.inStreamLag ? { acknowledged: ledgerSize(split.inStreamLag), lost: lostWrites(checks.inStreamLag) } : undefined;
  const ids = [...requiredLost, ...(notInBackup?.lost ?? []), ...(inStreamLag?.lost ?? [])];
  const first = Math.min(...ackTimes(snapshot, ids));
  return {
    ...w,
    backupStartedAt: new Date(w.backupStartedAt).toISOString(),
    backupFinishedAt: new Date(w.backupFinishedAt).toISOString(),
    disasterAt: new Date(w.disasterAt).toISOString(),
    required: ledgerSize(split.required),
    acknowledgedAfterDisaster: ledgerSize(cut(final, (list) => after(list, w.disasterAt))),
    reusedIds: [...new Set([...checks.required.result.reusedIds, ...(checks.notInBackup?.result.reusedIds ?? []), ...(checks.inStreamLag?.result.reusedIds ?? [])])],
    ...(notInBackup ? { notInBackup } : {}),
    ...(inStreamLag ? { inStreamLag } : {}),
    rpo: { writes: ids.length, seconds: ids.length === 0 || !Number.isFinite(first) ? 0 : Math.round((w.disasterAt - first) / 100) / 10, ids },
    ...(steadyBackAt === undefined ? {} : { rtoSeconds: Math.round((steadyBackAt - w.disasterAt) / 100) / 10 }),
  };
}

/** The verdict's lines: what fails the drill, what makes it deviate. */
export function restoreFindings(r: RestoreJudgement): { failures: string[]; deviations: string[] } {
  const failures: string[] = [];
  const deviations: string[] = [];
  if (r.restoreSeconds === undefined) failures.push(`the restore of backup ${r.backupId} failed`);
  // a backup alone cannot know the counter of a table the disaster took (its ids after the
  // backup are handed out again: part of what it costs, named in the report), nor the archive
  // those of the writes it had not received; a point-in-time restore from the node's own logs
  // can, so there a reused id is a deviation
  if (r.mode === 'point-in-time' && r.reusedIds.length > 0) {
    deviations.push(`${r.reusedIds.length} acknowledged id(s) were handed out again after the restore, to other rows (a client holding one reads someone else's): ${r.reusedIds.slice(0, 10).join(', ')}`);
  }
  if (r.notInBackup && r.notInBackup.found.length > 0) {
    deviations.push(`${r.notInBackup.found.length} write(s) acknowledged after the backup finished are in it (its position is not where the manifest says): ${r.notInBackup.found.slice(0, 10).join(', ')}`);
  }
  return { failures, deviations };
}
