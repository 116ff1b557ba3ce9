import { requestFailure, type BusError, type OpenAIError, type RequestFailureCode } from '@chatgate/contracts';

/**
 * An error the client should see, already in OpenAI's terms: one of the failure families of
 * `@chatgate/contracts` (their tables give the status and the envelope's type), thrown from a handler.
 * Anything else that escapes a handler becomes a generic 500 with a correlation id (see
 * OpenAIExceptionFilter).
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

  /** A failure built by a family's constructor (`notAnObject()`, `workerUnavailable(…)`), or one that came over the bus. */
  static fromBus(failure: BusError): ApiError {
    return new ApiError(failure.status, failure.error, failure.retryAfterSec);
  }

  /** The client's request refused as it stands (the request family); a code of null says nothing more than the message. */
  static invalidRequest(message: string, param: string | null = null, code: RequestFailureCode | null = null): ApiError {
    if (code) return ApiError.fromBus(requestFailure(code, message, { param }));
    return new ApiError(400, { message, type: 'invalid_request_error', param, code: null });
  }

  toJSON() {
    return { error: this.body };
  }
}
