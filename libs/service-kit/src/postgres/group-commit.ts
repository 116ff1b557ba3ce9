import { isRowFault } from './row-faults.js';

/** What a batch may hold at most: items, and (when the items say what they weigh) bytes; one item always fits. */
export interface GroupCommitLimits<T> {
  maxItems: number;
  maxBytes?: number;
  bytesOf?: (item: T) => number;
}

interface Batch<T> {
  readonly entries: Array<{ item: T; written: () => void; failed: (err: unknown) => void }>;
  bytes: number;
}

/** Pause before the second try: a connection the server ended goes back to the pool before its socket has closed, and a statement sent at once is handed that same connection. */
const RETRY_PAUSE_MS = 100;

function sqlState(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * Worth one more try: a deadlock or serialization failure (class 40: a batch locks several rows, so two
 * replicas' batches can meet), or a connection lost mid-statement (class 08, 57P). The writes a group
 * commit makes are idempotent (upserts, inserts that ignore a conflict), so running one again is safe.
 */
function transient(err: unknown): boolean {
  return /^(40|08|57P)/.test(sqlState(err));
}

/**
 * Writes items to Postgres in batches, one batch at a time (group commit): an idle writer's item goes
 * at once, so nothing waits longer than it would alone; the items that arrive while a batch is being
 * written gather and go together in the next, one statement for all of them. On a machine the
 * database shares, each statement (its round trip, parse, commit and WAL flush) costs the service and
 * the database more than the rows in it, so under load this is the difference between one statement
 * per request and one per round trip.
 *
 * `submit` resolves once its item is written, or rejects with the item's own failure: a batch that
 * fails for a row's fault (`isRowFault`) is written again one item at a time, so one bad item fails alone; a
 * deadlock or lost connection gets one more try. Batches are written in order, never two at once.
 */
export class GroupCommit<T> {
  private open: Batch<T> | null = null;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    /** Writes the batch's items (in the order they came) in one statement; must be idempotent. */
    private readonly write: (items: T[]) => Promise<void>,
    private readonly limits: GroupCommitLimits<T>,
  ) {}

  submit(item: T): Promise<void> {
    const bytes = this.limits.bytesOf?.(item) ?? 0;
    let batch = this.open;
    if (!batch || batch.entries.length >= this.limits.maxItems || batch.bytes + bytes > (this.limits.maxBytes ?? Infinity)) batch = this.opened();
    batch.bytes += bytes;
    return new Promise<void>((written, failed) => batch.entries.push({ item, written, failed }));
  }

  /** Resolves once everything submitted so far has been written or has failed. */
  drained(): Promise<void> {
    return this.tail;
  }

  private opened(): Batch<T> {
    const batch: Batch<T> = { entries: [], bytes: 0 };
    this.open = batch;
    // Behind the batch before it; it takes what has gathered by the time that one is done.
    this.tail = this.tail.then(() => this.run(batch));
    return batch;
  }

  private async run(batch: Batch<T>): Promise<void> {
    if (this.open === batch) this.open = null;
    const { entries } = batch;
    try {
      await this.attempt(entries.map((e) => e.item));
      for (const e of entries) e.written();
    } catch (err) {
      if (entries.length > 1 && isRowFault(err)) {
        for (const e of entries) await this.attempt([e.item]).then(e.written, e.failed);
      } else {
        for (const e of entries) e.failed(err);
      }
    }
  }

  private attempt(items: T[]): Promise<void> {
    return this.write(items).catch(async (err: unknown) => {
      if (!transient(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
      return this.write(items);
    });
  }
}
