import type { FlowWindow } from '@chatgate/contracts';

/**
 * How much longer than the gateway's stall time a worker waits for an acknowledgement before it gives
 * up on the job (at most the stall time again): the gateway, which sees the client, cuts it first.
 */
export const STALL_MARGIN_MS = 5000;

/**
 * The worker's side of one paced job (see contracts' flow-control): the bytes of frames sent, the
 * total the gateway acknowledged, and the handler waiting while it is more than a window ahead.
 */
export class JobFlow {
  private sentBytes = 0;
  private ackedBytes = 0;
  /** When the job last made progress while blocked: it became blocked, or an acknowledgement came. */
  private progressAt = Date.now();
  private waiter: (() => void) | null = null;
  private waiting: Promise<void> | null = null;

  constructor(
    readonly window: FlowWindow,
    /** Where the gateway publishes its acknowledgements (the reply subject of every frame). */
    readonly creditSubject: string,
  ) {}

  /** Bytes sent and not yet acknowledged. */
  get ahead(): number {
    return this.sentBytes - this.ackedBytes;
  }

  /** More than a window ahead: the handler should wait before reading more. */
  get blocked(): boolean {
    return this.ahead > this.window.windowBytes;
  }

  sent(bytes: number): void {
    const wasBlocked = this.blocked;
    this.sentBytes += bytes;
    if (!wasBlocked && this.blocked) this.progressAt = Date.now();
  }

  /** An acknowledgement: the running total of bytes the client has taken. Older totals change nothing. */
  acknowledged(total: number): void {
    if (total <= this.ackedBytes) return;
    this.ackedBytes = total;
    this.progressAt = Date.now();
    if (!this.blocked) this.release();
  }

  /** Resolves when an acknowledgement brings the job back within its window, or the job is aborted. */
  whenOpen(signal: AbortSignal): Promise<void> {
    if (!this.blocked || signal.aborted) return Promise.resolve();
    if (!this.waiting) {
      this.waiting = new Promise<void>((resolve) => {
        const onAbort = () => this.release();
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiter = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      });
    }
    return this.waiting;
  }

  /** Blocked with no acknowledgement for longer than the gateway's stall time and a margin. */
  stalled(now: number): boolean {
    return this.blocked && now - this.progressAt > this.window.stallMs + Math.min(STALL_MARGIN_MS, this.window.stallMs);
  }

  /** The job is over: nobody waits any more. */
  close(): void {
    this.release();
  }

  private release(): void {
    const waiter = this.waiter;
    this.waiter = null;
    this.waiting = null;
    waiter?.();
  }
}
