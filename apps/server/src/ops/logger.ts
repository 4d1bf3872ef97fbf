import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type { Env } from '../config/env.js';

// Secrets never reach a log line, wherever they appear in a logged object.
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.email',
];

/** Whether pino-pretty is installed: a dev dependency, absent from a production install. */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** The process logger: JSON in production, pretty in development when pino-pretty is installed. */
export function createLogger(env: Pick<Env, 'NODE_ENV' | 'LOG_LEVEL'>): Logger {
  return pino({
    level: env.LOG_LEVEL,
    redact: { paths: REDACT, censor: '[redacted]' },
    ...(env.NODE_ENV === 'development' &&
      prettyAvailable() && {
        transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } },
      }),
  });
}
