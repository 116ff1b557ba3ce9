import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait-for.js';

/** The Debian package's binary, else whichever `nats-server` is on the PATH. */
const NATS_SERVER_BIN = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';

/** A NATS server of a test's own, which the test may stop and start again (same port, same JetStream store). */
export interface TestNatsServer {
  url: string;
  port: number;
  /** Stops it (SIGKILL: as a crashed or partitioned server looks to its clients) and waits for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store, and waits until it takes connections. */
  start(): Promise<void>;
  running(): boolean;
  /** Stops it for good and removes its store. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs `nats-server -js` on a free port with a temporary store directory. */
export async function startNatsServer(): Promise<TestNatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'chatgate-nats-'));
  let child: ChildProcess | null = null;
  let output = '';

  const start = async () => {
    if (child) return;
    const started = spawn(NATS_SERVER_BIN, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stdout!.on('data', (d) => (output += d));
    started.stderr!.on('data', (d) => (output += d));
    started.once('exit', () => {
      if (child === started) child = null;
    });
    await waitFor(async () => (await accepts(port)) || started.exitCode !== null, `nats-server on port ${port}`, 10_000, 50);
    if (started.exitCode !== null) throw new Error(`nats-server exited (${started.exitCode}): ${output.slice(-2000)}`);
  };
  const stop = async () => {
    const running = child;
    if (!running) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
    child = null;
  };

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    stop,
    start,
    running: () => child !== null,
    close: async () => {
      await stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
