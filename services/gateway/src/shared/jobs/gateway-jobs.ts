import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { gatewayReturnsSlot, isErrorFrame, type JobFrameBase, type JobProtocol } from '@chatgate/contracts';
import { JobClient, NATS_CONNECTION, type ClientConnection, type JobHandle } from '@chatgate/service-kit';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config.js';
import { ApiError } from '../errors/api-error.js';

/**
 * The gateway's one job client (service-kit's JobClient: STREAM_IDLE_TIMEOUT_MS, and flow control with
 * STREAM_WINDOW_BYTES and CLIENT_STALL_TIMEOUT_MS), for every feature that hands a request to a worker:
 * chat, speech, the relay (web protocol and platform).
 * 1. `encode` before taking a limit slot: a job the bus cannot carry is a 413 then, not later.
 * 2. `run` with the client's connection: frames in order, a disconnect cancels the job; when the job
 *    ends with a failure that means no worker ran it (`gatewayReturnsSlot`), `neverRan` is called so
 *    the caller returns the limit slot no usage event will return.
 */
@Injectable()
export class GatewayJobs {
  private readonly client: JobClient;

  constructor(@Inject(NATS_CONNECTION) nc: NatsConnection, @Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.client = new JobClient(nc, config.STREAM_IDLE_TIMEOUT_MS, { windowBytes: config.STREAM_WINDOW_BYTES, stallMs: config.CLIENT_STALL_TIMEOUT_MS });
  }

  /** The job as one bus message; a 413 ApiError when it does not fit. */
  encode<Job extends { requestId: string }, Frame extends JobFrameBase>(protocol: JobProtocol<Job, Frame>, job: Job): Uint8Array {
    const payload = this.client.encode(protocol, job);
    if (payload instanceof Uint8Array) return payload;
    throw ApiError.fromBus(payload);
  }

  /** Runs a job for a client connection; resolves when its last frame was handled or the client went away. */
  run<Job extends { requestId: string }, Frame extends JobFrameBase>(
    protocol: JobProtocol<Job, Frame>,
    job: Job,
    payload: Uint8Array,
    onFrame: (frame: Frame) => void,
    client: ClientConnection,
    neverRan?: () => void,
  ): Promise<void> {
    const handle = neverRan
      ? (frame: Frame) => {
          if (isErrorFrame(frame) && gatewayReturnsSlot(frame)) neverRan();
          onFrame(frame);
        }
      : onFrame;
    return this.client.run(protocol, job.requestId, payload, handle, client);
  }

  /** A job with no client connection (the caller cancels it itself, on its own timeout). */
  open<Job extends { requestId: string }, Frame extends JobFrameBase>(protocol: JobProtocol<Job, Frame>, job: Job, payload: Uint8Array, onFrame: (frame: Frame) => void): JobHandle {
    return this.client.open(protocol, job.requestId, payload, onFrame);
  }
}
