import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import type { SimAccount } from '@chatgate/chatgpt-sim';
import { jsonOf, waitFor } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';

/** One sample of a Prometheus text exposition: the series `name` whose labels include `labels` (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
    found = true;
  }
  return found ? total : 0;
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  scope: string;
  service: string;
}

/** An OTLP/HTTP receiver (JSON, as the exporter sends it): every span it was given. */
async function startOtlpReceiver(): Promise<{ url: string; spans: OtlpSpan[]; server: Server }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        try {
          const parsed = JSON.parse(body) as {
            resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ scope: { name: string }; spans: Array<Omit<OtlpSpan, 'scope' | 'service'>> }> }>;
          };
          for (const rs of parsed.resourceSpans) {
            const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
            for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push({ traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId, name: span.name, scope: ss.scope.name, service });
          }
        } catch {
          // not JSON: ignored
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, spans, server };
}

/**
 * Metrics, request ids and traces through the real services: the gateway and auth, voice and usage in
 * this process, the conversation worker as a process of its own (its log lines are read as an operator's
 * log store gets them, and its spans cross a process boundary), traces exported to an OTLP receiver.
 */
describe('observability', () => {
  let stack: Stack;
  let account: SimAccount;
  let client: OpenAI;
  let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;

  const metricsOf = async (url: string) => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };
  const worker = () => stack.workerProcesses[0];
  const chat = (content: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] }),
    });
  const newId = () => `obs-${randomBytes(6).toString('hex')}`;
  /** The worker's JSON log lines for a request id. */
  const workerLines = (requestId: string) =>
    worker()
      .output()
      .split('\n')
      .filter((l) => l.includes(requestId))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    stack = await startStack({
      allServices: true,
      workersAsProcesses: true,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url },
    });
    account = stack.sim.issueAccount({ plan: 'plus' });
    client = stack.client(account.accessToken);
  }, 90_000);
  afterAll(async () => {
    await stack?.close();
    await new Promise((resolve) => otlp?.server.close(resolve));
  });

  describe('/metrics', () => {
    it('is served by every service off the public port, and its counters move with a request', async () => {
      // Not on the gateway's public port.
      expect((await fetch(`${stack.gatewayUrl}/metrics`)).status).toBe(404);
      expect(stack.gateway.metricsUrl).not.toBe(stack.gatewayUrl);

      const before = {
        gateway: await metricsOf(stack.gateway.metricsUrl),
        auth: await metricsOf(stack.auth.metricsUrl),
        worker: await metricsOf(worker().url),
        voice: await metricsOf(stack.voices()[0].metricsUrl),
        usage: await metricsOf(stack.usages()[0].metricsUrl),
      };
      const route = { route: '/v1/chat/completions', method: 'POST', status: '200', upstream: 'chatgpt' };
      const reply = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'count me' }] });
      expect(reply.choices[0].message.content).toBeTruthy();
      const speech = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello there.' });
      expect((await speech.arrayBuffer()).byteLength).toBeGreaterThan(0);

      const gateway = await metricsOf(stack.gateway.metricsUrl);
      expect(sample(gateway, 'chatgate_http_requests_total', route)).toBe(sample(before.gateway, 'chatgate_http_requests_total', route) + 1);
      expect(sample(gateway, 'chatgate_http_request_duration_seconds_count', { route: '/v1/chat/completions', upstream: 'chatgpt' })).toBeGreaterThan(0);
      expect(sample(gateway, 'chatgate_jobs_sent_total', { job: 'chat', outcome: 'ok' })).toBe(sample(before.gateway, 'chatgate_jobs_sent_total', { job: 'chat', outcome: 'ok' }) + 1);
      expect(sample(gateway, 'chatgate_time_to_first_token_seconds_count', { job: 'chat', upstream: 'chatgpt' })).toBeGreaterThan(sample(before.gateway, 'chatgate_time_to_first_token_seconds_count', { job: 'chat', upstream: 'chatgpt' }));
      expect(sample(gateway, 'chatgate_jobs_in_flight', { job: 'chat' })).toBe(0);
      expect(sample(gateway, 'chatgate_bus_request_duration_seconds_count', { subject: 'chatgate.auth.credential.resolve.v1', outcome: 'ok' })).toBeGreaterThan(0);
      expect(gateway).toContain('chatgate_process_resident_memory_bytes');
      // Bounded labels: route templates, no raw URL, no tenant.
      expect(gateway).not.toMatch(/tenant="/);

      const worked = await metricsOf(worker().url);
      expect(sample(worked, 'chatgate_worker_jobs_total', { job: 'chat', outcome: 'ok' })).toBe(sample(before.worker, 'chatgate_worker_jobs_total', { job: 'chat', outcome: 'ok' }) + 1);
      expect(sample(worked, 'chatgate_usage_events_published_total', { result: 'ok' })).toBeGreaterThan(sample(before.worker, 'chatgate_usage_events_published_total', { result: 'ok' }));
      // Its usage event went to JetStream as a request/reply (the publish's ack), timed by subject.
      expect(sample(worked, 'chatgate_bus_request_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThan(sample(before.worker, 'chatgate_bus_request_duration_seconds_count', { outcome: 'ok' }));
      expect(worked).toMatch(/chatgate_bus_request_duration_seconds_count\{[^}]*subject="chatgate\.usage\.event\.v1/);

      const voice = await metricsOf(stack.voices()[0].metricsUrl);
      expect(sample(voice, 'chatgate_worker_jobs_total', { job: 'speech', outcome: 'ok' })).toBe(sample(before.voice, 'chatgate_worker_jobs_total', { job: 'speech', outcome: 'ok' }) + 1);

      const storedBefore = sample(before.usage, 'chatgate_usage_events_stored_total');
      await waitFor(async () => sample(await metricsOf(stack.usages()[0].metricsUrl), 'chatgate_usage_events_stored_total') >= storedBefore + 2, 'the usage events to be stored', 15_000, 100);
      const usage = await metricsOf(stack.usages()[0].metricsUrl);
      expect(usage).toMatch(/chatgate_usage_consumer_lag\{[^}]*state="pending"/);
      expect(sample(usage, 'chatgate_usage_events_dead_lettered_total')).toBe(0);

      // Auth: its pool by status, refresh passes, and its own requests (the credential it resolved).
      const auth = await metricsOf(stack.auth.metricsUrl);
      for (const status of ['active', 'cooling', 'needs_token', 'disabled']) expect(auth).toMatch(new RegExp(`chatgate_pool_accounts\\{[^}]*kind="chatgpt"[^}]*status="${status}"`));
      expect(auth).toMatch(/chatgate_refresh_pass_accounts\{[^}]*state="total"/);
      expect(auth).toContain('chatgate_refresh_pass_running');
      expect(auth).toContain('service="auth"');

      // The Grafana dashboard (deploy/k8s/components/monitoring) asks only for series some service exposes.
      const exposed = new Set(
        [gateway, worked, voice, usage, auth].flatMap((text) => [...text.matchAll(/^# TYPE (\S+) (\w+)$/gm)].flatMap(([, name, type]) => (type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name]))),
      );
      const dashboard = readFileSync(new URL('../../deploy/k8s/components/monitoring/grafana-dashboard.json', import.meta.url), 'utf8');
      const asked = [...new Set(dashboard.match(/chatgate_[a-z_]+/g))];
      expect(asked.length).toBeGreaterThan(10);
      expect(asked.filter((name) => !exposed.has(name))).toEqual([]);
    });
  });

  describe('request ids', () => {
    it('echoes a given X-Request-Id on a success and logs it on the worker line of that request', async () => {
      const id = newId();
      const res = await chat('hello', { 'x-request-id': id });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe(id);
      await res.json();
      // The worker (another process) got it in the job's NATS headers and logged its job under it.
      await waitFor(() => workerLines(id).some((l) => l.msg === 'chat job ended'), 'the worker to log the job', 10_000, 50);
      const [line] = workerLines(id).filter((l) => l.msg === 'chat job ended');
      expect(line).toMatchObject({ requestId: id, service: 'conversation', job: 'chat', outcome: 'ok' });
      expect(line.jobId).toEqual(expect.any(String));
      expect(line.jobId).not.toBe(id);
    });

    it('echoes it on errors, in the header and in the error body, before and after the bus', async () => {
      // Refused at the gateway (schema).
      const early = newId();
      const bad = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': 'application/json', 'x-request-id': early },
        body: JSON.stringify({ model: 'gpt-4o', messages: [] }),
      });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('x-request-id')).toBe(early);
      expect((await jsonOf(bad)).error).toMatchObject({ param: 'messages', request_id: early });

      // Failed by the upstream, reported by the worker as an error frame.
      const late = newId();
      const failed = await chat('x [[sim fail=429]]', { 'x-request-id': late });
      expect(failed.status).toBe(429);
      expect(failed.headers.get('x-request-id')).toBe(late);
      expect((await jsonOf(failed)).error).toMatchObject({ code: 'rate_limit_exceeded', request_id: late });
      await waitFor(() => workerLines(late).some((l) => l.msg === 'chat job ended'), 'the worker to log the failed job', 10_000, 50);
      expect(workerLines(late).find((l) => l.msg === 'chat job ended')).toMatchObject({ requestId: late, outcome: 'error', code: 'rate_limit_exceeded' });

      // An unknown route and an unknown credential answer with it too; the SDK reads it as the request's id.
      const lost = newId();
      const unknown = await fetch(`${stack.gatewayUrl}/v1/nothing-here`, { headers: { 'x-request-id': lost } });
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('x-request-id')).toBe(lost);
      expect((await jsonOf(unknown)).error.request_id).toBe(lost);
      const stranger = new OpenAI({ apiKey: 'sk-stranger-0123456789abcdef', baseURL: `${stack.gatewayUrl}/v1`, maxRetries: 0, defaultHeaders: { 'x-request-id': lost } });
      const refused = await stranger.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OpenAI.APIError);
      expect((refused as InstanceType<typeof OpenAI.APIError>).requestID).toBe(lost);
      expect((refused as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ request_id: lost });
    });

    it('carries it on a streamed answer and its SSE error', async () => {
      const id = newId();
      const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'stream me' }], stream: true }, { headers: { 'x-request-id': id } }).withResponse();
      expect(stream.response.headers.get('x-request-id')).toBe(id);
      for await (const _ of stream.data) void _;
      // Cut after the first words: the error comes as an SSE event, after the head, and names the request.
      const cut = newId();
      const res = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': 'application/json', 'x-request-id': cut },
        body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'x [[sim fail=cut after=2 delay=5 words=10]]' }] }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe(cut);
      const text = await res.text();
      expect(text).toContain('"error"');
      expect(text).toContain(`"request_id":"${cut}"`);
    });

    it('replaces an id that is too long or unsafe with one of its own', async () => {
      for (const given of ['x'.repeat(129), 'has spaces in it', 'quote"me', 'line\tbreak']) {
        const res = await chat('hello', { 'x-request-id': given });
        expect(res.status).toBe(200);
        const returned = res.headers.get('x-request-id');
        expect(returned).not.toBe(given);
        expect(returned).toMatch(/^[0-9a-f-]{36}$/);
        await res.json();
      }
      // No id given: one is made.
      const none = await chat('hello');
      expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      await none.json();
    });
  });

  describe('traces', () => {
    it('continue across the bus hop: the worker process handles the job in the gateway trace', async () => {
      const traceId = randomBytes(16).toString('hex');
      const parent = randomBytes(8).toString('hex');
      const res = await chat('trace me', { traceparent: `00-${traceId}-${parent}-01` });
      expect(res.status).toBe(200);
      await res.json();
      const publish = await waitFor(() => otlp.spans.find((s) => s.traceId === traceId && s.scope === 'chatgate-gateway' && s.name.endsWith('publish')), 'the gateway to export its job span', 15_000, 100);
      const processed = await waitFor(() => otlp.spans.find((s) => s.traceId === traceId && s.service === 'chatgate-conversation' && s.name.endsWith('process')), 'the worker to export its job span', 15_000, 100);
      // The worker's span is a child of the gateway's publish span: the traceparent crossed NATS.
      expect(processed!.parentSpanId).toBe(publish!.spanId);
      const server = otlp.spans.find((s) => s.traceId === traceId && s.scope === 'chatgate-gateway' && s.name.startsWith('POST'));
      expect(server?.parentSpanId).toBe(parent);
    });
  });
});
