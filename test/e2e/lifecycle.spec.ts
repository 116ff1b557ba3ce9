import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { jsonOf, testEnv, waitFor } from '@chatgate/testing';
import { ChatJobWorker } from '@chatgate/conversation';
import { startStack, type Stack } from '../support/stack.js';

const HEALTH_ADMIN_PASSWORD = 'admin-password-for-lifecycle-6d1';

const WORKER_MAIN = fileURLToPath(new URL('../../services/conversation/dist/main.js', import.meta.url));

describe('a client that disconnects mid-stream', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  it('cancels the upstream request (no orphaned upstream stream)', async () => {
    const account = stack.sim.issueAccount();
    stack.sim.resetStats();
    const abort = new AbortController();
    const stream = await stack
      .client(account.accessToken)
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'long one [[sim words=400 delay=20]]' }], stream: true }, { signal: abort.signal });
    let chunks = 0;
    await (async () => {
      for await (const _ of stream) {
        if (++chunks === 3) abort.abort();
      }
    })().catch(() => undefined);

    await waitFor(() => stack.sim.stats().abortedStreams === 1, 'the upstream stream to be aborted', 3000);
    expect(stack.sim.stats().activeStreams).toBe(0);
    expect(stack.sim.stats().completedStreams).toBe(0);
  });
});

describe('a conversation worker that dies mid-stream', () => {
  let stack: Stack;
  let worker: ChildProcess | undefined;

  beforeAll(async () => {
    stack = await startStack({ workers: 0, gateway: { STREAM_IDLE_TIMEOUT_MS: 1500 } });
  });
  afterEach(() => {
    worker?.kill('SIGKILL');
  });
  afterAll(() => stack?.close());

  it('ends the client stream with an error event within a few seconds', async () => {
    worker = spawn(process.execPath, [WORKER_MAIN], { env: testEnv({ DATABASE_URL: stack.databaseUrl, CHATGPT_BASE_URL: stack.sim.url, CODEX_BASE_URL: stack.sim.codex.baseUrl, LOG_LEVEL: 'info' }), stdio: ['ignore', 'pipe', 'inherit'] });
    let log = '';
    worker.stdout!.on('data', (d) => (log += d));
    await waitFor(() => log.includes('chatgate-conversation ready'), 'the worker process to start', 15_000);

    const account = stack.sim.issueAccount();
    const stream = await stack
      .client(account.accessToken)
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'long one [[sim words=400 delay=25]]' }], stream: true });
    let chunks = 0;
    let killedAt = 0;
    const err = await (async () => {
      for await (const _ of stream) {
        if (++chunks === 3) {
          worker!.kill('SIGKILL');
          killedAt = Date.now();
        }
      }
    })().catch((e) => e);

    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(String(err.message)).toMatch(/stopped answering/);
    expect(Date.now() - killedAt).toBeLessThan(4000);
  });

  it('answers 503 at once when no worker is running', async () => {
    const account = stack.sim.issueAccount();
    const started = Date.now();
    await expect(stack.client(account.accessToken).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'anyone?' }] })).rejects.toMatchObject({
      status: 503,
      code: 'worker_unavailable',
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('says so on /health/services with a 503 (a check that reads only the status waits for the whole system)', async () => {
    const res = await fetch(`${stack.gatewayUrl}/health/services`);
    expect(res.status).toBe(503);
    const body = await jsonOf(res);
    expect(body.ok).toBe(false);
    expect(body.services).toContainEqual({ service: 'conversation', ok: false });
    expect(body.services).toContainEqual({ service: 'gateway', ok: true });
  });
});

describe('replicas and health', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ workers: 2, allServices: true, gateway: { ADMIN_PASSWORD: HEALTH_ADMIN_PASSWORD } });
  });
  afterAll(() => stack?.close());

  it('shares chat jobs between two worker replicas (queue group)', async () => {
    const account = stack.sim.issueAccount();
    const client = stack.client(account.accessToken);
    stack.sim.resetStats();
    // Slow replies so both replicas hold jobs at the same time.
    await Promise.all(Array.from({ length: 12 }, (_, i) => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `job ${i} [[sim words=10 delay=10]]` }] })));
    expect(stack.sim.stats().completedStreams).toBe(12);
    const handled = stack.workers.map((w) => w.app.get(ChatJobWorker).stats().handled);
    expect(handled[0] + handled[1]).toBe(12);
    expect(Math.min(...handled)).toBeGreaterThan(0);
    // Anyone sees up or not per service, nothing more (no host, pid or dependency error).
    const res = await fetch(`${stack.gatewayUrl}/health/services`);
    const body = await jsonOf(res);
    expect(res.status).toBe(200);
    expect(body).toEqual({ ok: true, services: ['gateway', 'auth', 'conversation', 'voice', 'usage'].map((service) => ({ service, ok: true })) });
    // The reports themselves are the operator's.
    expect((await fetch(`${stack.gatewayUrl}/admin/v1/health/services`)).status).toBe(401);
    const detailed = await fetch(`${stack.gatewayUrl}/admin/v1/health/services`, { headers: { authorization: `Bearer ${HEALTH_ADMIN_PASSWORD}` } });
    expect(detailed.status).toBe(200);
    const details = await jsonOf(detailed);
    expect(details.ok).toBe(true);
    expect(details.services.map((s: { service: string }) => s.service)).toEqual(['gateway', 'auth', 'conversation', 'voice', 'usage']);
    const auth = details.services.find((s: { service: string }) => s.service === 'auth');
    expect(auth.report.dependencies.map((d: { name: string }) => d.name).sort()).toEqual(['nats', 'postgres', 'redis']);
  });

  it('serves /health on the gateway', async () => {
    const res = await fetch(`${stack.gatewayUrl}/health`);
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toMatchObject({ service: 'gateway', ok: true });
  });
});
