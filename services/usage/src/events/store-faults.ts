import { ReplyError } from 'ioredis';

/** Replies of a Redis that is loading, failing over or busy: it will answer later. */
const REDIS_BUSY_REPLY = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS)\b/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether a failed budget settlement is worth retrying: Redis unreachable, loading or failing over
 * is. Anything else (a command Redis refused, a key the ledger will not send, a bug) would fail
 * the same way again, so it must not hold the consumer: the settlement is skipped and logged.
 */
export function isRedisTransient(err: unknown): boolean {
  if (err instanceof ReplyError) return REDIS_BUSY_REPLY.test((err as Error).message);
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (err.name === 'MaxRetriesPerRequestError' || (typeof code === 'string' && NETWORK_CODES.has(code))) return true;
  return /Connection is closed|Stream isn't writeable|connect ETIMEDOUT/.test(err.message);
}

/** One line for a log or a dead letter: the SQLSTATE when there is one, then the message. */
export function describeFault(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}
