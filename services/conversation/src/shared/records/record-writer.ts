import type { Logger } from '@chatgate/service-kit';
import type { FinishedTurn } from './conversation-record.js';
import type { ConversationRecordStore } from './conversation-record.store.js';

/** Turns in one statement at most. */
const BATCH_MAX = 200;
/**
 * Turns waiting to be written at most; beyond that a turn goes unrecorded (its next turn then sends
 * the whole history) rather than queueing without bound behind a slow database.
 */
export const MAX_UNWRITTEN = 2000;

interface Batch {
  readonly turns: Array<{ requestId: string; turn: FinishedTurn }>;
  /** Resolves once the batch was written (or failed: a record is an optimisation, never an error). */
  landed: Promise<void>;
}

/**
 * How long a lookup waits for its owner's turns at most. A statement waiting on a lock holds back
 * every batch behind it; past this a lookup goes on without the newest record (the job then sends its
 * whole history), as it would on another replica.
 */
export const SETTLE_MAX_MS = 2000;

function sqlState(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** Postgres answered and refused the data itself (SQLSTATE class 22 or 23): trying the same again cannot help. */
function refusedData(err: unknown): boolean {
  return /^2[23]/.test(sqlState(err));
}

/**
 * Worth one more try: a deadlock or serialization failure (class 40: batches lock several rows, so two
 * replicas' batches, or a batch and an owner's marking, can meet), or a connection lost mid-statement
 * (class 08, 57P: the upsert is idempotent, so running it again is safe).
 */
function transient(err: unknown): boolean {
  return /^(40|08|57P)/.test(sqlState(err));
}

/**
 * Before that try: a connection the server ended goes back to the pool before its socket has closed,
 * and a statement sent at once is handed that same connection ("Connection terminated unexpectedly").
 */
const RETRY_PAUSE_MS = 100;

/**
 * Writes finished turns one batch at a time: while a batch is being written, the turns that finish
 * meanwhile gather and go together in one statement when it lands (group commit). An idle worker's
 * turn goes at once, so a record lands no later than it did when each turn had its own statement;
 * under load the statements (and the Postgres work and socket writes each costs the worker and the
 * database on the same cores) fall from one per request to one per round trip.
 *
 * Batches are written in order, one at a time, so a record never goes back to an older turn.
 */
export class RecordWriter {
  /** The batch turns join: written when the one before it has landed. */
  private open: Batch | null = null;
  /** The newest batch's landing: the next batch is written after it. */
  private tail: Promise<void> = Promise.resolve();
  /** Per owner, the batch holding their newest turn, until it lands. */
  private readonly owners = new Map<string, Batch>();
  private unwritten = 0;

  constructor(
    private readonly store: Pick<ConversationRecordStore, 'recordTurns'>,
    private readonly logger: Logger,
    private readonly settleMaxMs = SETTLE_MAX_MS,
  ) {}

  /** Queues a finished turn; never waits and never throws. */
  write(requestId: string, turn: FinishedTurn): void {
    if (this.unwritten >= MAX_UNWRITTEN) {
      this.logger.warn({ requestId }, 'too many conversation records being written; this turn is not recorded');
      return;
    }
    this.unwritten += 1;
    const batch = this.open ?? this.opened();
    batch.turns.push({ requestId, turn });
    this.owners.set(turn.ownerKey, batch);
    // A full batch takes no more: the next turn opens the one after it.
    if (batch.turns.length >= BATCH_MAX) this.open = null;
  }

  /**
   * Resolves once the turns queued so far (of one owner, or all) have been written or have failed,
   * or after `maxMs` (SETTLE_MAX_MS unless given), whichever comes first.
   */
  async settled(ownerKey?: string, maxMs = this.settleMaxMs): Promise<void> {
    const landed = ownerKey === undefined ? this.tail : this.owners.get(ownerKey)?.landed;
    if (!landed) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([landed, new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)))]);
    clearTimeout(timer);
  }

  private opened(): Batch {
    const batch: Batch = { turns: [], landed: Promise.resolve() };
    this.open = batch;
    // Chained behind the batch before it; it takes what has gathered by the time that one lands.
    batch.landed = this.tail = this.tail.then(() => this.written(batch));
    return batch;
  }

  private async written(batch: Batch): Promise<void> {
    if (this.open === batch) this.open = null;
    const turns = batch.turns.map((t) => t.turn);
    try {
      await this.store.recordTurns(turns).catch(async (err: unknown) => {
        if (!transient(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
        return this.store.recordTurns(turns);
      });
    } catch (err) {
      // One turn the database refuses (a value it cannot hold) must not cost the others their records.
      if (batch.turns.length > 1 && refusedData(err)) for (const one of batch.turns) await this.writeAlone(one);
      else this.failed(batch.turns, err);
    } finally {
      this.unwritten -= batch.turns.length;
      for (const { turn } of batch.turns) if (this.owners.get(turn.ownerKey) === batch) this.owners.delete(turn.ownerKey);
    }
  }

  private async writeAlone(one: Batch['turns'][number]): Promise<void> {
    try {
      await this.store.recordTurns([one.turn]);
    } catch (err) {
      this.failed([one], err);
    }
  }

  private failed(turns: Batch['turns'], err: unknown): void {
    this.logger.warn(
      { err: err instanceof Error ? err.message : String(err), requestIds: turns.slice(0, 20).map((t) => t.requestId) },
      turns.length > 1 ? 'could not record the conversations' : 'could not record the conversation',
    );
  }
}
