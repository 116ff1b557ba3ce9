import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { gatewayEnv, parseConfig } from '@chatgate/config';
import { startGateway } from '@chatgate/gateway';
import { testEnv, waitFor } from '@chatgate/testing';
import { startSimProcess, type SimProcess } from '../support/sim-process.js';
import { startStack, type Stack, type WorkerProcess } from '../support/stack.js';

/**
 * About 16 MB of upstream stream (100,000 chunks of 20 words), as much for the client: well beyond
 * what the sockets on the way buffer (a few MB each on loopback), and hours for a client reading a
 * few KB a second.
 */
const LONG_PROMPT = 'a long one [[sim words=2000000 chunks=100000]]';
const READ_BYTES_PER_TICK = 2048;
const TICK_MS = 250;
const CLIENTS = 4;
const MB = 2 ** 20;

/** A raw HTTP/1.1 client that reads its answer slowly (a few KB a second), or not at all. */
class SlowReader {
  readonly socket: Socket;
  received = 0;
  head = '';
  closed = false;
  private timer?: NodeJS.Timeout;

  constructor(gatewayUrl: string, apiKey: string, body: unknown) {
    const { hostname, port } = new URL(gatewayUrl);
    const json = JSON.stringify(body);
    this.socket = connect({ host: hostname, port: Number(port) });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => (this.closed = true));
    this.socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${apiKey}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
    // Paused: nothing is read unless asked for, so the socket's buffers fill and TCP pushes back.
    this.socket.pause();
  }

  /** Reads `bytes` every `everyMs` from now on. */
  readSlowly(bytes: number, everyMs: number): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      let budget = bytes;
      while (budget > 0 && this.socket.readableLength > 0) {
        const chunk = this.socket.read(Math.min(budget, this.socket.readableLength)) as Buffer | null;
        if (!chunk) break;
        if (this.head.length < 512) this.head += chunk.toString('latin1').slice(0, 512 - this.head.length);
        this.received += chunk.length;
        budget -= chunk.length;
      }
      // An empty buffer: ask the socket to fill it again from the kernel.
      if (this.socket.readableLength === 0) this.socket.read(0);
    }, everyMs);
  }

  /** Reads nothing more until told to again. */
  stopReading(): void {
    clearInterval(this.timer);
  }

  close(): void {
    clearInterval(this.timer);
    this.socket.destroy();
  }
}

/**
 * A full collection, so the gateway's heap (this process's, shared with the test runner and the suites before
 * it) is measured as what is retained, not as what garbage happens to be waiting.
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

async function workerMemory(worker: WorkerProcess): Promise<{ rss: number; heapUsed: number }> {
  const report = (await (await fetch(`${worker.url}/health`)).json()) as { memoryMb: { rss: number; heapUsed: number } };
  return report.memoryMb;
}

/**
 * Flow control end to end (issue 15): four clients reading a long stream a few KB a second keep the
 * worker (a process of its own) and the gateway at a bounded memory, and the upstream (the simulator,
 * in a process of its own too) is read at their pace: while they read nothing, nothing more is read
 * from it, and as they read again, so does the worker. A client that stops reading for
 * CLIENT_STALL_TIMEOUT_MS is cut and its upstream request aborted.
 */
describe('backpressure', () => {
  let sim: SimProcess;
  let stack: Stack;
  const chatBody = { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: LONG_PROMPT }] };
  const totalRead = (readers: SlowReader[]) => readers.reduce((sum, r) => sum + r.received, 0);
  /** Every client a test opened, closed after it whatever happened. */
  const opened: SlowReader[] = [];
  const reader = (gatewayUrl: string) => {
    const r = new SlowReader(gatewayUrl, sim.accessToken, chatBody);
    opened.push(r);
    return r;
  };

  beforeAll(async () => {
    sim = await startSimProcess();
    stack = await startStack({
      workersAsProcesses: true,
      conversation: { CHATGPT_BASE_URL: sim.url },
      // The callers' raw tokens come from this simulator: auth verifies them against its keys.
      auth: { CHATGPT_JWKS_URL: sim.jwksUrl },
      // The simulator builds each long reply before its first byte: the idle timeout allows for it.
      gateway: { STREAM_IDLE_TIMEOUT_MS: 20_000, STREAM_WINDOW_BYTES: 64 * 1024, CLIENT_STALL_TIMEOUT_MS: 30_000 },
    });
  });
  afterEach(() => opened.splice(0).forEach((r) => r.close()));
  afterAll(async () => {
    await stack?.close();
    await sim?.close();
  });

  it('reads the upstream at the pace of slow clients, with the memory of worker and gateway bounded', async () => {
    const [worker] = stack.workerProcesses;
    await sim.reset();
    const workerBefore = await workerMemory(worker);
    collectGarbage();
    const gatewayBefore = process.memoryUsage();
    const readers = Array.from({ length: CLIENTS }, () => reader(stack.gatewayUrl));
    for (const reader of readers) reader.readSlowly(READ_BYTES_PER_TICK, TICK_MS);
    await waitFor(async () => (await sim.stats()).activeStreams === CLIENTS && readers.every((r) => r.received > 0), 'every stream to start', 90_000, 200);
    await sleep(3000);
    for (const reader of readers) expect(reader.head).toMatch(/^HTTP\/1\.1 200/);

    // The clients stop reading (for less than the stall time): once the socket buffers on the way are
    // full, nothing more is read from the upstream. Without flow control it would be read on at full speed.
    readers.forEach((r) => r.stopReading());
    await sleep(2000);
    const pausedAt = (await sim.stats()).streamBytes;
    await sleep(3000);
    const paused = (await sim.stats()).streamBytes - pausedAt;
    expect(paused).toBeLessThan(64 * 1024);

    // They read again, faster: so does the worker, from the upstream.
    const readBefore = totalRead(readers);
    for (const reader of readers) reader.readSlowly(64 * 1024, TICK_MS);
    await waitFor(async () => (await sim.stats()).streamBytes > pausedAt + paused + 256 * 1024, 'the upstream to be read again', 20_000, 200);
    expect(totalRead(readers)).toBeGreaterThan(readBefore);

    const stats = await sim.stats();
    // Still streaming, each far from its end, and the upstream had to wait for its reader.
    expect(stats).toMatchObject({ activeStreams: CLIENTS, completedStreams: 0 });
    expect(stats.drainWaits).toBeGreaterThan(0);

    // Memory per stream is bounded by a window and the buffers on the way, not by the stream (the
    // fault suite saw the worker at 625 MiB for this; measured here: worker +45 MB RSS, gateway +1 MB heap).
    const workerAfter = await workerMemory(worker);
    collectGarbage();
    const gatewayAfter = process.memoryUsage();
    expect(workerAfter.rss - workerBefore.rss).toBeLessThan(128);
    expect((gatewayAfter.heapUsed - gatewayBefore.heapUsed) / MB).toBeLessThan(48);

    readers.forEach((r) => r.close());
    await waitFor(async () => (await sim.stats()).activeStreams === 0, 'the upstream streams to be aborted with their clients', 10_000, 100);
    expect((await sim.stats()).abortedStreams).toBe(CLIENTS);
  }, 180_000);

  it('cuts a client that stops reading after CLIENT_STALL_TIMEOUT_MS and aborts its upstream request', async () => {
    const strict = await startGateway(parseConfig(gatewayEnv, testEnv({ STREAM_IDLE_TIMEOUT_MS: 20_000, STREAM_WINDOW_BYTES: 64 * 1024, CLIENT_STALL_TIMEOUT_MS: 2000 })));
    try {
      // The streams an earlier test left (its clients closed as it ended) are gone before the counts start.
      await waitFor(async () => (await sim.stats()).activeStreams === 0, 'the streams of earlier tests to end', 20_000, 100);
      await sim.reset();
      const asked = Date.now();
      const stuck = reader(strict.url);
      await waitFor(async () => (await sim.stats()).activeStreams === 1, 'the upstream stream to start', 60_000, 100);
      // The gateway cuts it and cancels the job: the worker aborts its upstream request.
      await waitFor(async () => (await sim.stats()).abortedStreams === 1, 'the upstream stream to be aborted', 60_000, 100).catch(async (err: Error) => {
        // What each side had done by then: a next occurrence says where the cut stopped.
        throw new Error(`${err.message}; simulator: ${JSON.stringify(await sim.stats())}; client: ${JSON.stringify({ received: stuck.received, closed: stuck.closed, head: stuck.head.slice(0, 200) })}`);
      });
      expect(Date.now() - asked).toBeGreaterThanOrEqual(2000);
      // The client, reading again, finds its connection ended before the answer did.
      stuck.readSlowly(1024 * 1024, 20);
      await waitFor(() => stuck.closed, 'the client to see its connection cut', 10_000, 50);
      expect(stuck.received).toBeLessThan(16 * MB);
      expect((await sim.stats()).completedStreams).toBe(0);
      stuck.close();
    } finally {
      await strict.close();
    }
  }, 180_000);
});
