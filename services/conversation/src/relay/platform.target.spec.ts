import { describe, expect, it } from '@jest/globals';
import { RELAY_DATA_MAX_BYTES, type RelayFrame, type RelayJob } from '@chatgate/contracts';
import type { PlatformRequest } from '../shared/platform/platform-request.js';
import type { PlatformSink } from '../shared/platform/run-platform-request.js';
import { PlatformTarget, platformRequestOf, type PlatformRunning } from './platform.target.js';
import type { RelayRun } from './relay-target.js';

const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function' }], n: 2 };
const job = (over: Partial<RelayJob> = {}): RelayJob => ({
  requestId: 'r1',
  target: 'platform',
  request: { method: 'POST', path: '/chat/completions', query: '', headers: {}, body: Buffer.from(JSON.stringify(body)).toString('base64') },
  upstream: { kind: 'pool', tenantId: 't1', accountIds: ['k1'] },
  tenantId: 't1',
  credentialId: 'c1',
  userId: 'u1',
  userName: 'alice',
  usage: null,
  caller: null,
  ...over,
});

/** A runner that plays a script against the sink and records what it was asked. */
function runner(script: (sink: PlatformSink) => unknown) {
  const calls: Array<{ request: PlatformRequest; signal?: AbortSignal }> = [];
  const fake: PlatformRunning = {
    run: async (request, sink, signal) => {
      calls.push({ request: { ...request }, signal });
      await script(sink);
    },
  };
  return { fake, calls };
}

async function runJob(target: PlatformTarget, j: RelayJob) {
  const frames: RelayFrame[] = [];
  const r: RelayRun = { job: j, abort: new AbortController(), account: null, usage: null, send: (f) => frames.push(f), drained: async () => undefined };
  await target.run(r);
  return { frames, run: r };
}

describe('platform relay target', () => {
  it('hands the runner the body unchanged, the tenant, allowed keys and who asks', () => {
    expect(platformRequestOf(job())).toEqual({ requestId: 'r1', path: '/chat/completions', body, tenantId: 't1', allowedAccountIds: ['k1'], credentialId: 'c1', userId: 'u1', userName: 'alice' });
    expect(platformRequestOf(job({ request: { method: 'GET', path: '/models', query: '', headers: {} } }))).toMatchObject({ path: '/models', body: undefined });
  });

  it('refuses a path outside the platform API, a job carrying its own usage, a caller token and a body that is not an object', () => {
    expect(platformRequestOf(job({ request: { method: 'POST', path: '/files', query: '', headers: {} } }))).toMatchObject({ status: 404, error: { code: 'unknown_url' } });
    expect(platformRequestOf(job({ usage: { kind: 'chat', model: 'gpt-4o' } }))).toMatchObject({ status: 500, error: { code: 'malformed_job' } });
    expect(platformRequestOf(job({ upstream: { kind: 'chatgpt_access_token', accessToken: 'eyJ' } }))).toMatchObject({ status: 403, error: { code: 'platform_unavailable' } });
    for (const raw of ['[1,2]', 'not json', '"x"']) {
      expect(platformRequestOf(job({ request: { method: 'POST', path: '/embeddings', query: '', headers: {}, body: Buffer.from(raw).toString('base64') } }))).toMatchObject({ status: 400, error: { code: 'invalid_body' } });
    }
  });

  it('turns the sink into frames in order, big chunks split, with the job cancel signal', async () => {
    const big = new Uint8Array(RELAY_DATA_MAX_BYTES + 5).fill(7);
    const { fake, calls } = runner((sink) => {
      sink.head(200, { 'content-type': 'text/event-stream' });
      sink.data(new TextEncoder().encode('data: 1\n\n'));
      sink.data(big);
      sink.end({ promptTokens: 1, completionTokens: 2 });
    });
    const { frames, run } = await runJob(new PlatformTarget(fake), job());
    expect(frames.map((f) => f.t)).toEqual(['head', 'data', 'data', 'data', 'end']);
    expect(frames[0]).toEqual({ t: 'head', status: 200, headers: { 'content-type': 'text/event-stream' } });
    expect(calls[0].signal).toBe(run.abort.signal);
    // The runner publishes the usage event; the relay's own stays empty.
    expect(run.usage).toBeNull();
  });

  it('passes a failure as an error frame, and refuses a bad job without calling the runner', async () => {
    const failure = { status: 429, error: { message: 'limited', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' }, retryAfterSec: 9 };
    const { fake, calls } = runner((sink) => sink.error(failure));
    expect((await runJob(new PlatformTarget(fake), job())).frames).toEqual([{ t: 'error', ...failure }]);
    const refused = await runJob(new PlatformTarget(fake), job({ request: { method: 'GET', path: '/admin', query: '', headers: {} } }));
    expect(refused.frames).toMatchObject([{ t: 'error', status: 404 }]);
    expect(calls).toHaveLength(1);
  });
});

describe('platform relay target and stored responses', () => {
  const responsesJob = (over: Partial<RelayJob['request']>, body?: Record<string, unknown>) =>
    job({ request: { method: 'POST', path: '/responses', query: '', headers: {}, ...(body ? { body: Buffer.from(JSON.stringify(body)).toString('base64') } : {}), ...over } });
  const records = (held: Record<string, { upstream: string; accountId: string | null; owner: string }>) => {
    const saved: unknown[] = [];
    const deleted: string[] = [];
    return {
      saved,
      deleted,
      store: {
        find: async (owner: { userId: string | null }, id: string) => (held[id] && held[id].owner === owner.userId ? held[id] : null),
        save: async (_owner: unknown, stored: unknown) => void saved.push(stored),
        delete: async (_owner: unknown, id: string) => deleted.push(id) > 0,
      },
    };
  };

  it('records a new response on the key that answered, unless store is false', async () => {
    const { fake } = runner((sink) => {
      sink.head(200, { 'content-type': 'application/json' });
      return sink.end({ promptTokens: 3, completionTokens: 4, responseId: 'resp_1' }, 'k7');
    });
    const held = records({});
    await runJob(new PlatformTarget(fake, held.store), responsesJob({}, { model: 'gpt-4o-mini', input: 'hi' }));
    expect(held.saved).toEqual([{ id: 'resp_1', upstream: 'platform', model: 'gpt-4o-mini', accountId: 'k7', response: null, input: null, conversationId: null, messageId: null }]);
    await runJob(new PlatformTarget(fake, held.store), responsesJob({}, { model: 'gpt-4o-mini', input: 'hi', store: false }));
    expect(held.saved).toHaveLength(1);
  });

  it("sends a stored response's call and a previous_response_id to the key holding it, and answers 404 to anyone else", async () => {
    const { fake, calls } = runner((sink) => {
      sink.head(200, { 'content-type': 'application/json' });
      return sink.end(null, 'k2');
    });
    const held = records({ resp_a: { upstream: 'platform', accountId: 'k2', owner: 'u1' }, resp_b: { upstream: 'platform', accountId: 'k2', owner: 'u9' } });
    await runJob(new PlatformTarget(fake, held.store), responsesJob({ method: 'GET', path: '/responses/resp_a/input_items', query: 'limit=2' }));
    expect(calls[0].request).toMatchObject({ path: '/responses/resp_a/input_items', method: 'GET', query: 'limit=2', allowedAccountIds: ['k2'] });
    await runJob(new PlatformTarget(fake, held.store), responsesJob({}, { model: 'm', previous_response_id: 'resp_a' }));
    expect(calls[1].request.allowedAccountIds).toEqual(['k2']);

    const other = await runJob(new PlatformTarget(fake, held.store), responsesJob({ method: 'GET', path: '/responses/resp_b' }));
    expect(other.frames).toMatchObject([{ t: 'error', status: 404, error: { code: 'response_not_found' } }]);
    const continued = await runJob(new PlatformTarget(fake, held.store), responsesJob({}, { model: 'm', previous_response_id: 'resp_b' }));
    expect(continued.frames).toMatchObject([{ t: 'error', status: 404, error: { code: 'previous_response_not_found', param: 'previous_response_id' } }]);
    expect(calls).toHaveLength(2);

    await runJob(new PlatformTarget(fake, held.store), responsesJob({ method: 'DELETE', path: '/responses/resp_a' }));
    expect(held.deleted).toEqual(['resp_a']);
  });

  it('refuses a stored path with a method it does not take', () => {
    expect(platformRequestOf(job({ request: { method: 'PATCH', path: '/responses/resp_a', query: '', headers: {} } }))).toMatchObject({ status: 404 });
    expect(platformRequestOf(job({ request: { method: 'GET', path: '/responses/../models', query: '', headers: {} } }))).toMatchObject({ status: 404 });
  });
});
