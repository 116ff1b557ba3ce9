import type { FastifyError } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { bodyTooLarge, invalidJson, invalidUrl, requestFailure, requestTimeout, unknownUrl, unsupportedMediaType, urlTooLong, type BusError } from '@chatgate/contracts';
import { ApiError } from './api-error.js';

/**
 * The web framework's own refusals in OpenAI's terms, by status: never its error codes or its name.
 * `jsonish`: the refusal was about reading a JSON body.
 */
export function frameworkFailure(status: number, jsonish = false): ApiError {
  const failure = ((): BusError => {
    switch (status) {
      case 404:
        return unknownUrl();
      case 413:
        return bodyTooLarge();
      case 414:
        return urlTooLong();
      case 415:
        return unsupportedMediaType();
      case 400:
        return jsonish ? invalidJson() : requestFailure('invalid_request', 'The request could not be read.');
      case 503:
        return { status, error: { message: 'chatgate is restarting or stopping; retry shortly.', type: 'server_error', param: null, code: null } };
      default:
        return { status, error: { message: 'The request could not be served.', type: status < 500 ? 'invalid_request_error' : 'server_error', param: null, code: null } };
    }
  })();
  return ApiError.fromBus(failure);
}

/** Whether an error is one the framework raised itself (its codes are `FST_…`). */
export function isFrameworkError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('FST_');
}

/**
 * Fastify's `frameworkErrors`: what its router refuses before any hook or handler runs (a URL with a
 * broken percent escape, a route parameter over the length limit), answered in OpenAI's envelope.
 */
/** What answerFrameworkError uses of the reply (Fastify passes a reply of any server type). */
export interface Answerable {
  status(code: number): Answerable;
  header(name: string, value: string): Answerable;
  send(payload: unknown): unknown;
}

export function answerFrameworkError(error: FastifyError, reply: Answerable): void {
  const apiError = error.code === 'FST_ERR_BAD_URL' ? ApiError.fromBus(invalidUrl()) : frameworkFailure(error.statusCode ?? 400);
  // Refused before any hook ran, so before a request id was given: this answer gets one of its own.
  const requestId = randomUUID();
  const body = apiError.toJSON() as { error: Record<string, unknown> };
  void reply
    .status(apiError.status)
    .header('content-type', 'application/json')
    .header('x-request-id', requestId)
    .send({ ...body, error: { ...body.error, request_id: requestId } });
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before there is a request (malformed
 * framing, headers too large, a request that took longer than REQUEST_TIMEOUT_MS or HEADERS_TIMEOUT_MS),
 * answered in OpenAI's envelope on the socket, which is then closed.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const failure: BusError =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? requestTimeout()
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? requestFailure('headers_too_large', 'The request headers are too large.')
        : requestFailure('invalid_request', 'The request could not be read.');
  // There is no request yet (the parser refused it), so no request id: the answer gets one of its own.
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { ...failure.error, request_id: requestId } });
  const reason = failure.status === 408 ? 'Request Timeout' : failure.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${failure.status} ${reason}\r\nContent-Type: application/json\r\nX-Request-Id: ${requestId}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
