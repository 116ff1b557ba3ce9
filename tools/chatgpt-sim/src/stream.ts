// Drives one SSE response: writes the encoder's frames in order, spacing chunks by the delay,
// honouring backpressure, and striking a planned mid-stream failure. All its timers die with
// the response, so a client that leaves (or close()) never leaves one behind.
import { createHash, type Hash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { SSE_HEADERS } from './sse.js';
import type { Encoder, Frame } from './turn.js';

export interface MidStreamFailure {
  kind: 'stall' | 'cut' | 'stream_error';
  /** Answer chunks written before it strikes. */
  after: number;
}

export interface StreamOptions {
  encoder: Encoder;
  delayMs: number;
  ttfbMs: number;
  failure: MidStreamFailure | null;
  /** Hears every write: its size and whether the stream must now wait for the client to read. */
  onWrite?: (bytes: number, mustWait: boolean) => void;
}

export type StreamOutcome = 'completed' | 'aborted';

export class StreamRun {
  private readonly frames: Iterator<Frame>;
  private pending: Frame | undefined;
  private waited = false;
  private timer: NodeJS.Timeout | null = null;
  private answersSent = 0;
  private chunksSent = 0;
  private stalled = false;
  private cut = false;
  private settled = false;
  /** Every byte of the body as written, so a test can tell whether a relay passed the stream on unchanged. */
  private readonly hash: Hash = createHash('sha256');
  private bytesWritten = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly opts: StreamOptions,
    private readonly onSettle: (run: StreamRun, outcome: StreamOutcome) => void,
  ) {
    this.frames = opts.encoder.frames();
    res.on('close', this.onClose);
    // A write racing a vanished client must not crash the simulator; 'close' does the bookkeeping.
    res.on('error', () => undefined);
  }

  start(): void {
    // The client may have left while its body was read; 'close' has then already fired.
    const socket = this.res.socket;
    if (this.res.destroyed || !socket || socket.destroyed) {
      this.settle('aborted');
      return;
    }
    if (this.opts.ttfbMs > 0) this.timer = setTimeout(this.onTimer, this.opts.ttfbMs);
    else this.begin();
  }

  /** The server is closing: stop timers and count the stream as aborted now (its socket is destroyed next). */
  dispose(): void {
    this.settle('aborted');
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    if (!this.res.headersSent) this.begin();
    else this.pump();
  };

  private readonly onClose = (): void => {
    this.clearTimer();
    // A deliberate cut is the simulator's doing, not the client leaving.
    this.settle(this.cut ? 'completed' : 'aborted');
  };

  private begin(): void {
    if (this.settled) return;
    this.res.writeHead(200, SSE_HEADERS);
    // Headers go out now, before any frame: a stall with after=0 still shows a started stream.
    this.res.flushHeaders();
    this.pump();
  }

  private readonly pump = (): void => {
    if (this.settled || this.stalled) return;
    const { failure, delayMs } = this.opts;
    for (;;) {
      if (!this.pending) {
        const next = this.frames.next();
        if (next.done) {
          this.finish();
          return;
        }
        this.pending = next.value;
        this.waited = false;
      }
      const frame = this.pending;
      if (failure && frame.gate && (this.answersSent >= failure.after || frame.end)) {
        this.strike(failure);
        return;
      }
      if (frame.chunk && this.chunksSent > 0 && delayMs > 0 && !this.waited) {
        this.waited = true;
        this.timer = setTimeout(this.onTimer, delayMs);
        return;
      }
      this.pending = undefined;
      if (frame.chunk) this.chunksSent += 1;
      if (frame.answer) this.answersSent += 1;
      if (!this.write(frame.data)) {
        this.res.once('drain', this.pump);
        return;
      }
    }
  };

  private strike(failure: MidStreamFailure): void {
    switch (failure.kind) {
      case 'stall':
        // Nothing more, connection left open until the client or close() ends it.
        this.stalled = true;
        return;
      case 'cut':
        this.cut = true;
        this.res.socket?.destroy();
        return;
      case 'stream_error':
        for (const data of this.opts.encoder.errorFrames()) this.write(data);
        this.finish();
        return;
    }
  }

  /** What this response's body held so far: its sha256 (hex) and length. */
  written(): { sha256: string; bytes: number } {
    return { sha256: this.hash.copy().digest('hex'), bytes: this.bytesWritten };
  }

  private write(data: string): boolean {
    const bytes = Buffer.from(data, 'utf8');
    this.hash.update(bytes);
    this.bytesWritten += bytes.length;
    const flowing = this.res.write(bytes);
    this.opts.onWrite?.(bytes.length, !flowing);
    return flowing;
  }

  private finish(): void {
    this.res.end();
    this.settle('completed');
  }

  private settle(outcome: StreamOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.clearTimer();
    this.onSettle(this, outcome);
  }

  private clearTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
