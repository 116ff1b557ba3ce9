import { pino, type Logger } from 'pino';
import type { LoggerService } from '@nestjs/common';

/**
 * Paths pino blanks out wherever they appear in a logged object. Tokens travel in these fields;
 * the list is the second line of defence, the first is never logging them.
 */
const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authkey',
  'req.headers.authkey',
  'accessToken',
  'refreshToken',
  'sessionToken',
  'token',
  'bearer',
  'upstream.accessToken',
  '*.accessToken',
  '*.refreshToken',
  '*.sessionToken',
  '*.token',
  '*.bearer',
  'job.upstream.accessToken',
];

export type { Logger };

export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

/** Routes NestJS's own log lines (module init, route mapping) into the same JSON stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
