import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// deploy/Dockerfile is read, not imported code: the bench still imports nothing it measures.
import { imageMemoryEnv, imageNodeOptions } from '../../image-node-options.mjs';

export interface Proc {
  name: string;
  child: ChildProcess;
}

/**
 * As the image starts every process (NODE_OPTIONS and MALLOC_ARENA_MAX in deploy/Dockerfile, read from there).
 * BENCH_NODE_FLAGS adds flags of a run's own (`--perf-basic-prof` for `perf record`; a later
 * `--max-semi-space-size` wins), BENCH_LOGS=1 shows the processes' own log lines.
 */
export const NODE_FLAGS = [...imageNodeOptions(), ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [])];

export function startProcess(root: string, name: string, script: string, env: Record<string, string>, nodeArgs: string[] = []): Proc {
  const child = spawn(process.execPath, [...NODE_FLAGS, ...nodeArgs, join(root, script)], { env: { ...imageMemoryEnv(), ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', process.env.BENCH_LOGS ? 'inherit' : 'ignore', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM' && signal !== 'SIGKILL') process.stderr.write(`bench: ${name} exited (${code ?? signal})\n`);
  });
  return { name, child };
}

/** Resident memory of a process, from /proc (Linux). */
export function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

export async function waitHealthy(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`bench: ${url} did not become healthy`);
}

export async function stopAll(procs: Proc[]): Promise<void> {
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.child.exitCode !== null) return resolve();
          p.child.once('exit', () => resolve());
          p.child.kill('SIGTERM');
          setTimeout(() => p.child.kill('SIGKILL'), 5000).unref();
        }),
    ),
  );
}
