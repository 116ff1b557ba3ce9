import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SimAccount } from '@chatgate/chatgpt-sim';
import { waitFor, type LooseJson } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { rawRequest } from '../support/raw-http.js';

const PASSWORD = 'admin-password-for-hostile-input-9f3';
const REQUEST_TIMEOUT_MS = 2000;
const MAX_IN_FLIGHT = 2;

/** `{"messages":[1,1,…]}` of about `bytes` bytes: the body that once took the gateway down (one issue per element). */
function manyOnes(bytes: number, model?: string): Buffer {
  const head = model ? `{"model":${JSON.stringify(model)},"messages":[` : '{"messages":[';
  const count = Math.floor((bytes - head.length - 2) / 2);
  return Buffer.from(`${head}${'1,'.repeat(count)}1]}`);
}

/** `{"messages":[[[[…]]]]}`: nesting that JSON.parse takes seconds over. */
function deeplyNested(bytes: number): Buffer {
  const depth = Math.floor((bytes - 16) / 2);
  return Buffer.from(`{"messages":${'['.repeat(depth)}${']'.repeat(depth)}}`);
}

const mib = (n: number) => Math.round(n * 1024 * 1024);
const rssMib = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

/** OpenAI's envelope, and nothing of the web framework's own words. */
function expectEnvelope(text: string, code?: string | null) {
  expect(text).not.toMatch(/fastify|FST_/i);
  const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') >= 0 ? text.indexOf('\r\n\r\n') + 4 : 0)) as LooseJson;
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'request_id', 'type']);
  if (code !== undefined) expect(body.error.code).toBe(code);
  return body.error as { code: string | null; message: string; param: string | null; type: string };
}

/**
 * Hostile input against the gateway (issue 12, items 4 and 8 and the framework's errors): each attack
 * sent for real, over HTTP, and the safe outcome asserted — and the gateway serving normally afterwards.
 * Memory figures are printed for the notes (never asserted; the bench measures them: tools/bench).
 */
describe('hostile input', () => {
  let stack: Stack;
  let alice: SimAccount;
  let bob: SimAccount;
  const notes: string[] = [];

  const post = (path: string, bearer: string | null, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), 'content-type': 'application/json', ...headers },
      body,
    });
  /** The gateway still serves a real request, end to end. */
  const stillServes = async () => {
    const reply = await stack.client(alice.accessToken).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'still there?' }] });
    expect(reply.choices[0].message.content).toBeTruthy();
  };

  beforeAll(async () => {
    stack = await startStack({
      gateway: { ADMIN_PASSWORD: PASSWORD, REQUEST_TIMEOUT_MS, HEADERS_TIMEOUT_MS: 1000, IDLE_TIMEOUT_MS: 1500, MAX_IN_FLIGHT_PER_PRINCIPAL: MAX_IN_FLIGHT },
    });
    alice = stack.sim.issueAccount({ plan: 'plus' });
    bob = stack.sim.issueAccount({ plan: 'plus' });
  }, 60_000);
  afterAll(async () => {
    if (notes.length) process.stdout.write(`\nhostile-input notes:\n${notes.map((n) => `  ${n}`).join('\n')}\n`);
    await stack?.close();
  });

  describe('the credential before the body (item 4)', () => {
    it('answers the 18.9 MiB {"messages":[1,1,…]} with a bad credential 401, without reading it as JSON, and keeps serving', async () => {
      const attack = manyOnes(mib(18.9));
      const before = rssMib();
      const res = await post('/v1/chat/completions', 'not-a-credential', attack);
      expect(res.status).toBe(401);
      expectEnvelope(await res.text(), 'invalid_api_key');
      // Without any credential, too.
      const none = await post('/v1/chat/completions', null, attack);
      expect(none.status).toBe(401);
      expectEnvelope(await none.text(), 'missing_api_key');
      notes.push(`18.9 MiB [1,1,…] body, bad and no credential: 401 twice; test process RSS ${before} → ${rssMib()} MiB`);
      await stillServes();
    });

    it('answers the same body with a good credential 413 (over the body limit the bus can carry), and keeps serving', async () => {
      const before = rssMib();
      const res = await post('/v1/chat/completions', alice.accessToken, manyOnes(mib(18.9)));
      expect(res.status).toBe(413);
      expectEnvelope(await res.text(), 'request_too_large');
      notes.push(`18.9 MiB [1,1,…] body, good credential: 413; test process RSS ${before} → ${rssMib()} MiB`);
      await stillServes();
    });

    it('answers half a million bad messages under the body limit with one bounded 400 naming the first', async () => {
      const before = rssMib();
      for (const model of ['gpt-4o', undefined]) {
        const body = manyOnes(mib(0.95), model);
        const res = await post('/v1/chat/completions', alice.accessToken, body);
        expect(res.status).toBe(400);
        const text = await res.text();
        const error = expectEnvelope(text);
        // One problem reported, not one per element (a message list that long is refused before its items are read).
        expect(text.length).toBeLessThan(1000);
        expect(error.param).toMatch(/^(messages|model)/);
      }
      // Short enough to be read item by item: the first bad one is named, and only it.
      const few = await post('/v1/chat/completions', alice.accessToken, JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'ok' }, 1, 1, 1, 1] }));
      expect(few.status).toBe(400);
      expect(expectEnvelope(await few.text(), 'invalid_value').param).toBe('messages[1]');
      // Content parts likewise.
      const parts = await post('/v1/chat/completions', alice.accessToken, JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: Array.from({ length: 1000 }, () => 1) }] }));
      expect(parts.status).toBe(400);
      expect((await parts.text()).length).toBeLessThan(2000);
      // The web protocol's conversation body, too.
      const web = await post('/backend-api/conversation', alice.accessToken, manyOnes(mib(0.95), 'gpt-4o'));
      expect(web.status).toBe(400);
      expect((await web.text()).length).toBeLessThan(1000);
      notes.push(`~0.95 MiB bodies of [1,1,…] with a good credential (×4): 400 each; test process RSS ${before} → ${rssMib()} MiB`);
      await stillServes();
    });
  });

  describe('unauthenticated CPU and connections (item 8)', () => {
    it('answers 10 MiB of nested JSON without a credential 401 before the body has even arrived', async () => {
      const body = deeplyNested(mib(10));
      for (const headers of [{}, { authorization: 'Bearer not-a-credential' }] as Array<Record<string, string>>) {
        const answer = await rawRequest(stack.gatewayUrl, {
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers },
          body,
          chunkBytes: 64 * 1024,
          everyMs: 50,
        });
        expect(answer.status).toBe(401);
        expectEnvelope(answer.text, headers.authorization ? 'invalid_api_key' : 'missing_api_key');
        // Answered while most of the body was still to come: nothing was parsed.
        expect(answer.bodyBytesSent).toBeLessThan(body.length);
        notes.push(`10 MiB nested JSON, ${headers.authorization ? 'bad' : 'no'} credential: 401 after ${answer.elapsedMs} ms, ${Math.round(answer.bodyBytesSent / 1024)} KiB of ${Math.round(body.length / 1024)} KiB sent`);
      }
      // An admin route likewise, with a wrong password; and a URL that leads nowhere.
      for (const [path, status] of [
        ['/admin/v1/users', 401],
        ['/v1/nothing-here', 404],
      ] as const) {
        const answer = await rawRequest(stack.gatewayUrl, {
          method: 'POST',
          path,
          headers: { 'content-type': 'application/json', 'content-length': String(body.length), authorization: 'Bearer wrong-admin-password-123456' },
          body,
          chunkBytes: 64 * 1024,
          everyMs: 50,
        });
        expect([path, answer.status]).toEqual([path, status]);
        expect(answer.bodyBytesSent).toBeLessThan(body.length);
      }
    });

    it('refuses deeply nested JSON from a known caller with a 400 before parsing it', async () => {
      const res = await post('/v1/chat/completions', alice.accessToken, deeplyNested(mib(0.9)));
      expect(res.status).toBe(400);
      expect(expectEnvelope(await res.text(), 'invalid_body').message).toMatch(/nested more than 64 levels/);
      // Ordinary nesting passes.
      const ok = await post('/v1/chat/completions', alice.accessToken, JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], metadata: { a: { b: { c: [[[1]]] } } } }));
      expect(ok.status).toBe(200);
    });

    it('cuts a client whose body trickles in once REQUEST_TIMEOUT_MS has passed', async () => {
      const body = Buffer.from(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(4000) }] }));
      const answer = await rawRequest(stack.gatewayUrl, {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { authorization: `Bearer ${alice.accessToken}`, 'content-type': 'application/json', 'content-length': String(body.length) },
        body,
        // 50 bytes every 100 ms: about 8 s for the whole body, four times the timeout. The test's own deadline is 20 s.
        chunkBytes: 50,
        everyMs: 100,
        deadlineMs: 20_000,
      });
      // 408 in OpenAI's envelope (and the connection closed), while most of the body was still to come.
      expect(answer.status).toBe(408);
      expect(answer.text).toMatch(/\r\nconnection: close\r\n/i);
      expect(answer.bodyBytesSent).toBeLessThan(body.length);
      notes.push(`slow body (50 B / 100 ms), REQUEST_TIMEOUT_MS ${REQUEST_TIMEOUT_MS}: cut after ${answer.elapsedMs} ms with ${answer.status ?? 'no answer'}, ${answer.bodyBytesSent} of ${body.length} bytes sent`);
      expectEnvelope(answer.text, 'request_timeout');
    });

    it('cuts a client whose headers trickle in (HEADERS_TIMEOUT_MS), and closes a kept-alive connection left idle (IDLE_TIMEOUT_MS)', async () => {
      const { hostname, port } = new URL(stack.gatewayUrl);
      /** A socket that writes `lines` one every `everyMs`, and what it received until the server closed it (or the test's deadline). */
      const trickle = (lines: string[], everyMs: number) =>
        new Promise<{ text: string; closedByServer: boolean; linesSent: number; elapsedMs: number }>((resolve) => {
          const started = Date.now();
          const socket = connect(Number(port), hostname);
          let text = '';
          let sent = 0;
          const timer = setInterval(() => {
            if (sent < lines.length) socket.write(lines[sent++]);
          }, everyMs);
          const done = (closedByServer: boolean) => {
            clearInterval(timer);
            clearTimeout(deadline);
            socket.destroy();
            resolve({ text, closedByServer, linesSent: sent, elapsedMs: Date.now() - started });
          };
          const deadline = setTimeout(() => done(false), 20_000);
          socket.on('data', (d) => (text += d.toString()));
          socket.on('error', () => undefined);
          socket.on('close', () => done(true));
        });
      // One header line every 500 ms: 40 lines would take 20 s.
      const headers = await trickle(['POST /v1/chat/completions HTTP/1.1\r\n', ...Array.from({ length: 40 }, (_, i) => `x-slow-${i}: ${i}\r\n`)], 500);
      expect(headers.closedByServer).toBe(true);
      expect(headers.linesSent).toBeLessThan(41);
      expect(headers.text).toMatch(/^HTTP\/1\.1 408 /);
      expectEnvelope(headers.text, 'request_timeout');
      notes.push(`headers trickling (a line / 500 ms), HEADERS_TIMEOUT_MS 1000: 408 after ${headers.elapsedMs} ms, ${headers.linesSent} lines sent`);
      // A complete request, answered, then nothing: the server closes the idle connection.
      const idle = await trickle([`GET /health/live HTTP/1.1\r\nhost: ${hostname}\r\n\r\n`], 10);
      expect(idle.closedByServer).toBe(true);
      expect(idle.text).toMatch(/^HTTP\/1\.1 200 /);
      notes.push(`kept-alive connection left idle, IDLE_TIMEOUT_MS 1500: closed after ${idle.elapsedMs} ms`);
    });

    it('keeps streams longer than every timeout running to their end', async () => {
      const stream = await stack.client(alice.accessToken).chat.completions.create({
        model: 'gpt-4o',
        stream: true,
        messages: [{ role: 'user', content: 'long one [[sim words=40 delay=120]]' }],
      });
      let text = '';
      let finish: string | null = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect(finish).toBe('stop');
      expect(text.split(/\s+/).filter(Boolean).length).toBeGreaterThanOrEqual(40);
    });

    it('refuses the N+1th concurrent request of one principal with 429 while another principal is served', async () => {
      const open = () => post('/v1/chat/completions', alice.accessToken, JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'slow [[sim words=200 delay=100]]' }] }));
      const running = await Promise.all(Array.from({ length: MAX_IN_FLIGHT }, () => open()));
      for (const res of running) expect(res.status).toBe(200);
      const refused = await post('/v1/chat/completions', alice.accessToken, JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'one more' }] }));
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      const error = expectEnvelope(await refused.text(), 'too_many_concurrent_requests');
      expect(error.type).toBe('requests');
      expect(error.message).toMatch(/already has 2 requests running/);
      // Another principal is served meanwhile.
      const other = await stack.client(bob.accessToken).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'me too' }] });
      expect(other.choices[0].message.content).toBeTruthy();
      // Once the streams end (the client leaves), the slots come back.
      for (const res of running) await res.body?.cancel();
      await waitFor(async () => (await post('/v1/chat/completions', alice.accessToken, JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'again' }] }))).status === 200, 'the slots to come back');
    });
  });

  describe("the framework's own errors answer in OpenAI's envelope, never in its words", () => {
    it.each([
      ['a broken percent escape in the URL', 'GET', '/v1/models/%E0%A4%A', undefined, 'application/json', 400, 'invalid_url'],
      ['a broken escape on a POST route', 'POST', '/backend-api/%zz', '{}', 'application/json', 400, 'invalid_url'],
      ['a route parameter over the length limit', 'GET', `/v1/models/${'a'.repeat(5000)}`, undefined, 'application/json', 414, 'url_too_long'],
      ['bad JSON', 'POST', '/v1/chat/completions', '{"model": "gpt-4o", "messages": [', 'application/json', 400, 'invalid_json'],
      ['an empty JSON body', 'POST', '/v1/chat/completions', '', 'application/json', 400, 'invalid_json'],
      ['a prototype-poisoning body', 'POST', '/v1/chat/completions', '{"__proto__": {"x": 1}}', 'application/json', 400, 'invalid_json'],
      ['a body over the limit', 'POST', '/v1/chat/completions', 'x'.repeat(mib(1.1)), 'application/json', 413, 'request_too_large'],
      ['an unsupported media type', 'POST', '/v1/chat/completions', '<a/>', 'application/xml', 415, 'unsupported_media_type'],
      ['an unknown URL', 'POST', '/v1/nothing-here', '{}', 'application/json', 404, 'unknown_url'],
    ] as const)('%s', async (_what, method, path, body, type, status, code) => {
      const res = await fetch(`${stack.gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${alice.accessToken}`, 'content-type': type }, ...(body !== undefined ? { body } : {}) });
      expect(res.status).toBe(status);
      expectEnvelope(await res.text(), code);
    });

    it('a body whose length does not match content-length', async () => {
      const answer = await rawRequest(stack.gatewayUrl, {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { authorization: `Bearer ${alice.accessToken}`, 'content-type': 'application/json', 'content-length': '5', 'transfer-encoding': 'chunked' },
        body: Buffer.from('3\r\n{}}\r\n0\r\n\r\n'),
      });
      expect(answer.status).toBe(400);
      expectEnvelope(answer.text, 'invalid_request');
    });
  });
});
