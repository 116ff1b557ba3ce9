import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { startSimulator, replyFor, type Simulator, type SimAccount } from '../src/index.js';
import { decodeLegacy, decodeV1, parseSse, postConversation, waitFor, type Loose } from './support.js';

describe('failure injection', () => {
  let sim: Simulator;
  let account: SimAccount;

  beforeAll(async () => {
    sim = await startSimulator();
    account = sim.issueAccount({ plan: 'plus' });
  });
  afterAll(() => sim.close());

  const send = (prompt: string, opts: { v1?: boolean; model?: string; token?: string; signal?: AbortSignal } = {}) =>
    postConversation(sim.url, { prompt, token: opts.token ?? account.accessToken, ...opts });

  it('401 answers token_expired', async () => {
    const res = await send('x [[sim fail=401]]');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      detail: {
        message: 'Could not parse your authentication token. Please try signing in again.',
        type: 'invalid_request_error',
        param: null,
        code: 'token_expired',
      },
    });
  });

  it('403 answers the unusual-activity detail', async () => {
    const res = await send('x [[sim fail=403]]');
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ detail: 'Unusual activity has been detected from your device. Try again later.' });
  });

  it('404 answers model_not_found naming the model', async () => {
    const res = await send('x [[sim fail=404]]', { model: 'gpt-4o' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: { code: 'model_not_found', message: 'Model gpt-4o not found' } });
  });

  it('429 answers clears_in and retry-after', async () => {
    const res = await send('x [[sim fail=429 clears_in=17]]');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('17');
    expect(await res.json()).toEqual({
      detail: { message: "You've reached our limit of messages per hour. Please try again later.", clears_in: 17 },
    });
    const plain = await send('x [[sim fail=429]]');
    expect(((await plain.json()) as { detail: { clears_in: number } }).detail.clears_in).toBe(60);
  });

  it('500 answers an internal error', async () => {
    const res = await send('x [[sim fail=500]]');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ detail: 'Internal server error' });
  });

  it('cloudflare answers a 403 challenge page', async () => {
    const res = await send('x [[sim fail=cloudflare]]');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('cf_chl_opt');
    expect(html).toContain('cf-please-wait');
  });

  it('stream_error ends a legacy stream with a top-level error after N chunks', async () => {
    const prompt = 'one two three four five [[sim fail=stream_error after=3]]';
    const events = parseSse(await (await send(prompt)).text());
    const legacy = decodeLegacy(events);
    expect(legacy.inProgressEvents).toBe(3);
    expect(legacy.errors).toHaveLength(1);
    expect(legacy.errors[0]).toMatch(/^Something went wrong/);
    expect(legacy.done).toBe(true);
    expect(legacy.typed.find((t) => t.type === 'message_stream_complete')).toBeUndefined();
    expect(replyFor(prompt).text.startsWith(legacy.answer)).toBe(true);
  });

  it('stream_error in v1 adds a document carrying the error', async () => {
    const events = parseSse(await (await send('one two three [[sim fail=stream_error after=1]]', { v1: true })).text());
    const v1 = decodeV1(events);
    const last = v1.documents[v1.documents.length - 1];
    expect(last.message).toBeNull();
    expect(last.error).toMatch(/^Something went wrong/);
    expect(v1.counters).toEqual(v1.counters.map((_, i) => i));
    expect(v1.done).toBe(true);
    expect(v1.answer).toBe('You '); // after=1: one word got through
  });

  it('stream_error in v1 carries the error_code a code directive names (an account cap inside a 200 stream)', async () => {
    const plain = decodeV1(parseSse(await (await send('one [[sim fail=stream_error after=0]]', { v1: true })).text()));
    expect(plain.documents[plain.documents.length - 1].error_code).toBe('internal_error');
    const capped = decodeV1(parseSse(await (await send('one [[sim fail=stream_error after=0 code=model_cap_exceeded]]', { v1: true })).text()));
    expect(capped.documents[capped.documents.length - 1].error_code).toBe('model_cap_exceeded');
    expect(capped.answer).toBe('');
  });

  it('cut destroys the socket after N chunks', async () => {
    const res = await send('alpha beta gamma delta [[sim fail=cut after=2]]');
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('stall sends N chunks then nothing, until the client leaves', async () => {
    sim.resetStats();
    const controller = new AbortController();
    const res = await send('alpha beta gamma delta [[sim fail=stall after=2]]', { signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    while ((text.match(/"in_progress"/g) ?? []).length < 2) {
      const { value } = await reader.read();
      text += decoder.decode(value, { stream: true });
    }
    const next = await Promise.race([reader.read().then(() => 'data'), new Promise((r) => setTimeout(() => r('quiet'), 200))]);
    expect(next).toBe('quiet');
    expect(sim.stats().activeStreams).toBe(1);
    controller.abort();
    await waitFor(() => sim.stats().abortedStreams === 1, 'the stalled stream to count as aborted');
    expect(sim.stats().activeStreams).toBe(0);
  });

  it('moderation blocks the answer with a moderation event and interrupted finish', async () => {
    const prompt = 'one two three four five [[sim fail=moderation after=2]]';
    const legacy = decodeLegacy(parseSse(await (await send(prompt)).text()));
    const moderation = legacy.typed.find((t) => t.type === 'moderation') as Loose;
    expect(moderation.moderation_response.blocked).toBe(true);
    expect(legacy.finalMessage?.metadata.finish_details).toEqual({ type: 'interrupted' });
    expect(legacy.answer).toBe('You said: ');
    const v1 = decodeV1(parseSse(await (await send(prompt, { v1: true })).text()));
    expect(v1.typed.some((t) => t.type === 'moderation')).toBe(true);
    expect(v1.answer).toBe('You said: ');
    expect((v1.documents[v1.documents.length - 1].message as Loose).metadata.finish_details.type).toBe(
      'interrupted',
    );
  });

  it('unknown models and free-plan limits answer 404 model_not_found', async () => {
    expect((await send('x', { model: 'gpt-4-unavailable' })).status).toBe(404);
    expect((await send('x', { model: 'x-missing-model' })).status).toBe(404);
    const free = sim.issueAccount({ plan: 'free' });
    const denied = await send('x', { model: 'o3', token: free.accessToken });
    expect(denied.status).toBe(404);
    expect(await denied.json()).toEqual({ detail: { code: 'model_not_found', message: 'Model o3 not found' } });
    for (const model of ['auto', 'gpt-4o-mini', 'text-davinci-002-render-sha', 'gpt-4o']) {
      const ok = await send('x', { model, token: free.accessToken });
      expect(ok.status).toBe(200);
      await ok.text();
    }
  });

  it('account behaviour applies by email or id and counts down', async () => {
    const flaky = sim.issueAccount();
    sim.setBehaviour(flaky.email.toUpperCase(), { fail: '429', times: 2, clearsIn: 5 });
    const first = await send('x', { token: flaky.accessToken });
    expect(first.status).toBe(429);
    expect(((await first.json()) as { detail: { clears_in: number } }).detail.clears_in).toBeLessThanOrEqual(5);
    expect((await send('x', { token: flaky.accessToken })).status).toBe(429);
    const third = await send('x', { token: flaky.accessToken });
    expect(third.status).toBe(200);
    await third.text();

    sim.setBehaviour(flaky.accountId, { fail: '403' });
    for (let i = 0; i < 3; i++) expect((await send('x', { token: flaky.accessToken })).status).toBe(403);
    sim.setBehaviour(flaky.accountId, null);
    const ok = await send('x', { token: flaky.accessToken });
    expect(ok.status).toBe(200);
    await ok.text();
  });

  it('a behaviour with clearsIn lifts by itself', async () => {
    const capped = sim.issueAccount();
    sim.setBehaviour(capped.accountId, { fail: '429', clearsIn: 0.2 });
    expect((await send('x', { token: capped.accessToken })).status).toBe(429);
    await new Promise((r) => setTimeout(r, 250));
    const ok = await send('x', { token: capped.accessToken });
    expect(ok.status).toBe(200);
    await ok.text();
  });

  it('account behaviour can inject mid-stream failures', async () => {
    const flaky = sim.issueAccount();
    sim.setBehaviour(flaky.accountId, { fail: 'stream_error', times: 1 });
    const events = parseSse(await (await send('a b c d e f', { token: flaky.accessToken })).text());
    expect(decodeLegacy(events).errors).toHaveLength(1);
  });
});
