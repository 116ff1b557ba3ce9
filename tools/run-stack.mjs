#!/usr/bin/env node
// Starts the five services (built dist/) as one process each, logs prefixed by service, Ctrl-C
// stops them all. `--demo` also starts the upstream simulator, points the conversation worker at
// it, and prints a ready-to-use credential and a curl line.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { imageMemoryEnv, imageNodeOptions } from './image-node-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const demo = process.argv.includes('--demo');
const SERVICES = ['auth', 'conversation', 'voice', 'usage', 'gateway'];
const COLORS = { auth: 33, conversation: 36, voice: 35, usage: 34, gateway: 32, 'chatgpt-sim': 90 };
const children = new Map();
let stopping = false;

function start(name, script, env = {}) {
  const child = spawn(process.execPath, [...imageNodeOptions(), join(root, script)], { env: { ...imageMemoryEnv(), ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = process.stdout.isTTY ? `\x1b[${COLORS[name]}m[${name}]\x1b[0m ` : `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (line) => process.stdout.write(prefix + line + '\n'));
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) return;
    process.stdout.write(`${prefix}exited (${signal ?? code}).\n`);
    if (code === 1) {
      process.stdout.write('\nA service could not start: the line above names the dependency it could not reach.\n');
      process.stdout.write('Start PostgreSQL, Redis and NATS (JetStream on), e.g.: docker compose up -d postgres redis nats\n');
      process.stdout.write('or point DATABASE_URL, REDIS_URL and NATS_URL at yours.\n\n');
    }
    stop(code ?? 1);
  });
  children.set(name, child);
  return child;
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(code);
  }, 12_000);
  force.unref();
  const check = setInterval(() => {
    if (children.size === 0) {
      clearInterval(check);
      process.exit(code);
    }
  }, 50);
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function waitHealthy(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(url);
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

const env = {};
const port = process.env.PORT ?? '5005';
if (demo) {
  const simPort = process.env.SIM_PORT ?? '5099';
  start('chatgpt-sim', 'tools/chatgpt-sim/dist/main.js', { PORT: simPort, HOST: '127.0.0.1' });
  env.CHATGPT_BASE_URL = `http://127.0.0.1:${simPort}`;
  // Refresh tokens of the simulator's accounts are exchanged at the simulator too.
  env.CHATGPT_AUTH_URL = env.CHATGPT_BASE_URL;
  env.CHATGPT_AUTH0_URL = env.CHATGPT_BASE_URL;
  env.CODEX_AUTH_URL = env.CHATGPT_BASE_URL;
  env.CODEX_BASE_URL = `${env.CHATGPT_BASE_URL}/backend-api/codex`;
  // The demo credential is the caller's own (simulator) token: raw tokens on, verified against the simulator's keys.
  env.RAW_TOKENS = 'true';
  env.CHATGPT_JWKS_URL = `${env.CHATGPT_BASE_URL}/.well-known/jwks.json`;
  await waitHealthy(`${env.CHATGPT_BASE_URL}/_sim/stats`, 10_000);
}
for (const name of SERVICES) start(name, `services/${name}/dist/main.js`, env);

if (await waitHealthy(`http://127.0.0.1:${port}/health/services`)) {
  process.stdout.write(`\nchatgate is up: http://127.0.0.1:${port}/v1  (health: http://127.0.0.1:${port}/health/services)\n`);
  const prefix = (process.env.API_PREFIX || process.env.MIRROR_API_PREFIX || '').replace(/^\/+|\/+$/g, '');
  const consoleUrl = `http://127.0.0.1:${port}${prefix ? `/${prefix}` : ''}/console/`;
  process.stdout.write(process.env.ADMIN_PASSWORD ? `Admin console: ${consoleUrl} (sign in with ADMIN_PASSWORD)\n` : `Admin console: ${consoleUrl} (set ADMIN_PASSWORD to sign in)\n`);
  if (demo) {
    const account = await (await fetch(`${env.CHATGPT_BASE_URL}/_sim/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'demo@example.com', plan: 'plus' }) })).json();
    process.stdout.write('\nDemo credential (a simulator ChatGPT access token):\n\n');
    process.stdout.write(`  export CHATGATE_KEY=${account.accessToken}\n\n`);
    process.stdout.write('Try it:\n\n');
    process.stdout.write(`  curl -N http://127.0.0.1:${port}/v1/chat/completions -H "Authorization: Bearer $CHATGATE_KEY" -H 'content-type: application/json' \\\n`);
    process.stdout.write(`    -d '{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"Hello from the demo"}]}'\n\n`);
  }
  process.stdout.write('Ctrl-C stops everything.\n\n');
}
