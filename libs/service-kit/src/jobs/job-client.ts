import { headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { inboxOf } from '../bus/nats-options.js';
import {
  DEFAULT_FLOW_WINDOW,
  FLOW_HEADER,
  FRAME_KIND_HEADER,
  cancelSubjectOf,
  encodeFlowHeader,
  isLastFrame,
  jobTooLarge,
  workerLost,
  workerUnavailable,
  type BusError,
  type FlowWindow,
  type JobFrameBase,
  type JobProtocol,
} from '@chatgate/contracts';
import { encodeJson } from '../bus/json-codec.js';
import { observerOf, outgoingHeaders } from '../observability/bus.js';
import { annotateRequest, currentRequest } from '../observability/request-context.js';
import { endSpan, SpanKind, startSpan } from '../observability/tracing.js';
import { ClientPacer, type ClientConnection } from './client-pacer.js';

export type { ClientConnection };

/** An open job: cancel it when its client goes away. */
export interface JobHandle {
  /** Stops listening and tells the worker to abort (a no-op once the last frame came). */
  cancel(): void;
}

/** What NATS refuses when the server does not say (its default payload limit). */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** Room the request id, trace context and flow headers take; a job closer than this to the limit goes without them. */
const HEADER_ROOM = 512;

/** A job kind as a metric label: `chat`, `relay`, `speech`, `file_download`. */
export function jobLabel(protocol: { job: string }): string {
  return protocol.job.replace(/ job$/, '').replace(/\W+/g, '_');
}

/**
 * The gateway's side of every job protocol: one job out on the bus with a private reply inbox, its
 * frames in, in order. The server's no-responders answer (no worker subscribed) becomes a 503 at
 * once; silence (no frame, no heartbeat) for the idle timeout, or a message that is not a frame,
 * ends the job with `worker_lost` instead of a hang. Heartbeats are swallowed; exactly one last frame
 * (`end` or `error`) is delivered and nothing after it. Frames are decoded by the protocol, so the
 * caller gets its own typed frames.
 */
export class JobClient {
  private readonly flowHeader: string;
  /**
   * One subscription for every job's frames (`<inbox>.<n>`, made on the first job), not one per job:
   * a job then costs the server no SUB and UNSUB, and the client no subscription object.
   */
  private mux: { prefix: string; sub: Subscription; jobs: Map<string, (err: Error | null, msg: Msg) => void> } | null = null;
  private nextJob = 0;

  constructor(
    private readonly nc: NatsConnection,
    /** STREAM_IDLE_TIMEOUT_MS: a worker silent this long is taken for dead. */
    private readonly idleTimeoutMs: number,
    /** STREAM_WINDOW_BYTES, CLIENT_STALL_TIMEOUT_MS: how far a worker may run ahead of a client, how long a client may read nothing. */
    private readonly flow: FlowWindow = DEFAULT_FLOW_WINDOW,
  ) {
    this.flowHeader = encodeFlowHeader(flow);
  }

  /**
   * The job as it goes on the bus, or the 413 that refuses it. A job is one NATS message, so it must
   * fit the server's max_payload (1 MiB by default); callers encode before they take a limit slot.
   */
  encode<Job extends { requestId: string }, Frame extends JobFrameBase>(protocol: JobProtocol<Job, Frame>, job: Job): Uint8Array | BusError {
    const payload = encodeJson(job);
    const max = this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
    return payload.length > max ? jobTooLarge(payload.length, max, protocol.tooLarge) : payload;
  }

  /** Publishes an encoded job and delivers its frames to `onFrame` (not paced: nobody reads them slowly). */
  open<Job extends { requestId: string }, Frame extends JobFrameBase>(
    protocol: JobProtocol<Job, Frame>,
    requestId: string,
    payload: Uint8Array,
    onFrame: (frame: Frame) => void,
  ): JobHandle {
    return this.start(protocol, requestId, payload, onFrame, null);
  }

  private start<Job extends { requestId: string }, Frame extends JobFrameBase>(
    protocol: JobProtocol<Job, Frame>,
    requestId: string,
    payload: Uint8Array,
    onFrame: (frame: Frame) => void,
    pacer: ClientPacer | null,
  ): JobHandle {
    const mux = this.frames();
    const inbox = `${mux.prefix}.${(this.nextJob++).toString(36)}`;
    const sub = { unsubscribe: () => void mux.jobs.delete(inbox) };
    let finished = false;
    let lastHeard = Date.now();
    // Observed (metrics, the request's id and trace context on the job) when the connection is the service's own.
    const observer = observerOf(this.nc);
    const job = jobLabel(protocol);
    const request = currentRequest();
    // A request whose id chatgate made takes its (first) job's id, so the id the client sees finds its usage row.
    if (request?.generated && !request.jobId) request.requestId = requestId;
    annotateRequest({ jobId: requestId });
    const span = observer ? startSpan(observer.service, `${protocol.subject} publish`, SpanKind.PRODUCER, { 'messaging.system': 'nats', 'messaging.destination.name': protocol.subject, 'chatgate.job_id': requestId }) : undefined;
    let firstFrame = true;
    observer?.metrics.jobsInFlight.inc({ job });
    const ended = (outcome: 'ok' | 'error' | 'cancelled', code = '') => {
      if (!observer) return;
      observer.metrics.jobsInFlight.dec({ job });
      observer.metrics.jobsSent.inc({ job, outcome, code });
      endSpan(span, outcome === 'error' ? code || 'error' : undefined);
    };

    const finish = (last?: Frame) => {
      if (finished) return;
      finished = true;
      clearInterval(watchdog);
      sub.unsubscribe();
      pacer?.stop();
      if (last) {
        const failure = last.t === 'error' ? (last as { error?: { code?: string | null; request_id?: string } }).error : undefined;
        ended(last.t === 'error' ? 'error' : 'ok', failure?.code ?? '');
        // The error body the client gets (an answer or an SSE error event) names its request.
        if (failure && request && typeof failure === 'object') failure.request_id ??= request.requestId;
        onFrame(last);
      }
    };
    const lost = () => finish(protocol.errorFrame(workerLost(protocol)));

    mux.jobs.set(inbox, (err, msg) => {
      if (finished) return;
      if (err) return lost();
      // The server answers 503 on our inbox when no worker is subscribed to the job subject.
      if (msg.headers?.code === 503) return finish(protocol.errorFrame(workerUnavailable(protocol)));
      lastHeard = Date.now();
      let frame: Frame;
      try {
        frame = protocol.decodeFrame(msg.data, msg.headers?.get(FRAME_KIND_HEADER) || undefined);
      } catch {
        return lost();
      }
      if (firstFrame && frame.t !== 'hb' && observer) {
        firstFrame = false;
        // From the request's arrival (the job's publish outside a request): what the client waits for.
        const since = request?.startedAt ?? publishedAt;
        observer.metrics.timeToFirstToken.observe({ job, upstream: request?.upstream ?? 'none' }, (performance.now() - since) / 1000);
      }
      if (isLastFrame(frame)) return finish(frame);
      pacer?.received(msg.data.length, msg.reply);
      if (frame.t !== 'hb') onFrame(frame);
      pacer?.settle();
    });

    const watchdog = setInterval(
      () => {
        if (Date.now() - lastHeard >= this.idleTimeoutMs) lost();
      },
      Math.max(50, Math.floor(this.idleTimeoutMs / 5)),
    );

    const max = this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
    let headers = pacer ? natsHeaders() : undefined;
    headers?.set(FLOW_HEADER, this.flowHeader);
    if (observer && payload.length + HEADER_ROOM <= max) headers = outgoingHeaders(headers, span);
    const publishedAt = performance.now();
    this.nc.publish(protocol.subject, payload, headers ? { reply: inbox, headers } : { reply: inbox });

    return {
      cancel: () => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        sub.unsubscribe();
        pacer?.stop();
        ended('cancelled');
        this.nc.publish(cancelSubjectOf(protocol, requestId));
      },
    };
  }

  /** The frames subscription, under this service's inbox prefix: the bus lets only it read what the workers send. */
  private frames(): NonNullable<JobClient['mux']> {
    if (this.mux && !this.mux.sub.isClosed()) return this.mux;
    const prefix = inboxOf(this.nc);
    const jobs = new Map<string, (err: Error | null, msg: Msg) => void>();
    const sub = this.nc.subscribe(`${prefix}.*`, {
      callback: (err, msg) => {
        if (err) {
          // The subscription itself failed (a permission error): every job on it is lost.
          for (const handler of [...jobs.values()]) handler(err, msg);
          return;
        }
        jobs.get(msg.subject)?.(null, msg);
      },
    });
    this.mux = { prefix, sub, jobs };
    return this.mux;
  }

  /**
   * `open`, bound to the client's connection and paced by it (flow control: the worker runs at most a
   * window ahead of what the client has read; a client that reads nothing for the stall time is cut):
   * a connection that closes before the last frame cancels the job. Resolves when the last frame was
   * delivered or the client went away.
   */
  run<Job extends { requestId: string }, Frame extends JobFrameBase>(
    protocol: JobProtocol<Job, Frame>,
    requestId: string,
    payload: Uint8Array,
    onFrame: (frame: Frame) => void,
    client: ClientConnection,
  ): Promise<void> {
    return new Promise<void>((resolve) => {
      let settled = false;
      const handle = this.start(
        protocol,
        requestId,
        payload,
        (frame) => {
          onFrame(frame);
          if (!isLastFrame(frame)) return;
          settled = true;
          resolve();
        },
        new ClientPacer(this.nc, this.flow, client),
      );
      client.once('close', () => {
        if (settled) return;
        settled = true;
        handle.cancel();
        resolve();
      });
    });
  }
}
