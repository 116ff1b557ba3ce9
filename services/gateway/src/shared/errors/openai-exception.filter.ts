import { ArgumentsHost, Catch, HttpException, Inject, type ExceptionFilter } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { internalError, invalidJson } from '@chatgate/contracts';
import type { Logger } from '@chatgate/service-kit';
import { ApiError } from './api-error.js';
import { sendFailure } from './send-failure.js';
import { frameworkFailure, isFrameworkError } from './framework-errors.js';
import { GATEWAY_LOGGER } from '../config/gateway.logger.js';


/**
 * Maps anything thrown on the HTTP side to OpenAI's envelope: `{"error": {message, type, param, code}}`.
 * Fastify's own failures (body parsing, body limit, unknown route) reach here as HttpExceptions
 * that NestJS made of them, told apart by status.
 */
export function toApiError(err: unknown, logger: Logger): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HttpException) {
    const status = err.getStatus();
    // The framework's own refusals (body parsing and limits, unknown routes) keep their status, never its words.
    if ([404, 413, 414, 415].includes(status) || isFrameworkError(err.cause)) return frameworkFailure(status, /JSON/i.test(err.message));
    if (status === 400 && /JSON/i.test(err.message)) return ApiError.fromBus(invalidJson());
    return new ApiError(status, { message: err.message, type: status < 500 ? 'invalid_request_error' : 'server_error', param: null, code: null });
  }
  // A framework error Nest left unmapped (a 5xx of its own, such as refusing requests while closing).
  if (isFrameworkError(err)) {
    return frameworkFailure((err as { statusCode?: number }).statusCode ?? 500);
  }
  const incident = randomUUID();
  logger.error({ err, incident }, 'unhandled error');
  return ApiError.fromBus(internalError(incident));
}

@Catch()
export class OpenAIExceptionFilter implements ExceptionFilter {
  constructor(@Inject(GATEWAY_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const apiError = toApiError(exception, this.logger);
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    sendFailure(reply, { status: apiError.status, error: apiError.body, retryAfterSec: apiError.retryAfterSec });
  }
}
