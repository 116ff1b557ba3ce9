import { headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { inboxOf } from '../bus/nats-options.js';
import { z } from 'zod';
import {
  FLOW_HEADER,
  FRAME_KIND_HEADER,
  decodeAck,
  isLastFrame,
  parseFlowHeader,
  malformedJob,
  workerBusy,
  workerShutdown,
  workerUnavailable,
  type BusError,
  type FlowWindow,
  type JobFrameBase,
  type JobProtocol,
} from '@chatgate/contracts';
import type { Logger } from '../logging/logger.js';
import type { WorkerCapacity } from './worker-capacity.js';
import { JobFlow } from './job-flow.js';
import { jobLabel } from './job-client.js';
import { incomingRequest, observerOf } from '../observability/bus.js';
import { withRequest, type RequestContext } from '../observability/request-context.js';
import { endSpan, SpanKind, startSpan, withSpan, type Context } from '../observability/tracing.js';

/** One job as its handler sees it. */
export interface JobRun<Job, Frame> {
  readonly job: Job;
  /** Aborted when the gateway cancels (its client went away) or the worker shuts down. */
  readonly abort: AbortController;
  /** Sends one frame to the gateway. After the last frame (`end` or `error`) nothing more goes out. */
  send(frame: Frame): void;
  /**
   * Resolves once the job is no more than its window ahead of what its client has read (at once for
   * a job that is not paced, has ended or was aborted). A handler awaits it before it reads more from
   * its upstream, so a slow client slows the upstream read instead of filling memory.
   */
  drained(): Promise<void>;
  /** Whether the last frame went out. */
  readonly ended: boolean;
}

export interface JobWorkerOptions<Job extends { requestId: string }, Frame extends JobFrameBase> {
  protocol: JobProtocol<Job, Frame>;
  /** The service's one concurrency cap, shared by all its job workers. */
  capacity: WorkerCapacity;
  /** WORKER_HEARTBEAT_MS: a job silent this long gets a heartbeat frame. */
  heartbeatMs: number;
  /** SHUTDOWN_GRACE_MS: running jobs get this long (less END_RESERVE_MS) to finish when the service stops. */
  shutdownGraceMs: number;
  logger: Logger;
  /** What a job whose handler threw is answered with (the error itself is logged, never sent). */
  crashed: BusError;
  /** Runs one job: sends its frames, ending with exactly one `end` or `error`; resolves when done. */
  handle(run: JobRun<Job, Frame>): Promise<void>;
  /** How long a job that arrives while the replica is full waits for a slot before it is answered `worker_busy`. */
  busyWaitMs?: number;
}

/** What a stopping worker keeps for ending the jobs still running (error frames, usage events) before the grace is over. */
export const END_RESERVE_MS = 1000;
const DEFAULT_BUSY_WAIT_MS = 2000;
/** What a `worker_busy` answer tells the client to wait before retrying. */
const BUSY_RETRY_AFTER_SEC = 1;

const textDecoder = new TextDecoder();

const READY: Promise<void> = Promise.resolve();

class ActiveJob<Job, Frame extends JobFrameBase> implements JobRun<Job, Frame> {
  readonly abort = new AbortController();
  ended = false;
  lastSentAt = Date.now();

  constructor(
    readonly job: Job,
    private readonly reply: string,
    private readonly out: (reply: string, frame: Frame, creditSubject?: string) => number,
    /** Set when the gateway asked for flow control. */
    readonly flow: JobFlow | null,
  ) {}

  /** Set when the last frame was an error: its failure code. */
  failure: string | undefined;

  get failed(): boolean {
    return this.failure !== undefined;
  }

  send(frame: Frame): void {
    if (this.ended) return;
    if (isLastFrame(frame)) {
      this.ended = true;
      if (frame.t === 'error') this.failure = (frame as { error?: { code?: string | null } }).error?.code ?? 'error';
    }
    this.lastSentAt = Date.now();
    const bytes = this.out(this.reply, frame, this.flow?.creditSubject);
    this.flow?.sent(bytes);
  }

  drained(): Promise<void> {
    const flow = this.flow;
    if (!flow || this.ended || this.abort.signal.aborted || !flow.blocked) return READY;
    return flow.whenOpen(this.abort.signal);
  }
}

/** Where a job came from: its request's id and trace context (from the job message's headers). */
interface JobOrigin {
  request: RequestContext;
  trace: Context;
}

interface WaitingJob {
  reply: string;
  lastSentAt: number;
  timer: NodeJS.Timeout;
  leave(): void;
}

/**
 * Takes one kind of job off the bus and runs it: the one job loop of every worker service (chat and
 * relay in the conversation service, speech in voice). It takes jobs from the protocol's queue
 * group (one replica gets each), parses each against the protocol's schema (a malformed job gets one
 * error frame; its text is never logged: it carries the caller's credential), keeps every open job
 * alive with heartbeats, aborts a job when its cancel arrives on the fan-out subject, and stops
 * gracefully: no new jobs, running ones finish within the shutdown grace, the rest end with an error.
 *
 * The concurrency cap and NATS core queue groups: a queue group hands each job to a random member
 * whether it has room or not, and core NATS has no "not now" answer. So a replica at its cap drops
 * its interest in the job subject (the subscription is drained: NATS then sends new jobs to the
 * other replicas, and when none is left the gateway gets the server's no-responders answer at once,
 * a 503 with the limit slot returned), and subscribes again as soon as a slot frees. Jobs already
 * on their way when it dropped interest wait in line for a slot, heartbeats keeping the gateway
 * patient, for at most `busyWaitMs`; then they are answered `worker_busy` (503, retry-after) and never
 * run, so the gateway returns their limit slot. A bounded local queue alone would keep feeding a
 * full replica its share of jobs while another sits idle.
 */
export class JobWorker<Job extends { requestId: string }, Frame extends JobFrameBase> {
  private readonly active = new Map<string, ActiveJob<Job, Frame>>();
  private readonly running = new Set<Promise<void>>();
  private readonly waiting = new Map<string, WaitingJob>();
  private readonly kindHeaders = new Map<string, MsgHdrs>();
  private jobs?: Subscription;
  private cancels?: Subscription;
  /** Acknowledgements of paced jobs: one subscription per worker, `<prefix>.<job number>`. */
  private credits?: Subscription;
  /** Under the service's own inbox prefix: the bus lets only this service subscribe there. */
  private readonly creditPrefix: string;
  private readonly paced = new Map<string, ActiveJob<Job, Frame>>();
  private pacedSeq = 0;
  private heartbeat?: NodeJS.Timeout;
  private stopCapacityWatch?: () => void;
  private stopping = false;
  private handled = 0;
  private readonly send = (reply: string, frame: Frame, creditSubject?: string) => this.publish(reply, frame, creditSubject);

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: JobWorkerOptions<Job, Frame>,
  ) {
    this.creditPrefix = inboxOf(nc);
  }

  /** Starts taking jobs and hearing cancels. */
  start(): void {
    const { protocol, capacity } = this.opts;
    this.cancels = this.nc.subscribe(`${protocol.cancelPrefix}.*`, {
      callback: (err, msg) => {
        if (!err) this.cancel(msg.subject.slice(msg.subject.lastIndexOf('.') + 1));
      },
    });
    this.credits = this.nc.subscribe(`${this.creditPrefix}.*`, {
      callback: (err, msg) => {
        if (err) return;
        const total = decodeAck(msg.data);
        if (total !== null) this.paced.get(msg.subject)?.flow?.acknowledged(total);
      },
    });
    this.stopCapacityWatch = capacity.onChange((full) => (full ? this.dropInterest() : this.takeInterest()));
    if (!capacity.full) this.takeInterest();
    this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatMs);
    this.heartbeat.unref();
  }

  /**
   * Stops: no new jobs (stragglers already on their way are answered `worker_unavailable`, jobs
   * waiting for a slot `worker_busy`), running jobs get the shutdown grace to finish, the rest are
   * aborted and end with `worker_shutdown`.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopCapacityWatch?.();
    this.dropInterest();
    for (const [requestId, waiting] of this.waiting) {
      this.leaveLine(requestId, waiting);
      this.publish(waiting.reply, this.opts.protocol.errorFrame(workerBusy(this.opts.protocol, BUSY_RETRY_AFTER_SEC)));
    }
    const deadline = Date.now() + Math.max(0, this.opts.shutdownGraceMs - END_RESERVE_MS);
    while (this.active.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const shutdown = this.opts.protocol.errorFrame(workerShutdown(this.opts.protocol));
    for (const run of this.active.values()) {
      run.abort.abort();
      run.send(shutdown);
    }
    // The aborted handlers' own endings (their usage events) get the reserve to run.
    if (this.running.size) await Promise.race([Promise.allSettled(this.running), new Promise((r) => setTimeout(r, END_RESERVE_MS).unref())]);
    clearInterval(this.heartbeat);
    clearImmediate(this.flushing);
    this.flush();
    this.cancels?.unsubscribe();
    this.credits?.unsubscribe();
  }

  /** Jobs running now, waiting for a slot, and taken since start: the basis of the worker's metrics. */
  stats(): { active: number; waiting: number; handled: number } {
    return { active: this.active.size, waiting: this.waiting.size, handled: this.handled };
  }

  /** Whether the worker is subscribed to its job subject now (false while its replica is full, and after stop). */
  get accepting(): boolean {
    return this.jobs !== undefined;
  }

  private takeInterest(): void {
    if (this.jobs || this.stopping) return;
    this.jobs = this.nc.subscribe(this.opts.protocol.subject, {
      queue: this.opts.protocol.queue,
      callback: (err, msg) => {
        if (!err) this.receive(msg);
      },
    });
  }

  private dropInterest(): void {
    const jobs = this.jobs;
    this.jobs = undefined;
    // Drained, not unsubscribed: jobs the server sent before it read the unsubscribe are still delivered.
    void jobs?.drain().catch(() => undefined);
  }

  private receive(msg: Msg): void {
    const reply = msg.reply;
    if (!reply) return;
    const { protocol, capacity } = this.opts;
    let job: Job;
    try {
      job = protocol.jobSchema.parse(JSON.parse(textDecoder.decode(msg.data)));
    } catch (err) {
      // Where it failed, never the text (nor JSON.parse's message, which quotes it): a job carries the caller's credential.
      const where = err instanceof z.ZodError ? err.issues.map((i) => i.path.join('.') || '(job)').join(', ') : 'not JSON';
      this.opts.logger.error({ where, subject: protocol.subject }, `rejected a malformed ${protocol.job}`);
      this.publish(reply, protocol.errorFrame(malformedJob(protocol)));
      return;
    }
    if (this.stopping) return void this.publish(reply, protocol.errorFrame(workerUnavailable(protocol)));
    const flow = parseFlowHeader(msg.headers?.get(FLOW_HEADER));
    const { context, trace } = incomingRequest(msg.headers, { jobId: job.requestId });
    const origin: JobOrigin = { request: context, trace };
    if (capacity.tryTake()) return this.run(job, reply, flow, origin);
    this.waitForSlot(job, reply, flow, origin);
  }

  private waitForSlot(job: Job, reply: string, flow: FlowWindow | null, origin: JobOrigin): void {
    const { protocol, capacity } = this.opts;
    const requestId = job.requestId;
    const waiting: WaitingJob = {
      reply,
      lastSentAt: Date.now(),
      leave: capacity.enqueue(() => {
        clearTimeout(waiting.timer);
        this.waiting.delete(requestId);
        this.run(job, reply, flow, origin);
      }),
      timer: setTimeout(() => {
        this.leaveLine(requestId, waiting);
        this.publish(reply, protocol.errorFrame(workerBusy(protocol, BUSY_RETRY_AFTER_SEC)));
      }, this.opts.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS),
    };
    this.waiting.set(requestId, waiting);
  }

  private leaveLine(requestId: string, waiting: WaitingJob): void {
    clearTimeout(waiting.timer);
    waiting.leave();
    this.waiting.delete(requestId);
  }

  private run(job: Job, reply: string, window: FlowWindow | null, origin: JobOrigin): void {
    const { protocol, capacity, logger } = this.opts;
    const observer = observerOf(this.nc);
    const label = jobLabel(protocol);
    const span = observer ? startSpan(observer.service, `${protocol.subject} process`, SpanKind.CONSUMER, { 'messaging.system': 'nats', 'messaging.destination.name': protocol.subject, 'chatgate.job_id': job.requestId }, origin.trace) : undefined;
    const started = performance.now();
    let outcome = 'ok';
    const creditSubject = window ? `${this.creditPrefix}.${++this.pacedSeq}` : null;
    const run = new ActiveJob<Job, Frame>(job, reply, this.send, window && creditSubject ? new JobFlow(window, creditSubject) : null);
    this.active.set(job.requestId, run);
    if (creditSubject) this.paced.set(creditSubject, run);
    this.handled++;
    // The handler runs inside its request's context: every line it logs names the request (requestId: the
    // client's id; jobId: this job's), and spans it makes are children of the gateway's.
    const work: Promise<void> = withRequest(origin.request, () =>
      withSpan(span, () => {
        try {
          return this.opts.handle(run);
        } catch (err) {
          return Promise.reject(err);
        }
      }),
    );
    const settled: Promise<void> = work
      .catch((err: unknown) => {
        outcome = 'crashed';
        withRequest(origin.request, () => logger.error({ err, jobId: job.requestId }, `${protocol.job} crashed`));
        run.send(protocol.errorFrame(this.opts.crashed));
      })
      .finally(() => {
        if (outcome === 'ok') outcome = run.abort.signal.aborted ? 'cancelled' : run.failed ? 'error' : 'ok';
        const seconds = (performance.now() - started) / 1000;
        observer?.metrics.jobsRun.inc({ job: label, outcome });
        observer?.metrics.jobDuration.observe({ job: label }, seconds);
        endSpan(span, outcome === 'ok' || outcome === 'cancelled' ? undefined : run.failure ?? outcome);
        // One line per job, in its request's context (the gateway writes the request's access line).
        withRequest(origin.request, () => logger.info({ job: label, jobId: job.requestId, outcome, code: run.failure, ms: Math.round(seconds * 1000) }, `${protocol.job} ended`));
        this.active.delete(job.requestId);
        if (creditSubject) this.paced.delete(creditSubject);
        run.flow?.close();
        this.running.delete(settled);
        capacity.release();
      });
    this.running.add(settled);
  }

  private cancel(requestId: string): void {
    const waiting = this.waiting.get(requestId);
    // Nobody is listening any more: it leaves the line without an answer.
    if (waiting) return this.leaveLine(requestId, waiting);
    this.active.get(requestId)?.abort.abort();
  }

  private beat(): void {
    const now = Date.now();
    const { heartbeatMs, protocol, logger } = this.opts;
    for (const run of this.active.values()) {
      if (now - run.lastSentAt >= heartbeatMs) run.send(protocol.heartbeat);
      // Its gateway acknowledged nothing for longer than it cuts a client that stopped reading: that
      // client is gone, or the gateway is. Abort it: its upstream and its slot are wanted elsewhere.
      if (run.flow?.stalled(now) && !run.abort.signal.aborted) {
        logger.warn({ requestId: run.job.requestId, aheadBytes: run.flow.ahead }, `${protocol.job} aborted: its client read nothing for too long`);
        run.abort.abort();
      }
    }
    for (const waiting of this.waiting.values()) {
      if (now - waiting.lastSentAt < heartbeatMs) continue;
      waiting.lastSentAt = now;
      this.publish(waiting.reply, protocol.heartbeat);
    }
  }

  /**
   * Queues a frame (with the job's credit subject as reply, when paced) for this turn of the event
   * loop's flush; returns its size in bytes. Frames a job makes in reaction to one upstream read (a
   * head and its body, the last chunk and the end) leave in one socket write instead of one each: on
   * a quiet bus every write wakes the NATS server and the gateway once, and those wake-ups cost more
   * CPU than the frames themselves. The flush runs before the loop waits for I/O again, so no frame
   * waits for anything but the code already running.
   */
  private publish(reply: string, frame: Frame, creditSubject?: string): number {
    const { protocol } = this.opts;
    const kind = protocol.frameKind?.(frame);
    const data = protocol.encodeFrame(frame);
    this.outbox.push(kind || creditSubject ? { reply, data, options: { ...(kind ? { headers: this.headersOf(kind) } : {}), ...(creditSubject ? { reply: creditSubject } : {}) } } : { reply, data });
    this.flushing ??= setImmediate(this.flush);
    return data.length;
  }

  private readonly outbox: Array<{ reply: string; data: Uint8Array; options?: { headers?: MsgHdrs; reply?: string } }> = [];
  private flushing?: NodeJS.Immediate;
  private readonly flush = (): void => {
    this.flushing = undefined;
    const frames = this.outbox.splice(0);
    for (const { reply, data, options } of frames) {
      try {
        this.nc.publish(reply, data, options);
      } catch (err) {
        // The connection closed under the job: its gateway takes the worker for lost, as it would anyway.
        this.opts.logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'frame not published: the bus connection is closed');
      }
    }
  };

  /** One headers object per frame kind, made once (audio frames are many). */
  private headersOf(kind: string): MsgHdrs {
    let h = this.kindHeaders.get(kind);
    if (!h) {
      h = natsHeaders();
      h.set(FRAME_KIND_HEADER, kind);
      this.kindHeaders.set(kind, h);
    }
    return h;
  }
}
