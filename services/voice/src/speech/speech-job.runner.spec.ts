import { describe, expect, it } from '@jest/globals';
import type { AccountLeaseRequest, AccountReport, BusError, SpeechControlFrame, SpeechJob } from '@chatgate/contracts';
import type { AccountLeaseClient } from '@chatgate/service-kit';
import type { UpstreamIdentity, VoiceUpstreamClient } from '../upstream/voice-upstream.client.js';
import { runSpeechJob, type SpeechJobContext } from './speech-job.runner.js';

const failure = (status: number, code: string): BusError => ({ status, error: { message: `failed ${code}`, type: 'upstream_error', param: null, code } });

/** What each upstream call does, by the access token it is made with and the text it speaks. */
interface Script {
  post?: (token: string, text: string) => BusError | null;
  /** Audio chunks for a piece; an Error among them breaks the stream there. */
  audio?: (token: string, text: string) => Array<Uint8Array | Error>;
}

function fakeUpstream(script: Script) {
  const calls: string[] = [];
  const texts = new Map<string, string>();
  let n = 0;
  const upstream = {
    async postAssistantMessage(identity: UpstreamIdentity, text: string) {
      calls.push(`post ${identity.accessToken} ${text}`);
      const failed = script.post?.(identity.accessToken, text);
      if (failed) return { ok: false, failure: failed };
      const conversationId = `conv-${++n}`;
      texts.set(conversationId, text);
      return { ok: true, conversationId, messageId: `msg-${n}` };
    },
    async synthesize(identity: UpstreamIdentity, what: { conversationId: string; voice: string; format: string }) {
      const text = texts.get(what.conversationId)!;
      calls.push(`synthesize ${identity.accessToken} ${what.voice} ${what.format}`);
      const chunks = script.audio?.(identity.accessToken, text) ?? [new TextEncoder().encode(text)];
      async function* body() {
        for (const chunk of chunks) {
          // Let other work (the next piece's post) run while this audio streams, as real I/O would.
          await new Promise((r) => setImmediate(r));
          if (chunk instanceof Error) throw Object.assign(chunk, { code: 'ECONNRESET' });
          yield chunk;
        }
        calls.push(`audio done ${text}`);
      }
      return { ok: true, contentType: 'audio/aac', body: Object.assign(body(), { destroy() {} }) };
    },
  };
  return { upstream: upstream as unknown as VoiceUpstreamClient, calls };
}

function fakePool(accounts: string[]) {
  const leases: AccountLeaseRequest[] = [];
  const reports: AccountReport[] = [];
  const client = {
    async lease(request: AccountLeaseRequest) {
      leases.push({ ...request, exclude: [...request.exclude] });
      const next = accounts.find((a) => !request.exclude.includes(a));
      if (!next) return { ok: false, failure: failure(503, 'pool_exhausted') };
      return { ok: true, lease: { accountId: next, accessToken: `token-${next}`, chatgptAccountId: null, deviceId: 'device', label: `${next}@example.com` } };
    },
    async report(report: AccountReport) {
      reports.push(report);
      return { ok: true, lease: null };
    },
  };
  return { leases: client as unknown as AccountLeaseClient, leaseRequests: leases, reports };
}

function run(input: string, deps: { upstream: VoiceUpstreamClient; leases: AccountLeaseClient }, upstream: SpeechJob['upstream'] = { kind: 'pool', tenantId: 't' }) {
  const frames: Array<SpeechControlFrame | { t: 'audio'; text: string }> = [];
  const hidden: string[] = [];
  const job: SpeechJob = { requestId: 'r', model: 'tts-1', input, voice: 'ember', format: 'aac', upstream, tenantId: 't', credentialId: 'c', userId: null, userName: null };
  const ctx: SpeechJobContext = {
    job,
    abort: new AbortController(),
    account: null,
    spokenCharacters: 0,
    sendControl: (frame) => frames.push(frame),
    sendAudio: (bytes) => frames.push({ t: 'audio', text: new TextDecoder().decode(bytes) }),
    drained: async () => undefined,
  };
  const done = runSpeechJob(ctx, { ...deps, retryTimes: 3, pieceChars: 20, hideLater: (_identity, conversationId) => hidden.push(conversationId) });
  return done.then(() => ({ frames, hidden, ctx }));
}

const INPUT = 'First one here. Second one here. Third one here.';

describe('runSpeechJob', () => {
  it('speaks the pieces in order on one account, hides each conversation, and ends with the characters', async () => {
    const { upstream, calls } = fakeUpstream({});
    const pool = fakePool(['a', 'b']);
    const { frames, hidden, ctx } = await run(INPUT, { upstream, leases: pool.leases });
    expect(frames).toEqual([
      { t: 'start', contentType: 'audio/aac' },
      { t: 'audio', text: 'First one here.' },
      { t: 'audio', text: 'Second one here.' },
      { t: 'audio', text: 'Third one here.' },
      { t: 'end', characters: INPUT.length, pieces: 3 },
    ]);
    expect(calls.filter((c) => c.startsWith('synthesize'))).toEqual(Array(3).fill('synthesize token-a ember aac'));
    expect(hidden).toEqual(['conv-1', 'conv-2', 'conv-3']);
    expect(pool.leaseRequests).toHaveLength(1);
    expect(pool.leaseRequests[0]).toMatchObject({ tenantId: 't', model: 'auto', exclude: [] });
    expect(ctx.account).toEqual({ id: 'a', label: 'a@example.com' });
  });

  it('posts the next piece while the current one plays, so pieces follow without a gap', async () => {
    const { upstream, calls } = fakeUpstream({ audio: (_t, text) => [new TextEncoder().encode(text.slice(0, 5)), new TextEncoder().encode(text.slice(5))] });
    await run(INPUT, { upstream, leases: fakePool(['a']).leases });
    expect(calls.indexOf('post token-a Second one here.')).toBeLessThan(calls.indexOf('audio done First one here.'));
    expect(calls.indexOf('post token-a Third one here.')).toBeLessThan(calls.indexOf('audio done Second one here.'));
    expect(calls.filter((c) => c.startsWith('post'))).toHaveLength(3);
  });

  it('cuts audio into frames well under the NATS payload limit', async () => {
    const big = new Uint8Array(100 * 1024);
    const { upstream } = fakeUpstream({ audio: () => [big] });
    const { frames } = await run('Short.', { upstream, leases: fakePool(['a']).leases });
    const audio = frames.filter((f) => f.t === 'audio');
    expect(audio.length).toBe(4);
  });

  it('moves to the next account when a piece fails before its audio, and goes on from that piece', async () => {
    const { upstream, calls } = fakeUpstream({ post: (token, text) => (token === 'token-a' && text.startsWith('Second') ? failure(429, 'rate_limit_exceeded') : null) });
    const pool = fakePool(['a', 'b']);
    const { frames, ctx } = await run(INPUT, { upstream, leases: pool.leases });
    expect(frames.filter((f) => f.t === 'audio')).toEqual([
      { t: 'audio', text: 'First one here.' },
      { t: 'audio', text: 'Second one here.' },
      { t: 'audio', text: 'Third one here.' },
    ]);
    expect(frames.filter((f) => f.t === 'start')).toHaveLength(1);
    expect(frames.at(-1)).toEqual({ t: 'end', characters: INPUT.length, pieces: 3 });
    expect(pool.reports).toEqual([expect.objectContaining({ accountId: 'a', model: 'auto', outcome: 'rate_limited' })]);
    expect(pool.leaseRequests[1].exclude).toEqual(['a']);
    expect(calls.filter((c) => c.startsWith('post token-b'))).toHaveLength(2);
    expect(ctx.account?.id).toBe('b');
  });

  it('ends with an error, never a retry, when the audio breaks in the middle of a piece', async () => {
    const { upstream, calls } = fakeUpstream({ audio: (_t, text) => (text.startsWith('Second') ? [new TextEncoder().encode('Sec'), new Error('reset')] : [new TextEncoder().encode(text)]) });
    const pool = fakePool(['a', 'b']);
    const { frames, ctx, hidden } = await run(INPUT, { upstream, leases: pool.leases });
    expect(frames.at(-1)).toMatchObject({ t: 'error', status: 502, error: { code: 'upstream_stream_cut' } });
    // The third piece was posted ahead while the second played, but never synthesised; its conversation is hidden.
    expect(calls.filter((c) => c.startsWith('synthesize'))).toHaveLength(2);
    await new Promise((r) => setImmediate(r));
    expect(hidden).toEqual(['conv-1', 'conv-2', 'conv-3']);
    expect(pool.leaseRequests).toHaveLength(1);
    expect(ctx.spokenCharacters).toBe('First one here. '.length);
  });

  it('gives the caller own token one attempt', async () => {
    const { upstream } = fakeUpstream({ post: () => failure(401, 'upstream_unauthorized') });
    const pool = fakePool([]);
    const { frames } = await run(INPUT, { upstream, leases: pool.leases }, { kind: 'chatgpt_access_token', accessToken: 'own' });
    expect(frames).toEqual([{ t: 'error', ...failure(401, 'upstream_unauthorized') }]);
    expect(pool.leaseRequests).toHaveLength(0);
  });

  it('does not rotate on a failure another account would meet too', async () => {
    const { upstream } = fakeUpstream({ post: () => failure(502, 'upstream_bad_request') });
    const pool = fakePool(['a', 'b']);
    const { frames } = await run(INPUT, { upstream, leases: pool.leases });
    expect(frames).toEqual([{ t: 'error', ...failure(502, 'upstream_bad_request') }]);
    expect(pool.leaseRequests).toHaveLength(1);
  });

  it('answers the last upstream error when the pool runs out', async () => {
    const { upstream } = fakeUpstream({ post: () => failure(502, 'upstream_error') });
    const pool = fakePool(['a', 'b']);
    const { frames } = await run(INPUT, { upstream, leases: pool.leases });
    expect(frames).toEqual([{ t: 'error', ...failure(502, 'upstream_error') }]);
    expect(pool.reports.map((r) => r.accountId)).toEqual(['a', 'b']);
  });
});
