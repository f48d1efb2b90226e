// Sorting database failures into what the API does about them. Pure, unit-tested.
// Galera raises 1213 when certification fails at commit and 1047 while a node is not in
// the Primary component; both mean "nothing was applied", so a retry is always safe.
// A lost connection mid-statement means "unknown": only idempotent operations retry it.

type DbFailureKind = 'conflict' | 'unavailable' | 'fatal';

export interface DbFailure {
  kind: DbFailureKind;
  /** Bounded label for smartshop_db_errors_total{code}. */
  code: string;
  /** True when the server certainly did not apply the statement / transaction. */
  notApplied: boolean;
}

interface MysqlLikeError {
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
}

const CONFLICT_ERRNOS = new Set([1213, 1205]); // deadlock / certification failure, lock wait timeout
// errno → not applied? 1047 WSREP not ready, 1040 too many connections, 1053 shutdown in progress,
// 1927 connection killed, 4031 disconnected for inactivity, 2002/2003 cannot connect, 2006/2013 gone away.
// 1180 "error during COMMIT": Galera refuses to commit on a node that has left the Primary
// component ("Not connected to Primary Component"); the server rolled the transaction back.
const UNAVAILABLE_ERRNOS = new Map<number, boolean>([
  [1047, true],
  [1180, true],
  [1040, true],
  [1053, false],
  [1927, false],
  [4031, false],
  [2002, true],
  [2003, true],
  [2006, false],
  [2013, false],
]);
// Node / mysql2 codes for network trouble → not applied? (refused/unresolvable: the
// statement never left; reset/lost/timeout: it may have been applied).
const UNAVAILABLE_CODES = new Map<string, boolean>([
  ['ECONNREFUSED', true],
  ['POOL_ACQUIRE_TIMEOUT', true], // our own: nothing was sent
  ['ENOTFOUND', true],
  ['EHOSTUNREACH', true],
  ['ENETUNREACH', true],
  ['EAI_AGAIN', true],
  ['ECONNRESET', false],
  ['EPIPE', false],
  ['ETIMEDOUT', false],
  ['PROTOCOL_CONNECTION_LOST', false],
  ['PROTOCOL_SEQUENCE_TIMEOUT', false],
  ['ER_SERVER_SHUTDOWN', false],
  ['POOL_CLOSED', true],
]);

function labelFor(code: unknown, errno: unknown): string {
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(code)) return code;
  if (typeof errno === 'number' && Number.isInteger(errno)) return `ERRNO_${errno}`;
  return 'other';
}

/** Returns undefined for errors that do not come from the database driver. */
export function classifyDbError(err: unknown): DbFailure | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as MysqlLikeError;
  const errno = typeof e.errno === 'number' ? e.errno : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  // A driver error has an errno, a network code we know, or is fatal; anything else with a
  // `code` (an HttpError decided inside a transaction) is not the database's.
  if (errno === undefined && !(code !== undefined && UNAVAILABLE_CODES.has(code)) && e.fatal !== true) return undefined;
  const label = labelFor(code, errno);
  if (errno !== undefined && CONFLICT_ERRNOS.has(errno)) return { kind: 'conflict', code: label, notApplied: true };
  if (errno !== undefined && UNAVAILABLE_ERRNOS.has(errno)) {
    return { kind: 'unavailable', code: label, notApplied: UNAVAILABLE_ERRNOS.get(errno) === true };
  }
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) {
    return { kind: 'unavailable', code: label, notApplied: UNAVAILABLE_CODES.get(code) === true };
  }
  // A fatal driver error we do not know by name still means the connection is gone.
  if (e.fatal === true) return { kind: 'unavailable', code: label, notApplied: false };
  return { kind: 'fatal', code: label, notApplied: false };
}

/** A database failure after retries, carrying what the HTTP layer needs to answer. */
export class DbError extends Error {
  constructor(
    readonly failure: DbFailure,
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`database ${failure.kind} during ${operation} (${failure.code})`, options);
    this.name = 'DbError';
  }
}

/** Thrown while migrations have not been applied yet (DB not reached since start). */
export class DbNotReadyError extends Error {
  constructor() {
    super('database schema not ready yet');
    this.name = 'DbNotReadyError';
  }
}
