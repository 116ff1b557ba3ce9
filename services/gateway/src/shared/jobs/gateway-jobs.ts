import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { gatewayReturnsSlot, isErrorFrame, type JobFrameBase, type JobProtocol } from '@chatgate/contracts';
import { JobClient, NATS_CONNECTION, UsagePublisher, usageEvent, type ClientConnection, type JobHandle, type Logger, type UsageCaller, type UsageFacts } from '@chatgate/service-kit';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config.js';
import { GATEWAY_LOGGER } from '../config/gateway.logger.js';
import { ApiError } from '../errors/api-error.js';

/** What a job used as far as the gateway saw it, for the usage event it publishes when the worker is lost. */
export type DeliveredUsage = Pick<UsageFacts, 'model' | 'kind' | 'upstream' | 'promptTokens' | 'completionTokens' | 'characters' | 'images'>;

/**
 * How a job's endings are accounted for at the gateway (each absent: nothing to do). Only a job that
 * names its caller (tenant, user, credential) can have its usage recorded here.
 */
export interface JobEndings<Job> {
  /** The job ended with a failure meaning no worker ran it: return the limit slot no usage event will return. */
  neverRan?(): void;
  /** The worker died mid-job: what was delivered, for the usage event the gateway then publishes itself. */
  delivered?: Job extends UsageCaller ? () => DeliveredUsage | Promise<DeliveredUsage> : never;
}

/** What the client got when the worker was lost (`worker_lost` is a 502). */
const WORKER_LOST_STATUS = 502;

/**
 * The gateway's one job client (service-kit's JobClient: STREAM_IDLE_TIMEOUT_MS, and flow control with
 * STREAM_WINDOW_BYTES and CLIENT_STALL_TIMEOUT_MS), for every feature that hands a request to a worker:
 * chat, speech, the relay (web protocol and platform).
 * 1. `encode` before taking a limit slot: a job the bus cannot carry is a 413 then, not later.
 * 2. `run` with the client's connection: frames in order, a disconnect cancels the job. When the job
 *    ends with a failure that means no worker ran it (`gatewayReturnsSlot`), `neverRan` is called so
 *    the caller returns the limit slot no usage event will return. When its worker is lost mid-job
 *    (`worker_lost`), nobody else can account for it: the gateway publishes its usage event, outcome
 *    `worker_lost`, with what `delivered` says reached the client (estimated), once; the first event
 *    per request id counts (JetStream drops a repeated single event, the usage store any later one),
 *    so should the worker live after all, its own later one is dropped. The usage service then
 *    returns the slot and settles the budget holds, as for an error.
 */
@Injectable()
export class GatewayJobs {
  private readonly client: JobClient;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly usage: UsagePublisher,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {
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
    endings: JobEndings<Job> = {},
  ): Promise<void> {
    const started = performance.now();
    const handle = (frame: Frame) => {
      if (isErrorFrame(frame)) {
        if (endings.neverRan && gatewayReturnsSlot(frame)) endings.neverRan();
        // `delivered` exists only for jobs that are UsageCallers (JobEndings' type says so).
        if (endings.delivered && frame.error.code === 'worker_lost') void this.recordLost(job as unknown as UsageCaller, endings.delivered, performance.now() - started);
      }
      onFrame(frame);
    };
    return this.client.run(protocol, job.requestId, payload, handle, client);
  }

  /** A job with no client connection (the caller cancels it itself, on its own timeout). */
  open<Job extends { requestId: string }, Frame extends JobFrameBase>(protocol: JobProtocol<Job, Frame>, job: Job, payload: Uint8Array, onFrame: (frame: Frame) => void): JobHandle {
    return this.client.open(protocol, job.requestId, payload, onFrame);
  }

  private async recordLost(job: UsageCaller, delivered: () => DeliveredUsage | Promise<DeliveredUsage>, latencyMs: number): Promise<void> {
    try {
      // The account the worker had leased is not known here; the counts are the gateway's own estimate.
      this.usage.publish(usageEvent(job, { ...(await delivered()), account: null, estimated: true, outcome: 'worker_lost', status: WORKER_LOST_STATUS, latencyMs }));
    } catch (err) {
      this.logger.error({ requestId: job.requestId, err: err instanceof Error ? err.message : String(err) }, 'the usage of a job whose worker was lost could not be recorded');
    }
  }
}
