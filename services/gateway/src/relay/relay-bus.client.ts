import { Inject, Injectable } from '@nestjs/common';
import { createInbox, type NatsConnection } from '@nats-io/transport-node';
import { RELAY_JOB, decodeRelayFrame, relayCancelSubject, type BusError, type RelayFrame, type RelayJob } from '@chatgate/contracts';
import { encodeJson, NATS_CONNECTION } from '@chatgate/service-kit';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config.js';

export interface RelayHandle {
  /** The client went away: stop listening and tell the worker to abort the upstream request. */
  cancel(): void;
}

export const NO_RELAY_WORKER: BusError = {
  status: 503,
  error: { message: 'No conversation worker is available. Try again shortly.', type: 'server_error', param: null, code: 'worker_unavailable' },
};

const TOO_LARGE: BusError = {
  status: 413,
  error: { message: 'Request body is too large to relay.', type: 'invalid_request_error', param: null, code: 'request_too_large' },
};

/** Failures of jobs no worker ever took: no usage event will follow them (the caller returns what it reserved). */
export const NOT_DISPATCHED = new Set(['worker_unavailable', 'request_too_large']);

/** What NATS refuses when the server does not say (its default payload limit). */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

const WORKER_LOST: BusError = {
  status: 502,
  error: { message: 'The conversation worker stopped answering in the middle of the reply.', type: 'server_error', param: null, code: 'worker_lost' },
};

/**
 * Sends a relay job to one worker (queue group) and delivers its frames in order, `hb` swallowed.
 * After `end` or `error` nothing more comes. The worker's heartbeats keep a slow upstream alive;
 * their absence for STREAM_IDLE_TIMEOUT_MS ends the relay with an error instead of a hang.
 */
@Injectable()
export class RelayBusClient {
  private readonly idleTimeoutMs: number;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.idleTimeoutMs = config.STREAM_IDLE_TIMEOUT_MS;
  }

  open(job: RelayJob, onFrame: (frame: RelayFrame) => void): RelayHandle {
    // The job is one message: a body bigger than the bus carries is the client's 413, not a 500.
    const payload = encodeJson(job);
    if (payload.length > (this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD)) {
      queueMicrotask(() => onFrame({ t: 'error', ...TOO_LARGE }));
      return { cancel: () => undefined };
    }
    const inbox = createInbox();
    let finished = false;
    let lastHeard = Date.now();

    const finish = (last?: RelayFrame) => {
      if (finished) return;
      finished = true;
      clearInterval(watchdog);
      sub.unsubscribe();
      if (last) onFrame(last);
    };

    const sub = this.nc.subscribe(inbox, {
      callback: (err, msg) => {
        if (finished) return;
        if (err) return finish({ t: 'error', ...WORKER_LOST });
        // The server answers 503 on our inbox when no worker is subscribed to the job subject.
        if (msg.headers?.code === 503) return finish({ t: 'error', ...NO_RELAY_WORKER });
        lastHeard = Date.now();
        let frame: RelayFrame;
        try {
          frame = decodeRelayFrame(msg.data);
        } catch {
          return finish({ t: 'error', ...WORKER_LOST });
        }
        if (frame.t === 'hb') return;
        if (frame.t === 'end' || frame.t === 'error') return finish(frame);
        onFrame(frame);
      },
    });

    const watchdog = setInterval(
      () => {
        if (Date.now() - lastHeard >= this.idleTimeoutMs) finish({ t: 'error', ...WORKER_LOST });
      },
      Math.max(50, Math.floor(this.idleTimeoutMs / 5)),
    );

    this.nc.publish(RELAY_JOB, payload, { reply: inbox });

    return {
      cancel: () => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        sub.unsubscribe();
        this.nc.publish(relayCancelSubject(job.requestId));
      },
    };
  }
}
