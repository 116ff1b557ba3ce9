import type { FastifyReply } from 'fastify';
import type { BusError } from '@chatgate/contracts';

/**
 * Answers a request that failed before anything of its answer was sent: the failure's status, its
 * `retry-after` when it has one, and OpenAI's envelope. Every way a gateway request fails ends here
 * (a thrown ApiError through the exception filter, a job's error frame before its head).
 */
export function sendFailure(reply: FastifyReply, failure: Pick<BusError, 'status' | 'error' | 'retryAfterSec'>, requestId?: string): void {
  if (failure.retryAfterSec !== undefined) reply.header('retry-after', String(failure.retryAfterSec));
  if (requestId) reply.header('x-request-id', requestId);
  void reply.status(failure.status).header('content-type', 'application/json').send({ error: failure.error });
}
