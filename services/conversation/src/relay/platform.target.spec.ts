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
function runner(script: (sink: PlatformSink) => void) {
  const calls: Array<{ request: PlatformRequest; signal?: AbortSignal }> = [];
  const fake: PlatformRunning = {
    run: async (request, sink, signal) => {
      calls.push({ request, signal });
      script(sink);
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
