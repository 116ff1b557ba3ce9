import type { BusError, OpenAIError } from '@chatgate/contracts';

/**
 * An error the client should see, already in OpenAI's terms. Anything else that escapes a handler
 * becomes a generic 500 with a correlation id (see OpenAIExceptionFilter).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: OpenAIError,
    /** Sent as `retry-after` (seconds). */
    readonly retryAfterSec?: number,
  ) {
    super(body.message);
  }

  static fromBus(failure: BusError): ApiError {
    return new ApiError(failure.status, failure.error, failure.retryAfterSec);
  }

  static invalidRequest(message: string, param: string | null = null, code: string | null = null): ApiError {
    return new ApiError(400, { message, type: 'invalid_request_error', param, code });
  }

  static unauthorized(message: string, code = 'invalid_api_key'): ApiError {
    return new ApiError(401, { message, type: 'invalid_request_error', param: null, code });
  }

  static unavailable(message: string, code = 'service_unavailable'): ApiError {
    return new ApiError(503, { message, type: 'server_error', param: null, code });
  }

  toJSON() {
    return { error: this.body };
  }
}
