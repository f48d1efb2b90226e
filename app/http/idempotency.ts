// Idempotency-Key on writes: the first request with a key does the work and its answer is
// stored before it is sent; a retry with the same key (same method and path) gets the stored
// answer with `Idempotent-Replayed: true`. An answer that asks the client to retry (any 5xx,
// or a 4xx with Retry-After such as a write conflict that outlasted our own retries) did not
// apply anything: it releases the key so that the retry does the work instead of replaying it.
import type { Request, Response, NextFunction, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { IdempotencyRepository } from '../db/idempotency-repository.ts';
import { HttpError } from './errors.ts';
import { DbNotReadyError } from '../db/errors.ts';

const KEY = /^[\x21-\x7e]{1,128}$/;

export function idempotency(repo: IdempotencyRepository, logger: Logger, schemaReady: () => boolean): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const key = req.get('idempotency-key');
    if (req.method !== 'POST' || key === undefined) {
      next();
      return;
    }
    if (!KEY.test(key)) {
      next(new HttpError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1-128 visible ASCII characters'));
      return;
    }
    if (!schemaReady()) {
      next(new DbNotReadyError());
      return;
    }
    const scope = `${req.method} ${req.path}`.slice(0, 255);
    repo
      .claim(key, scope)
      .then((claim) => {
        if (claim.kind === 'done') {
          res.status(claim.status).set('Idempotent-Replayed', 'true').type('application/json').send(claim.body);
          return;
        }
        if (claim.kind === 'in_progress') {
          throw new HttpError(409, 'idempotency_in_progress', 'a request with this Idempotency-Key is still in progress', { 'Retry-After': '1' });
        }
        const send = res.json.bind(res);
        res.json = (body: unknown): Response => {
          const text = JSON.stringify(body);
          const status = res.statusCode;
          const transient = status >= 500 || res.get('Retry-After') !== undefined;
          const store = transient ? repo.release(key, scope) : repo.complete(key, scope, status, text);
          store
            .catch((err: unknown) => logger.warn({ err, reqId: req.requestId }, 'could not store the idempotent response'))
            .finally(() => send(body));
          return res;
        };
        next();
      })
      .catch(next);
  };
}
