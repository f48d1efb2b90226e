// What a request body must be before anything reads it: JSON, uncompressed, valid UTF-8.
// Without this a JSON body sent as text/plain or form-encoded was silently ignored (a
// payment's {"status":"failed"} then drew its outcome at random, and any web page can send
// such a body without a CORS preflight), a gzip body met the parser's inflate and answered
// 500, and invalid UTF-8 was stored with replacement characters. A state-changing request
// must say application/json even without a body: a cross-site page can send an empty
// text/plain POST without a preflight, but not an application/json one.
import type { Request, Response, NextFunction, RequestHandler } from 'express';
import { HttpError } from './http-error.ts';
import { isStateChanging } from './site-guard.ts';

/** True when the request carries a body (chunked, or a non-zero Content-Length). */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function bodyGuard(): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!hasBody(req)) {
      const type = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (isStateChanging(req.method) && !/^application\/([\w.-]+\+)?json$/.test(type)) {
        next(new HttpError(415, 'unsupported_media_type', `a ${req.method} must say Content-Type: application/json, even without a body`));
      } else next();
      return;
    }
    const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity') {
      next(new HttpError(415, 'unsupported_content_encoding', `Content-Encoding ${encoding.slice(0, 40)} is not accepted: send the JSON body uncompressed`));
      return;
    }
    if (req.is(['application/json', 'application/*+json']) === false) {
      next(new HttpError(415, 'unsupported_media_type', 'a request body must be JSON with Content-Type: application/json'));
      return;
    }
    next();
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** express.json's `verify`: the raw bytes must be UTF-8 (JSON's only encoding, RFC 8259). */
export function verifyUtf8(_req: unknown, _res: unknown, buf: Buffer): void {
  try {
    utf8.decode(buf);
  } catch {
    throw Object.assign(new Error('request body is not valid UTF-8'), { status: 400, type: 'encoding.invalid_utf8' });
  }
}
