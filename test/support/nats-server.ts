import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@chatgate/testing';

/** nats-server as the machine has it (Debian's package); a test's own server, on loopback. */
const NATS_SERVER = '/usr/sbin/nats-server';

export interface TestNatsServer {
  url: string;
  /** What the server printed (permission violations are logged here). */
  log(): string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts nats-server with JetStream and the given configuration body (an `authorization` block, TLS…),
 * listening on a free loopback port; stopped and its store removed on close.
 */
export async function startNatsServer(body: string): Promise<TestNatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'chatgate-nats-'));
  const port = await freePort();
  const conf = join(dir, 'nats-server.conf');
  writeFileSync(conf, `listen: 127.0.0.1:${port}\njetstream { store_dir: ${JSON.stringify(join(dir, 'js'))} }\n${body}`);
  const child: ChildProcess = spawn(NATS_SERVER, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await waitFor(() => /Server is ready/.test(output) || child.exitCode !== null, 'nats-server to start', 10_000);
  if (child.exitCode !== null) throw new Error(`nats-server did not start: ${output}`);
  return {
    url: `nats://127.0.0.1:${port}`,
    log: () => output,
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
