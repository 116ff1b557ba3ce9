import { ReplyError } from 'ioredis';

/**
 * SQLSTATE classes that are one row's fault: data exceptions (22: a NUL in text, a number out of
 * range), integrity violations (23) and program limits (54: an index row too large). Storing the
 * same rows again fails the same way, so the batch is split and the row that fails alone is
 * dead-lettered.
 */
const ROW_FAULT_CLASSES = new Set(['22', '23', '54']);
const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * Whether a failed insert is the rows' fault (true) or the store's (false: unreachable, restarting,
 * out of connections, a deadlock, a missing table after a bad deploy). Only the store's faults are
 * waited out; an error that is no Postgres error and no I/O failure is a bug meeting one event
 * (a TypeError), which waiting would not cure either.
 */
export function isRowFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SQLSTATE.test(code)) return ROW_FAULT_CLASSES.has(code.slice(0, 2));
  return err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError;
}

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
