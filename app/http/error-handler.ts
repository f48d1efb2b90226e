// Every failure becomes JSON {error, message, requestId}. Database trouble never becomes a
// 500: a conflict (1213 after retries) is a 409, an unavailable database a 503 + Retry-After.
import type { Request, Response, NextFunction, ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { HttpError } from '../../shared/web/http-error.ts';
import { DbError, DbNotReadyError } from '../db/db-errors.ts';

export const RETRY_AFTER_SECONDS = '2';

interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof DbNotReadyError) {
    return new HttpError(503, 'db_unavailable', 'database not ready yet, retry shortly', { 'Retry-After': RETRY_AFTER_SECONDS });
  }
  if (err instanceof DbError) {
    // Transient: nothing was applied, so a retry can succeed (and its Idempotency-Key is released).
    if (err.failure.kind === 'conflict') return new HttpError(409, 'conflict', 'concurrent update, retry the request', { 'Retry-After': '1' });
    if (err.failure.kind === 'unavailable') {
      return new HttpError(503, 'db_unavailable', 'database unavailable, retry shortly', { 'Retry-After': RETRY_AFTER_SECONDS });
    }
  }
  // a path segment that is not valid percent-encoding (GET /api/orders/%ZZ): the router's URIError
  if (err instanceof URIError) return new HttpError(400, 'invalid_path', 'the request path is not valid percent-encoding');
  const bp = err as BodyParserError;
  if (bp.type === 'encoding.invalid_utf8') return new HttpError(400, 'invalid_utf8', 'request body is not valid UTF-8');
  if (bp.type === 'entity.parse.failed') return new HttpError(400, 'invalid_json', 'request body is not valid JSON');
  if (bp.type === 'entity.too.large') return new HttpError(413, 'payload_too_large', 'request body is too large');
  if (typeof bp.type === 'string' && typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500) {
    return new HttpError(bp.status, 'bad_request', `request body rejected (${bp.type})`);
  }
  return new HttpError(500, 'internal_error', 'internal error');
}

function dbCause(err: unknown): { operation?: string; cause?: string } {
  return err instanceof DbError ? { operation: err.operation, cause: err.failure.code } : {};
}

/** The JSON body of every error answer (also stored under an Idempotency-Key for final 4xx). */
export function errorBody(err: HttpError, requestId: string): { error: string; message: string; requestId: string } {
  return { error: err.code, message: err.message, requestId };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const httpError = toHttpError(err);
    const log = (req as Request & { log?: Logger }).log ?? logger.child({ reqId: req.requestId });
    // A 503 is an expected state (database down, not ready), not a bug: no stack trace, but
    // which operation met which failure (a pool wait, a timeout, a lost node), so that a burst
    // of 503s can be told apart after the fact.
    if (httpError.status === 503) log.warn({ code: httpError.code, ...dbCause(err) }, httpError.message);
    else if (httpError.status >= 500) log.error({ err }, httpError.message);
    else log.debug({ err: httpError.message }, 'request rejected');
    res.status(httpError.status).set(httpError.headers).json(errorBody(httpError, req.requestId));
  };
}

export function notFoundHandler(req: Request, _res: Response, next: NextFunction): void {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
}
