// Every write route runs here: one transaction, one commit per request, with its
// Idempotency-Key record inside it (draft-ietf-httpapi-idempotency-key-header-07):
// - the key is scoped to the method and the full path (`POST /api/payments/process/42`)
//   and compared byte for byte; its fingerprint is a hash of method, path and canonical body;
// - a retry of a finished request gets the stored answer with `Idempotent-Replayed: true`;
//   the same key with a different request is a 422; while the first is still running, 409
//   with Retry-After;
// - a request rejected before any work (validation, a malformed key) stores nothing, nor
//   does an answer that asks the client to retry (5xx, or a 4xx with Retry-After): its
//   transaction rolled back, so the retry does the work;
// - the stored answer commits with the effects, so a crash can never leave effects without
//   their answer (the retry would do them again) or an answer without its effects.
import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Database } from '../db/database.ts';
import { answerKey, claimKey, readKey, recordKeySeparately, type Claim, type KeyIdentity } from '../db/idempotency-records.ts';
import { StatTally, shardFor, type WriteTx } from '../db/stat-counters.ts';
import { DbNotReadyError } from '../db/db-errors.ts';
import { HttpError } from '../../shared/web/http-error.ts';
import { errorBody } from './error-handler.ts';
import { isEmptyBody } from './validation.ts';

/** What a write answers. `onCommit` runs once the transaction committed (metrics, logs). */
export interface Answer {
  status: number;
  body: unknown;
  onCommit?: () => void;
}

/**
 * The work of a write, inside its transaction. It decides any 4xx (404, illegal transition)
 * before writing anything: such an answer is stored and committed with the key.
 */
export type Work = (tx: WriteTx) => Promise<Answer>;

/** Validates the request (a 4xx thrown here is not stored) and returns its work. */
export type PrepareWrite = (req: Request) => Work;

export interface WriteSettings {
  /** how long a key's answer is kept for replays */
  ttlSeconds: number;
  /** 'after-effects' is the broken two-commit design, for the shop-crash drill's own test only */
  commit: 'with-effects' | 'after-effects';
}

const KEY = /^[\x21-\x7e]{1,128}$/;

/** The key of a request: a token or a structured-field string ("…"); undefined when absent. */
export function parseKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const quoted = /^"([\x20\x21\x23-\x5b\x5d-\x7e]*)"$/.exec(header);
  const key = quoted ? (quoted[1] ?? '') : header;
  if (!KEY.test(key)) throw new HttpError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1-128 visible ASCII characters');
  return key;
}

/** Nesting deeper than any body of this API: refused before anything recurses into it. */
const MAX_BODY_DEPTH = 32;

/** JSON with object keys sorted at every level, so equal bodies hash equally. */
export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > MAX_BODY_DEPTH) throw new HttpError(400, 'body_too_deep', `request body nests deeper than ${MAX_BODY_DEPTH} levels`);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Method and full path (routing ignores case and a trailing slash; so does the scope). */
export function scopeOf(method: string, fullPath: string): string {
  const path = fullPath.toLowerCase().replace(/\/+$/, '') || '/';
  return `${method.toUpperCase()} ${path}`.slice(0, 255);
}

export function fingerprintOf(scope: string, body: unknown): string {
  // no body and `{}` are the same request, as the routes read them (isEmptyBody)
  return createHash('sha256').update(`${scope}\n${isEmptyBody(body) ? '' : canonicalJson(body)}`).digest('hex');
}

function identityOf(req: Request, key: string): KeyIdentity {
  const scope = scopeOf(req.method, `${req.baseUrl}${req.path}`);
  return { key, scope, fingerprint: fingerprintOf(scope, req.body) };
}

interface Outcome {
  status: number;
  text: string;
  replayed: boolean;
  onCommit?: () => void;
}

/** An answer the client must not retry blindly is final; one with Retry-After or a 5xx is not. */
function isFinal(err: unknown): err is HttpError {
  return err instanceof HttpError && err.status < 500 && err.headers['Retry-After'] === undefined;
}

/**
 * A write transaction is not causal (it would wait for the node to catch up on every write):
 * a node that has not applied the client's previous write yet sees an older order and
 * would answer 404 or 409 illegal_transition, and that answer would be stored under the
 * key. So a 4xx decided by the work is never trusted at once: the transaction is rolled
 * back and run again causally (BEGIN waits for the node to apply what the cluster
 * committed), and only that answer is given and stored. It costs a round of waiting only
 * when the answer is a rejection.
 */
class RecheckCausally extends Error {}

function fromClaim(claim: Exclude<Claim, { kind: 'owner' }>): Outcome {
  if (claim.kind === 'done') return { status: claim.status, text: claim.body, replayed: true };
  if (claim.kind === 'mismatch') {
    throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was already used for a different request (method, path or body)');
  }
  throw new HttpError(409, 'idempotency_in_progress', 'a request with this Idempotency-Key is still in progress', { 'Retry-After': '1' });
}

async function perform(tx: WriteTx, work: Work, requestId: string): Promise<Outcome> {
  try {
    const answer = await work(tx);
    await tx.tally.flush(tx);
    return { status: answer.status, text: JSON.stringify(answer.body), replayed: false, onCommit: answer.onCommit };
  } catch (err) {
    if (!isFinal(err)) throw err;
    return { status: err.status, text: JSON.stringify(errorBody(err, requestId)), replayed: false };
  }
}

export function createWriter(db: Database, settings: WriteSettings, schemaReady: () => boolean) {
  async function withEffects(operation: string, id: KeyIdentity | undefined, work: Work, requestId: string): Promise<Outcome> {
    // the causal recheck runs inside what is left of the first transaction's deadline
    const startedAt = Date.now();
    const attempt = (causal: boolean): Promise<Outcome> =>
      db.transaction(
        operation,
        async (tx) => {
          if (id !== undefined) {
            const claim = await claimKey(tx, id, settings.ttlSeconds);
            if (claim.kind !== 'owner') return fromClaim(claim);
          }
          const outcome = await perform({ ...tx, tally: new StatTally(shardFor(tx.node)) }, work, requestId);
          if (!causal && !outcome.replayed && outcome.status >= 400) throw new RecheckCausally();
          if (id !== undefined) await answerKey(tx, id, outcome.status, outcome.text);
          return outcome;
        },
        // A keyed write is safe to retry whatever became of the last attempt (a node killed or
        // frozen mid-commit leaves it unknown): its key commits with its effects, so a retry
        // either finds the stored answer or does the work once (Galera certifies the two
        // attempts' key rows against each other). Without a key, only what certainly did
        // not apply is retried: a second createUser would be a second user.
        { causal, retry: id === undefined ? 'notApplied' : 'safe', startedAt },
      );
    try {
      return await attempt(false);
    } catch (err) {
      if (!(err instanceof RecheckCausally)) throw err;
      return attempt(true);
    }
  }

  async function afterEffects(operation: string, id: KeyIdentity | undefined, work: Work, requestId: string): Promise<Outcome> {
    const prior = id === undefined ? undefined : await readKey(db, id);
    if (prior !== undefined && prior.kind !== 'owner') return fromClaim(prior);
    const outcome = await db.transaction(operation, (tx) => perform({ ...tx, tally: new StatTally(shardFor(tx.node)) }, work, requestId));
    if (id !== undefined) await recordKeySeparately(db, id, outcome.status, outcome.text, settings.ttlSeconds);
    return outcome;
  }

  const run = settings.commit === 'with-effects' ? withEffects : afterEffects;

  /** A write route: validation, then the work and its key in one transaction. */
  return function write(operation: string, prepare: PrepareWrite): RequestHandler {
    return async (req: Request, res: Response) => {
      const key = parseKey(req.get('idempotency-key')); // a malformed key is a 400 before anything else
      const work = prepare(req); // validation: its 400s are not stored
      const id = key === undefined ? undefined : identityOf(req, key);
      if (!schemaReady()) throw new DbNotReadyError();
      const outcome = await run(operation, id, work, req.requestId);
      outcome.onCommit?.();
      res.status(outcome.status).type('application/json');
      if (outcome.replayed) res.set('Idempotent-Replayed', 'true');
      res.send(outcome.text);
    };
  };
}

export type Writer = ReturnType<typeof createWriter>;
