import { Inject, Injectable } from '@nestjs/common';
import { createInbox, type NatsConnection } from '@nats-io/transport-node';
import {
  SPEECH_AUDIO_FRAME,
  SPEECH_FRAME_HEADER,
  SPEECH_JOB,
  speechCancelSubject,
  speechControlFrameSchema,
  type BusError,
  type SpeechControlFrame,
  type SpeechJob,
} from '@chatgate/contracts';
import { decodeJson, encodeJson, NATS_CONNECTION } from '@chatgate/service-kit';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config.js';

/** What a speech job sends back: audio bytes in order, between one `start` and one `end` or `error`. */
export type SpeechEvent = { t: 'audio'; bytes: Uint8Array } | Exclude<SpeechControlFrame, { t: 'hb' }>;

export interface SpeechStreamHandle {
  /** The client went away: stop listening and tell the voice service to stop. */
  cancel(): void;
}

const NO_WORKER: BusError = {
  status: 503,
  error: { message: 'No voice service is available. Try again shortly.', type: 'server_error', param: null, code: 'worker_unavailable' },
};

const WORKER_LOST: BusError = {
  status: 502,
  error: { message: 'The voice service stopped answering in the middle of the audio.', type: 'server_error', param: null, code: 'worker_lost' },
};

/**
 * Sends a speech job to one voice service replica and delivers its frames: the chat pattern
 * (private inbox, heartbeats watched for STREAM_IDLE_TIMEOUT_MS, cancel on a fan-out subject) with
 * audio carried as raw bytes, told apart from JSON control frames by a header.
 */
@Injectable()
export class SpeechBusClient {
  private readonly idleTimeoutMs: number;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.idleTimeoutMs = config.STREAM_IDLE_TIMEOUT_MS;
  }

  open(job: SpeechJob, onEvent: (event: SpeechEvent) => void): SpeechStreamHandle {
    const inbox = createInbox();
    let finished = false;
    let lastHeard = Date.now();

    const finish = (last?: SpeechEvent) => {
      if (finished) return;
      finished = true;
      clearInterval(watchdog);
      sub.unsubscribe();
      if (last) onEvent(last);
    };

    const sub = this.nc.subscribe(inbox, {
      callback: (err, msg) => {
        if (finished) return;
        if (err) return finish({ t: 'error', ...WORKER_LOST });
        // The server answers 503 on our inbox when no voice service is subscribed to the job subject.
        if (msg.headers?.code === 503) return finish({ t: 'error', ...NO_WORKER });
        lastHeard = Date.now();
        if (msg.headers?.get(SPEECH_FRAME_HEADER) === SPEECH_AUDIO_FRAME) return onEvent({ t: 'audio', bytes: msg.data });
        let frame: SpeechControlFrame;
        try {
          frame = decodeJson(speechControlFrameSchema, msg.data);
        } catch {
          return finish({ t: 'error', ...WORKER_LOST });
        }
        if (frame.t === 'hb') return;
        if (frame.t === 'end' || frame.t === 'error') return finish(frame);
        onEvent(frame);
      },
    });

    const watchdog = setInterval(
      () => {
        if (Date.now() - lastHeard >= this.idleTimeoutMs) finish({ t: 'error', ...WORKER_LOST });
      },
      Math.max(50, Math.floor(this.idleTimeoutMs / 5)),
    );

    this.nc.publish(SPEECH_JOB, encodeJson(job), { reply: inbox });

    return {
      cancel: () => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        sub.unsubscribe();
        this.nc.publish(speechCancelSubject(job.requestId));
      },
    };
  }
}
