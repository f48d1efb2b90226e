// The process logger: pino JSON, level from LOG_LEVEL, secrets redacted wherever they appear
// in request logs (headers) or in objects we log (password fields).
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'db.password',
];

export function createLogger(level: LogLevel, destination?: DestinationStream, service = 'smartshop-api'): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service } };
  return destination === undefined ? pino(options) : pino(options, destination);
}
