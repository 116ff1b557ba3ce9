import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { LoggerService } from '@nestjs/common';
import { redactSecrets } from './redaction.js';
import { currentRequest } from '../observability/request-context.js';

export type { Logger };

/** `destination`: where lines go (stdout by default; tests capture them). */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Every line written while a request is being worked on names it (`requestId`: the id the client sees in
    // `x-request-id`). A line that names a job's own id as `requestId` (older call sites) keeps it as `jobId`.
    mixin: () => {
      const request = currentRequest();
      return request ? { requestId: request.requestId } : {};
    },
    mixinMergeStrategy: (line, mixin) => {
      const requestId = (mixin as { requestId?: string }).requestId;
      if (requestId === undefined) return line;
      const own = (line as { requestId?: unknown }).requestId;
      if (own === undefined || own === requestId) return Object.assign(mixin, line);
      return { ...mixin, ...line, requestId, jobId: own };
    },
    formatters: {
      level: (label) => ({ level: label }),
      // Every logged object, at any depth: secret fields by name (redaction.ts). Covers nested headers,
      // snake_case token fields, cookies and passwords that a fixed list of paths would miss.
      log: (object) => redactSecrets(object) as Record<string, unknown>,
    },
  };
  return destination ? pino(options, destination) : pino(options);
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
