import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import type { SimAccount } from '@chatgate/chatgpt-sim';
import { jsonOf } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';

/** Every failure answers in OpenAI's envelope with a fitting status, never a 500 or a hang. */
describe('errors', () => {
  let stack: Stack;
  let account: SimAccount;
  let client: OpenAI;

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': 'application/json', ...headers },
      body,
    });

  beforeAll(async () => {
    stack = await startStack({ gateway: { BODY_LIMIT_BYTES: 64 * 1024 }, conversation: { UPSTREAM_IDLE_TIMEOUT_MS: 1000 } });
    account = stack.sim.issueAccount({ plan: 'plus' });
    client = stack.client(account.accessToken);
  });
  afterAll(() => stack?.close());

  const ask = (content: string, stream = false) => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }], stream } as never);

  describe('bad input', () => {
    it('answers malformed JSON with 400 invalid_json', async () => {
      const res = await post('{"model": "gpt-4o", "messages": [');
      expect(res.status).toBe(400);
      const body = await jsonOf(res);
      expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
      expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'request_id', 'type']);
    });

    it('names the field of a schema error', async () => {
      await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [] })).rejects.toMatchObject({ status: 400, param: 'messages' });
      await expect(client.chat.completions.create({ messages: [{ role: 'user', content: 'x' }] } as never)).rejects.toMatchObject({ status: 400, param: 'model', code: 'missing_required_parameter' });
      await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'robot', content: 'x' }] } as never)).rejects.toMatchObject({ status: 400, param: 'messages[0].role' });
    });

    it('refuses what the ChatGPT upstream cannot do instead of ignoring it', async () => {
      await expect(client.chat.completions.create({ model: 'gpt-4o', n: 2, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 400, param: 'n', code: 'unsupported_parameter' });
      await expect(
        client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f' } }] }),
      ).rejects.toMatchObject({ status: 400, param: 'tools' });
    });

    it('tolerates unknown fields', async () => {
      const res = await post(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], some_future_field: { a: 1 }, temperature: 0.2 }));
      expect(res.status).toBe(200);
    });

    it('answers a body over the limit with 413', async () => {
      const res = await post(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }] }));
      expect(res.status).toBe(413);
      expect((await jsonOf(res)).error.code).toBe('request_too_large');
    });

    it('answers an unknown path with a 404 envelope', async () => {
      const res = await fetch(`${stack.gatewayUrl}/v1/nothing-here`);
      expect(res.status).toBe(404);
      expect((await jsonOf(res)).error.type).toBe('invalid_request_error');
    });
  });

  describe('credentials', () => {
    it('answers a missing credential with 401', async () => {
      const res = await post(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }), { authorization: '' });
      expect(res.status).toBe(401);
      expect((await jsonOf(res)).error.code).toBe('missing_api_key');
    });

    it('answers an unknown credential with 401 and does not echo it', async () => {
      const secret = 'sk-this-is-not-a-chatgate-key-0123456789';
      const err = await stack.client(secret).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(err.message).not.toContain(secret);
    });

    it('answers an expired access token with 401 token_expired', async () => {
      const expired = stack.sim.issueAccount({ expiresInSec: -60 });
      await expect(stack.client(expired.accessToken).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
        status: 401,
        code: 'token_expired',
      });
    });
  });

  describe('upstream failures before the first byte (reference §7)', () => {
    it.each([
      ['401', 401, 'upstream_unauthorized'],
      ['403', 502, 'upstream_blocked'],
      ['cloudflare', 502, 'upstream_blocked'],
      ['404', 404, 'model_not_found'],
      ['500', 502, 'upstream_error'],
    ])('maps fail=%s to %i %s', async (fail, status, code) => {
      await expect(ask(`boom [[sim fail=${fail}]]`)).rejects.toMatchObject({ status, code });
      // Streaming requests get the same HTTP status: nothing was sent yet.
      await expect(ask(`boom [[sim fail=${fail}]]`, true)).rejects.toMatchObject({ status, code });
    });

    it('maps 429 to a rate limit with the time it clears', async () => {
      const err = await ask('slow down [[sim fail=429 clears_in=30]]').catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      expect(err.code).toBe('rate_limit_exceeded');
      expect(err.headers.get('retry-after')).toBe('30');
      expect(err.message).toContain('30 seconds');
    });

    it('answers an upstream that never starts with 504 after the idle timeout', async () => {
      await expect(ask('hang [[sim fail=stall after=0]]')).rejects.toMatchObject({ status: 504, code: 'upstream_timeout' });
    });

    it('honours a per-account failure', async () => {
      const flaky = stack.sim.issueAccount();
      stack.sim.setBehaviour(flaky.email, { fail: '500', times: 1 });
      const c = stack.client(flaky.accessToken);
      await expect(c.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 502 });
      const ok = await c.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
      expect(ok.choices[0].message.content).toBe('You said: x');
    });
  });

  describe('upstream failures after the first byte', () => {
    it.each(['cut', 'stream_error'])('ends the stream with an error event on fail=%s', async (fail) => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `partial [[sim words=50 delay=5 fail=${fail} after=3]]` }], stream: true });
      let received = '';
      const err = await (async () => {
        for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? '';
      })().catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect(received.length).toBeGreaterThan(0);
    });

    it('ends a stalled stream with an error event after the idle timeout', async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'stall [[sim words=50 delay=5 fail=stall after=2]]' }], stream: true });
      const started = Date.now();
      const err = await (async () => {
        for await (const _ of stream) void _;
      })().catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect(String(err.message)).toMatch(/did not answer in time/);
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });
});
