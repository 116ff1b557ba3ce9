/**
 * SQLSTATE classes that are one row's fault: data exceptions (22: a NUL in text, a number out of
 * range), integrity violations (23) and program limits (54: an index row too large). Writing the
 * same rows again fails the same way, so a batch that fails with one is split and the row that
 * fails alone is set aside (dead-lettered by the usage store, left unwritten by a GroupCommit).
 */
const ROW_FAULT_CLASSES = new Set(['22', '23', '54']);
const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * Whether a failed insert is the rows' fault (true) or the store's (false: unreachable, restarting,
 * out of connections, a deadlock, a missing table after a bad deploy). Only the store's faults are
 * waited out; an error that is no Postgres error and no I/O failure is a bug meeting one row
 * (a TypeError), which waiting would not cure either.
 */
export function isRowFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SQLSTATE.test(code)) return ROW_FAULT_CLASSES.has(code.slice(0, 2));
  return err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError;
}
