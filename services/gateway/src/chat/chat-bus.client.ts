import { Inject, Injectable } from '@nestjs/common';
import { createInbox, type NatsConnection } from '@nats-io/transport-node';
import {
  CHAT_COMPLETION_JOB,
  chatCancelSubject,
  chatFrameSchema,
  type BusError,
  type ChatFrame,
  type ChatJob,
} from '@chatgate/contracts';
import { encodeJson, decodeJson, NATS_CONNECTION } from '@chatgate/service-kit';
import { ApiError } from '../errors/api-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config.js';

export interface ChatStreamHandlers {
  /** Every frame, in order; returns nothing. After `end` or `error` no more frames come. */
  onFrame(frame: ChatFrame): void;
}

export interface ChatStreamHandle {
  /** The client went away: stop listening and tell the worker to abort the upstream request. */
  cancel(): void;
}

const NO_WORKER: BusError = {
  status: 503,
  error: { message: 'No conversation worker is available. Try again shortly.', type: 'server_error', param: null, code: 'worker_unavailable' },
};

const WORKER_LOST: BusError = {
  status: 502,
  error: { message: 'The conversation worker stopped answering in the middle of the reply.', type: 'server_error', param: null, code: 'worker_lost' },
};

/**
 * Sends a job to one conversation worker (queue group) and delivers its frames. One private inbox
 * per request; the worker's heartbeats keep the stream alive while the upstream is slow, and their
 * absence for STREAM_IDLE_TIMEOUT_MS ends it with an error instead of a hang.
 */
@Injectable()
export class ChatBusClient {
  private readonly idleTimeoutMs: number;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.idleTimeoutMs = config.STREAM_IDLE_TIMEOUT_MS;
  }

  /**
   * The job as it goes on the bus. A job travels as one NATS message, so it must fit the server's
   * max_payload (1 MiB by default); inline images and files (base64) are what makes one large.
   * Refused here with a 413 before any limit slot is taken, rather than failing in publish.
   */
  encodeJob(job: ChatJob): Uint8Array {
    const payload = encodeJson(job);
    const max = this.nc.info?.max_payload;
    if (max !== undefined && payload.length > max) {
      throw new ApiError(413, {
        message: `The request carries ${payload.length} bytes of messages and inline data; at most ${max} bytes can go to a worker in one request. Send large images by https URL instead of a data: URL, or send fewer files at once.`,
        type: 'invalid_request_error',
        param: 'messages',
        code: 'request_too_large',
      });
    }
    return payload;
  }

  open(job: ChatJob, handlers: ChatStreamHandlers, payload: Uint8Array = this.encodeJob(job)): ChatStreamHandle {
    const inbox = createInbox();
    let finished = false;
    let lastHeard = Date.now();

    const finish = (last?: ChatFrame) => {
      if (finished) return;
      finished = true;
      clearInterval(watchdog);
      sub.unsubscribe();
      if (last) handlers.onFrame(last);
    };

    const sub = this.nc.subscribe(inbox, {
      callback: (err, msg) => {
        if (finished) return;
        if (err) return finish({ t: 'error', ...WORKER_LOST });
        // The server answers 503 on our inbox when no worker is subscribed to the job subject.
        if (msg.headers?.code === 503) return finish({ t: 'error', ...NO_WORKER });
        lastHeard = Date.now();
        let frame: ChatFrame;
        try {
          frame = decodeJson(chatFrameSchema, msg.data);
        } catch {
          return finish({ t: 'error', ...WORKER_LOST });
        }
        if (frame.t === 'hb') return;
        if (frame.t === 'end' || frame.t === 'error') return finish(frame);
        handlers.onFrame(frame);
      },
    });

    const watchdog = setInterval(
      () => {
        if (Date.now() - lastHeard >= this.idleTimeoutMs) finish({ t: 'error', ...WORKER_LOST });
      },
      Math.max(50, Math.floor(this.idleTimeoutMs / 5)),
    );

    this.nc.publish(CHAT_COMPLETION_JOB, payload, { reply: inbox });

    return {
      cancel: () => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        sub.unsubscribe();
        this.nc.publish(chatCancelSubject(job.requestId));
      },
    };
  }
}
