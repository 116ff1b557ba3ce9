import type { NatsConnection } from '@nats-io/transport-node';
import { ackEvery, encodeAck, type FlowWindow } from '@chatgate/contracts';

/** What a job's client connection offers: Node's ServerResponse (the gateway passes `reply.raw`). */
export interface ClientConnection {
  once(event: 'close' | 'drain', listener: () => void): unknown;
  removeListener?(event: 'close' | 'drain', listener: () => void): unknown;
  /** A write returned false and 'drain' has not come yet: the client is behind. */
  readonly writableNeedDrain?: boolean;
  /** Bytes written to the response and not yet taken by the socket. */
  readonly writableLength?: number;
  /** Cuts the connection (a client that stopped reading). */
  destroy?(): unknown;
}

/**
 * The gateway's side of one paced job (see contracts' flow-control): counts the bytes of the frames
 * that came with a credit subject, and acknowledges them once the client's socket has taken what
 * they were written as (no write waiting for 'drain'), every quarter window. A client that takes
 * nothing for the stall time while a write waits is cut; its 'close' then cancels the job.
 */
export class ClientPacer {
  private receivedBytes = 0;
  private acked = 0;
  private creditSubject: string | null = null;
  private awaitingDrain = false;
  private stallTimer: NodeJS.Timeout | null = null;
  private done = false;
  private readonly step: number;

  constructor(
    private readonly nc: NatsConnection,
    private readonly flow: FlowWindow,
    private readonly client: ClientConnection,
  ) {
    this.step = ackEvery(flow);
  }

  /** A message on the job's inbox: only frames of a paced worker carry the credit subject, and only they count. */
  received(bytes: number, reply: string | undefined): void {
    if (!reply || this.done) return;
    this.creditSubject = reply;
    this.receivedBytes += bytes;
  }

  /** The frames so far were handed to the client: acknowledge them now, or once its socket drains. */
  settle(): void {
    if (this.done || !this.creditSubject) return;
    if (this.client.writableNeedDrain) return this.awaitDrain();
    this.acknowledge();
  }

  /** The job ended or the client left: nothing more is acknowledged or watched. */
  stop(): void {
    this.done = true;
    this.stopWatching();
  }

  private awaitDrain(): void {
    if (this.awaitingDrain) return;
    this.awaitingDrain = true;
    this.client.once('drain', this.onDrain);
    this.watchStall();
  }

  private readonly onDrain = (): void => {
    this.awaitingDrain = false;
    this.stopWatching();
    if (!this.done) this.acknowledge();
  };

  private acknowledge(): void {
    if (this.receivedBytes - this.acked < this.step) return;
    this.acked = this.receivedBytes;
    this.nc.publish(this.creditSubject!, encodeAck(this.acked));
  }

  /** While a write waits for 'drain': the socket must keep taking bytes, or the client is cut after the stall time. */
  private watchStall(): void {
    let pending = this.client.writableLength ?? 0;
    let progressAt = Date.now();
    this.stallTimer = setInterval(
      () => {
        const now = Date.now();
        const left = this.client.writableLength ?? 0;
        if (left < pending) {
          pending = left;
          progressAt = now;
          return;
        }
        if (now - progressAt < this.flow.stallMs) return;
        this.stop();
        this.client.destroy?.();
      },
      Math.max(50, Math.min(1000, Math.floor(this.flow.stallMs / 4))),
    );
    this.stallTimer.unref?.();
  }

  private stopWatching(): void {
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.stallTimer = null;
    if (this.awaitingDrain) this.client.removeListener?.('drain', this.onDrain);
    this.awaitingDrain = false;
  }
}
