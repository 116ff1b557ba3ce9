import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { z } from 'zod';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { FLOW_HEADER, busErrorSchema, decodeJsonFrame, encodeFlowHeader, encodeJsonFrame, jobCrashed, type BusError, type JobProtocol } from '@chatgate/contracts';
import { JobClient } from './job-client.js';
import { JobWorker, type JobRun } from './job-worker.js';
import { WorkerCapacity } from './worker-capacity.js';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** A job for these tests: `hold` waits until released (or aborted), `crash` throws, anything else answers at once. */
const testJobSchema = z.object({ requestId: z.string(), text: z.string() });
type TestJob = z.infer<typeof testJobSchema>;
const testFrameSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('data'), text: z.string() }),
  z.object({ t: z.literal('end') }),
  z.object({ t: z.literal('error'), ...busErrorSchema.shape }),
  z.object({ t: z.literal('hb') }),
]);
type TestFrame = z.infer<typeof testFrameSchema>;

function protocolFor(name = randomUUID()): JobProtocol<TestJob, TestFrame> {
  return {
    subject: `test.jobs.${name}.job`,
    queue: 'test-workers',
    cancelPrefix: `test.jobs.${name}.cancel`,
    jobSchema: testJobSchema,
    worker: 'test worker',
    answer: 'the answer',
    job: 'test job',
    tooLarge: { param: 'text', advice: 'Send less.' },
    encodeFrame: encodeJsonFrame,
    decodeFrame: (data) => decodeJsonFrame(testFrameSchema, data),
    heartbeat: { t: 'hb' },
    errorFrame: (failure: BusError) => ({ t: 'error', ...failure }),
  };
}

/** Log lines a worker wrote, to check what never appears in them. */
function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

let workerNc: NatsConnection;
let gatewayNc: NatsConnection;

beforeAll(async () => {
  workerNc = await connect({ servers: NATS_URL });
  gatewayNc = await connect({ servers: NATS_URL });
});
afterAll(async () => {
  await workerNc.close();
  await gatewayNc.close();
});

interface Harness {
  protocol: JobProtocol<TestJob, TestFrame>;
  worker: JobWorker<TestJob, TestFrame>;
  /** Jobs holding, by text, until released. */
  release(text: string): void;
  seen: Array<{ text: string; aborted: boolean }>;
  lines: string[];
}

function startWorker(opts: { capacity?: WorkerCapacity; protocol?: JobProtocol<TestJob, TestFrame>; graceMs?: number; busyWaitMs?: number; heartbeatMs?: number } = {}): Harness {
  const protocol = opts.protocol ?? protocolFor();
  const holds = new Map<string, () => void>();
  const seen: Harness['seen'] = [];
  const { logger, lines } = capturedLogger();
  const handle = async (run: JobRun<TestJob, TestFrame>) => {
    const { text } = run.job;
    if (text === 'crash') throw new Error('boom');
    if (text.startsWith('hold')) {
      await new Promise<void>((resolve) => {
        holds.set(text, resolve);
        run.abort.signal.addEventListener('abort', () => resolve());
      });
    }
    seen.push({ text, aborted: run.abort.signal.aborted });
    if (run.abort.signal.aborted) return;
    run.send({ t: 'data', text: `echo ${text}` });
    run.send({ t: 'end' });
    // Nothing after the last frame reaches the gateway.
    run.send({ t: 'data', text: 'too late' });
  };
  const worker = new JobWorker(workerNc, {
    protocol,
    capacity: opts.capacity ?? new WorkerCapacity(8),
    heartbeatMs: opts.heartbeatMs ?? 50,
    shutdownGraceMs: opts.graceMs ?? 10_000,
    busyWaitMs: opts.busyWaitMs,
    logger,
    crashed: jobCrashed(protocol, 'testing'),
    handle,
  });
  worker.start();
  return {
    protocol,
    worker,
    seen,
    lines,
    release: (text) => {
      holds.get(text)?.();
      holds.delete(text);
    },
  };
}

const client = (idleTimeoutMs = 500) => new JobClient(gatewayNc, idleTimeoutMs);

/** Sends one job and collects its frames until the last one. */
function ask(protocol: JobProtocol<TestJob, TestFrame>, text: string, jobs = client()): Promise<TestFrame[]> {
  const job = { requestId: randomUUID(), text };
  const payload = jobs.encode(protocol, job) as Uint8Array;
  const frames: TestFrame[] = [];
  return new Promise((resolve) => {
    jobs.open(protocol, job.requestId, payload, (frame) => {
      frames.push(frame);
      if (frame.t === 'end' || frame.t === 'error') resolve(frames);
    });
  });
}

const until = async (check: () => boolean, ms = 2000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('JobClient', () => {
  it('answers 503 worker_unavailable at once when no worker is subscribed', async () => {
    const started = Date.now();
    const frames = await ask(protocolFor(), 'anyone?', client(5000));
    expect(frames).toEqual([{ t: 'error', status: 503, error: expect.objectContaining({ code: 'worker_unavailable', type: 'server_error', message: 'No test worker is available. Try again shortly.' }) }]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('ends a job whose worker says nothing for the idle timeout with worker_lost', async () => {
    const protocol = protocolFor();
    // A subscriber that takes the job and never answers: a worker that died with it.
    const mute = workerNc.subscribe(protocol.subject, { queue: protocol.queue, callback: () => undefined });
    await workerNc.flush();
    const started = Date.now();
    const frames = await ask(protocol, 'hello?', client(300));
    expect(frames).toEqual([{ t: 'error', status: 502, error: expect.objectContaining({ code: 'worker_lost', message: 'The test worker stopped answering in the middle of the answer.' }) }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    mute.unsubscribe();
  });

  it('refuses a job larger than the server takes with 413 before publishing it', () => {
    const max = gatewayNc.info!.max_payload;
    const refused = client().encode(protocolFor(), { requestId: 'r', text: 'x'.repeat(max) }) as BusError;
    expect(refused).toMatchObject({ status: 413, error: { code: 'request_too_large', type: 'invalid_request_error', param: 'text' } });
    expect(refused.error.message).toContain(`at most ${max} bytes`);
    expect(client().encode(protocolFor(), { requestId: 'r', text: 'small' })).toBeInstanceOf(Uint8Array);
  });
});

describe('JobWorker and JobClient together', () => {
  it('delivers the frames in order and swallows heartbeats', async () => {
    const h = startWorker({ heartbeatMs: 50 });
    await workerNc.flush();
    // The job holds longer than the client's idle timeout: only heartbeats keep it alive.
    const answer = ask(h.protocol, 'hold-1', client(200));
    await until(() => h.worker.stats().active === 1);
    await new Promise((r) => setTimeout(r, 500));
    h.release('hold-1');
    expect(await answer).toEqual([{ t: 'data', text: 'echo hold-1' }, { t: 'end' }]);
    await h.worker.stop();
  });

  it('publishes nothing after the last frame of a job', async () => {
    const h = startWorker();
    await workerNc.flush();
    const inbox = `_INBOX.${randomUUID()}`;
    const got: TestFrame[] = [];
    const sub = gatewayNc.subscribe(inbox, { callback: (_e, msg) => void got.push(decodeJsonFrame(testFrameSchema, msg.data)) });
    gatewayNc.publish(h.protocol.subject, new TextEncoder().encode(JSON.stringify({ requestId: randomUUID(), text: 'once' })), { reply: inbox });
    await until(() => got.some((f) => f.t === 'end'));
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toEqual([{ t: 'data', text: 'echo once' }, { t: 'end' }]);
    sub.unsubscribe();
    await h.worker.stop();
  });

  it('aborts a job when the gateway cancels it (its client went away)', async () => {
    const h = startWorker();
    await workerNc.flush();
    const jobs = client();
    const connection = new EventEmitter();
    const job = { requestId: randomUUID(), text: 'hold-cancel' };
    const frames: TestFrame[] = [];
    const done = jobs.run(h.protocol, job.requestId, jobs.encode(h.protocol, job) as Uint8Array, (f) => frames.push(f), connection);
    await until(() => h.worker.stats().active === 1);
    connection.emit('close');
    await done;
    await until(() => h.seen.length === 1);
    expect(h.seen).toEqual([{ text: 'hold-cancel', aborted: true }]);
    expect(frames).toEqual([]);
    await until(() => h.worker.stats().active === 0);
    await h.worker.stop();
  });

  it('answers a malformed job with one error frame and never logs its text', async () => {
    const h = startWorker();
    await workerNc.flush();
    const secret = 'eyJsecret-token-that-must-not-be-logged';
    for (const body of [`{"requestId": 1, "upstream": "${secret}"}`, `not json ${secret}`]) {
      const inbox = `_INBOX.${randomUUID()}`;
      const got: unknown[] = [];
      const sub = gatewayNc.subscribe(inbox, { callback: (_e, msg) => void got.push(decodeJsonFrame(testFrameSchema, msg.data)) });
      gatewayNc.publish(h.protocol.subject, new TextEncoder().encode(body), { reply: inbox });
      await until(() => got.length === 1);
      await new Promise((r) => setTimeout(r, 100));
      expect(got).toEqual([{ t: 'error', status: 500, error: expect.objectContaining({ code: 'malformed_job', message: 'The gateway sent a malformed test job.' }) }]);
      sub.unsubscribe();
    }
    expect(h.lines.join('\n')).toContain('rejected a malformed test job');
    expect(h.lines.join('\n')).not.toContain(secret);
    await h.worker.stop();
  });

  it('answers a job whose handler throws with internal_error', async () => {
    const h = startWorker();
    await workerNc.flush();
    expect(await ask(h.protocol, 'crash')).toEqual([{ t: 'error', status: 500, error: expect.objectContaining({ code: 'internal_error', message: 'The test worker failed while testing.' }) }]);
    await h.worker.stop();
  });
});

describe('the concurrency cap', () => {
  it('drops interest at the cap (the gateway gets 503 at once) and takes jobs again when a slot frees', async () => {
    const h = startWorker({ capacity: new WorkerCapacity(1) });
    await workerNc.flush();
    const first = ask(h.protocol, 'hold-a');
    await until(() => h.worker.stats().active === 1 && !h.worker.accepting);
    await workerNc.flush();
    expect(await ask(h.protocol, 'b')).toEqual([{ t: 'error', status: 503, error: expect.objectContaining({ code: 'worker_unavailable' }) }]);
    h.release('hold-a');
    expect(await first).toEqual([{ t: 'data', text: 'echo hold-a' }, { t: 'end' }]);
    await until(() => h.worker.accepting);
    await workerNc.flush();
    expect(await ask(h.protocol, 'c')).toEqual([{ t: 'data', text: 'echo c' }, { t: 'end' }]);
    await h.worker.stop();
  });

  it('lets a job that arrived as the cap was reached wait for the next slot', async () => {
    const h = startWorker({ capacity: new WorkerCapacity(1), busyWaitMs: 3000 });
    await workerNc.flush();
    // Published back to back: both reach the worker before it drops interest.
    const first = ask(h.protocol, 'hold-x');
    const second = ask(h.protocol, 'y');
    await until(() => h.worker.stats().waiting === 1);
    h.release('hold-x');
    expect(await first).toEqual([{ t: 'data', text: 'echo hold-x' }, { t: 'end' }]);
    expect(await second).toEqual([{ t: 'data', text: 'echo y' }, { t: 'end' }]);
    await h.worker.stop();
  });

  it('answers worker_busy with retry-after when no slot frees within the wait, and never runs the job', async () => {
    const h = startWorker({ capacity: new WorkerCapacity(1), busyWaitMs: 150 });
    await workerNc.flush();
    const first = ask(h.protocol, 'hold-p');
    const second = ask(h.protocol, 'q');
    expect(await second).toEqual([{ t: 'error', status: 503, retryAfterSec: 1, error: expect.objectContaining({ code: 'worker_busy' }) }]);
    h.release('hold-p');
    await first;
    expect(h.seen.map((s) => s.text)).toEqual(['hold-p']);
    await h.worker.stop();
  });

  it('is one cap for every job worker of the service', async () => {
    const capacity = new WorkerCapacity(1);
    const chat = startWorker({ capacity });
    const relay = startWorker({ capacity });
    await workerNc.flush();
    const first = ask(chat.protocol, 'hold-1');
    await until(() => !chat.worker.accepting && !relay.worker.accepting);
    await workerNc.flush();
    expect((await ask(relay.protocol, 'other'))[0]).toMatchObject({ t: 'error', error: { code: 'worker_unavailable' } });
    chat.release('hold-1');
    await first;
    await until(() => relay.worker.accepting);
    await workerNc.flush();
    expect(await ask(relay.protocol, 'other')).toEqual([{ t: 'data', text: 'echo other' }, { t: 'end' }]);
    await Promise.all([chat.worker.stop(), relay.worker.stop()]);
  });
});

describe('stopping', () => {
  it('lets a running job finish within the grace and takes no new job', async () => {
    const h = startWorker({ graceMs: 5000 });
    await workerNc.flush();
    const running = ask(h.protocol, 'hold-s');
    await until(() => h.worker.stats().active === 1);
    const stopped = h.worker.stop();
    await workerNc.flush();
    expect((await ask(h.protocol, 'late'))[0]).toMatchObject({ t: 'error', status: 503, error: { code: 'worker_unavailable' } });
    h.release('hold-s');
    expect(await running).toEqual([{ t: 'data', text: 'echo hold-s' }, { t: 'end' }]);
    await stopped;
  });

  it('ends a job still running at the end of the grace with worker_shutdown', async () => {
    const h = startWorker({ graceMs: 1300 });
    await workerNc.flush();
    const running = ask(h.protocol, 'hold-forever', client(5000));
    await until(() => h.worker.stats().active === 1);
    const started = Date.now();
    await h.worker.stop();
    // The grace less the reserve kept for ending what is left.
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await running).toEqual([{ t: 'error', status: 503, error: expect.objectContaining({ code: 'worker_shutdown', message: 'The test worker is shutting down.' }) }]);
    expect(h.seen).toEqual([{ text: 'hold-forever', aborted: true }]);
  });
});

/** A client connection as Node's ServerResponse shows it: a write that returned false waits for 'drain'. */
class ClientSocket extends EventEmitter {
  writableNeedDrain = false;
  writableLength = 0;
  destroyed = false;
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
  /** The client read everything: the socket took every byte. */
  drain() {
    this.writableNeedDrain = false;
    this.writableLength = 0;
    this.emit('drain');
  }
}

/** A worker whose jobs stream `frames` frames of `frameBytes` each, waiting for `drained()` between them, as handlers do. */
function startStreamer(frames: number, frameBytes: number) {
  const protocol = protocolFor();
  const state = { sent: 0, aborted: false, ended: false };
  const { logger, lines } = capturedLogger();
  const worker = new JobWorker(workerNc, {
    protocol,
    capacity: new WorkerCapacity(4),
    heartbeatMs: 50,
    shutdownGraceMs: 10_000,
    logger,
    crashed: jobCrashed(protocol, 'testing'),
    handle: async (run) => {
      for (let i = 0; i < frames; i++) {
        await run.drained();
        if (run.abort.signal.aborted) {
          state.aborted = true;
          return;
        }
        run.send({ t: 'data', text: 'x'.repeat(frameBytes) });
        state.sent++;
      }
      run.send({ t: 'end' });
      state.ended = true;
    },
  });
  worker.start();
  return { protocol, worker, state, lines };
}

describe('flow control', () => {
  const FRAME = 1000;

  it('keeps the worker at most a window ahead of a client that is behind, and lets it go on once the client drains', async () => {
    const s = startStreamer(200, FRAME);
    await workerNc.flush();
    const jobs = new JobClient(gatewayNc, 2000, { windowBytes: 4096, stallMs: 10_000 });
    const socket = new ClientSocket();
    const job = { requestId: randomUUID(), text: 'stream' };
    let delivered = 0;
    const done = jobs.run(s.protocol, job.requestId, jobs.encode(s.protocol, job) as Uint8Array, (frame) => {
      if (frame.t !== 'data') return;
      // From the third frame on, every write waits for 'drain': the client stopped keeping up.
      if (++delivered >= 3) {
        socket.writableNeedDrain = true;
        socket.writableLength += FRAME;
      }
    }, socket);
    await new Promise((r) => setTimeout(r, 400));
    const held = s.state.sent;
    // The worker stopped within a window (plus the frame that crossed it) of what the client took.
    expect(held).toBeLessThanOrEqual(3 + Math.ceil(4096 / FRAME) + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(s.state.sent).toBe(held);
    // Heartbeats kept the job alive meanwhile: no worker_lost, nothing ended.
    expect(s.state.ended).toBe(false);

    // The client catches up after every write from now on.
    const catchUp = setInterval(() => socket.drain(), 5);
    await done;
    clearInterval(catchUp);
    expect(s.state).toEqual({ sent: 200, aborted: false, ended: true });
    expect(delivered).toBe(200);
    await s.worker.stop();
  });

  it('cuts a client that reads nothing for the stall time, which aborts the job', async () => {
    const s = startStreamer(1000, FRAME);
    await workerNc.flush();
    const jobs = new JobClient(gatewayNc, 5000, { windowBytes: 4096, stallMs: 300 });
    const socket = new ClientSocket();
    const job = { requestId: randomUUID(), text: 'stream' };
    const started = Date.now();
    const done = jobs.run(s.protocol, job.requestId, jobs.encode(s.protocol, job) as Uint8Array, () => {
      socket.writableNeedDrain = true;
      socket.writableLength = 10_000;
    }, socket);
    await done;
    expect(socket.destroyed).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await until(() => s.state.aborted, 3000);
    expect(s.state.sent).toBeLessThan(10);
    await s.worker.stop();
  });

  it('aborts a paced job whose gateway never acknowledges (it is gone), and logs it', async () => {
    const s = startStreamer(1000, FRAME);
    await workerNc.flush();
    const inbox = `_INBOX.${randomUUID()}`;
    let received = 0;
    const sub = gatewayNc.subscribe(inbox, { callback: (_e, msg) => void (msg.reply && received++) });
    const headers = natsHeaders();
    headers.set(FLOW_HEADER, encodeFlowHeader({ windowBytes: 4096, stallMs: 200 }));
    gatewayNc.publish(s.protocol.subject, new TextEncoder().encode(JSON.stringify({ requestId: randomUUID(), text: 'stream' })), { reply: inbox, headers });
    await until(() => s.state.aborted, 3000);
    expect(s.state.sent).toBeLessThanOrEqual(Math.ceil(4096 / FRAME) + 1);
    // Every frame of a paced job names where acknowledgements go.
    expect(received).toBeGreaterThanOrEqual(s.state.sent);
    expect(s.lines.join('\n')).toContain('test job aborted: its client read nothing for too long');
    sub.unsubscribe();
    await s.worker.stop();
  });

  it('does not pace a job opened without a client (no flow asked for)', async () => {
    const s = startStreamer(100, FRAME);
    await workerNc.flush();
    const frames = await ask(s.protocol, 'stream');
    expect(frames.filter((f) => f.t === 'data')).toHaveLength(100);
    expect(frames.at(-1)).toEqual({ t: 'end' });
    await s.worker.stop();
  });
});
