import type { Logger } from '@chatgate/service-kit';
import { GroupCommit } from '@chatgate/service-kit/postgres';
import type { FinishedTurn } from './conversation-record.js';
import type { ConversationRecordStore } from './conversation-record.store.js';

/** Turns in one statement at most. */
const BATCH_MAX = 200;
/**
 * Turns waiting to be written at most; beyond that a turn goes unrecorded (its next turn then sends
 * the whole history) rather than queueing without bound behind a slow database.
 */
export const MAX_UNWRITTEN = 2000;

/**
 * How long a lookup waits for its owner's turns at most. A statement waiting on a lock holds back
 * every batch behind it; past this a lookup goes on without the newest record (the job then sends its
 * whole history), as it would on another replica.
 */
export const SETTLE_MAX_MS = 2000;

/**
 * Writes finished turns off the reply's path, in batches (`GroupCommit`: an idle worker's turn goes
 * at once, so a record lands no later than it did with a statement of its own; the turns that finish
 * while a statement runs go together in the next), and lets a lookup wait for its owner's newest
 * turn. A record is an optimisation: a failed write is logged, never an error.
 */
export class RecordWriter {
  private readonly commit: GroupCommit<FinishedTurn>;
  /** Per owner, the landing of their newest turn, until it lands. */
  private readonly owners = new Map<string, Promise<void>>();
  private unwritten = 0;

  constructor(
    store: Pick<ConversationRecordStore, 'recordTurns'>,
    private readonly logger: Logger,
    private readonly settleMaxMs = SETTLE_MAX_MS,
  ) {
    this.commit = new GroupCommit((turns) => store.recordTurns(turns), { maxItems: BATCH_MAX });
  }

  /** Queues a finished turn; never waits and never throws. */
  write(requestId: string, turn: FinishedTurn): void {
    if (this.unwritten >= MAX_UNWRITTEN) {
      this.logger.warn({ requestId }, 'too many conversation records being written; this turn is not recorded');
      return;
    }
    this.unwritten += 1;
    const landed: Promise<void> = this.commit
      .submit(turn)
      .catch((err: unknown) => this.logger.warn({ err: err instanceof Error ? err.message : String(err), requestId }, 'could not record the conversation'))
      .finally(() => {
        this.unwritten -= 1;
        if (this.owners.get(turn.ownerKey) === landed) this.owners.delete(turn.ownerKey);
      });
    this.owners.set(turn.ownerKey, landed);
  }

  /**
   * Resolves once the turns queued so far (of one owner, or all) have been written or have failed,
   * or after `maxMs` (SETTLE_MAX_MS unless given), whichever comes first.
   */
  async settled(ownerKey?: string, maxMs = this.settleMaxMs): Promise<void> {
    // All: every batch written, and every owner's newest turn through its own ending.
    const landed = ownerKey === undefined ? Promise.all([this.commit.drained(), ...this.owners.values()]) : this.owners.get(ownerKey);
    if (!landed) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([landed, new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)))]);
    clearTimeout(timer);
  }
}
