import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import pg from 'pg';
import { AccountPoolService, AccountsService } from '@chatgate/auth';
import { gatewayEnv, parseConfig } from '@chatgate/config';
import { startGateway } from '@chatgate/gateway';
import type { SimAccount } from '@chatgate/chatgpt-sim';
import { testEnv, waitFor, type LooseJson } from '@chatgate/testing';
import { audioText } from '../support/audio-frames.js';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const POOL_CODE = 'pool-code-for-voice-tests-7f3a91';
const PASSWORD = 'admin-password-for-voice-tests-2b8';
const PIECE_CHARS = 200;

type Format = 'mp3' | 'opus' | 'aac' | 'flac' | 'wav' | 'pcm';

/** Distinct numbered sentences, so a piece out of order or twice shows in the text. */
const prose = (sentences: number, from = 0) =>
  Array.from({ length: sentences }, (_, i) => `Sentence ${from + i} tells of the harbor, the lantern and the quiet river at dusk.`).join(' ');
const squash = (text: string) => text.replace(/\s+/g, '');

/** Text to speech and voice rooms through the gateway, the voice service and the simulator. */
describe('voice', () => {
  let stack: Stack;
  let client: OpenAI;
  let db: pg.Client;
  let tenantId: string;
  let account: SimAccount;

  const enter = (token: string) => stack.auth.app.get(AccountsService).enter(tenantId, token);
  const clearPool = async () => {
    await db.query('DELETE FROM auth.upstream_accounts');
    stack.auth.app.get(AccountPoolService).announceChanged(tenantId, []);
  };
  const speak = (body: Partial<OpenAI.Audio.SpeechCreateParams> = {}, on = client) =>
    on.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello there. This is a test.', ...body } as OpenAI.Audio.SpeechCreateParams);
  const usageRow = (requestId: string) =>
    waitFor(async () => (await db.query('SELECT * FROM usage.usage_events WHERE request_id = $1', [requestId])).rows[0], `the usage event of ${requestId}`, 10_000, 50);
  const livekit = (query = '', key = POOL_CODE, base = stack.gatewayUrl) => fetch(`${base}/api/livekit${query}`, { headers: { authorization: `Bearer ${key}` } });
  const admin = async (path: string, body: unknown): Promise<LooseJson> => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${PASSWORD}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    return res.json();
  };

  beforeAll(async () => {
    stack = await startStack({
      allServices: true,
      auth: { AUTHORIZATION: POOL_CODE, RANDOM_TOKEN: false },
      gateway: { ADMIN_PASSWORD: PASSWORD },
      voice: { SPEECH_PIECE_CHARS: PIECE_CHARS, UPSTREAM_IDLE_TIMEOUT_MS: 5000 },
    });
    client = stack.client(POOL_CODE);
    ({ db, tenantId } = await connectStackDatabase(stack));
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await stack?.close();
  });
  beforeEach(async () => {
    await clearPool();
    account = stack.sim.issueAccount({ plan: 'plus' });
    await enter(account.accessToken);
    stack.sim.resetStats();
    stack.sim.setSpeechPacing({ packetDelayMs: 0 });
  });

  describe('POST /v1/audio/speech', () => {
    it.each<[Format, string, 'aac' | 'mp3' | 'opus', (b: Buffer) => boolean]>([
      ['mp3', 'audio/mpeg', 'mp3', (b) => b.subarray(0, 3).toString('latin1') === 'ID3'],
      ['opus', 'audio/ogg', 'opus', (b) => b.subarray(0, 4).toString('latin1') === 'OggS' && b.subarray(28, 36).toString('latin1') === 'OpusHead'],
      ['aac', 'audio/aac', 'aac', (b) => b[0] === 0xff && (b[1] & 0xf6) === 0xf0],
      ['flac', 'audio/aac', 'aac', (b) => b[0] === 0xff && (b[1] & 0xf6) === 0xf0],
      ['wav', 'audio/aac', 'aac', (b) => b[0] === 0xff && (b[1] & 0xf6) === 0xf0],
      ['pcm', 'audio/aac', 'aac', (b) => b[0] === 0xff && (b[1] & 0xf6) === 0xf0],
    ])('answers response_format %s as %s audio carrying the whole input', async (format, contentType, upstreamFormat, magic) => {
      const input = 'The quick brown fox jumps over the lazy dog. Then it naps — 😀 — in the sun.';
      const res = await speak({ response_format: format, input });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(contentType);
      const audio = Buffer.from(await res.arrayBuffer());
      expect(magic(audio)).toBe(true);
      expect(audioText(audio, upstreamFormat)).toBe(input);
      expect(stack.sim.stats().synthesizeByFormat).toEqual({ [upstreamFormat]: 1 });
    });

    it('speaks with OpenAI voice names mapped as the reference says, and with the native names', async () => {
      const expected: Record<string, string> = {
        alloy: 'cove', ash: 'fathom', coral: 'vale', echo: 'ember', fable: 'breeze', onyx: 'orbit', nova: 'maple', sage: 'glimmer', shimmer: 'juniper',
        cove: 'cove', orbit: 'orbit', breeze: 'breeze', fathom: 'fathom', glimmer: 'glimmer', vale: 'vale', juniper: 'juniper', ember: 'ember', maple: 'maple',
      };
      for (const [voice, native] of Object.entries(expected)) {
        stack.sim.resetStats();
        const res = await speak({ voice, response_format: 'aac' });
        expect(audioText(Buffer.from(await res.arrayBuffer()), 'aac')).toBe('Hello there. This is a test.');
        expect(stack.sim.stats().synthesizeByVoice).toEqual({ [native]: 1 });
      }
      // OpenAI's custom voice reference works with a name too.
      const custom = await speak({ voice: { id: 'nova' } as unknown as string });
      expect(custom.status).toBe(200);
    });

    it('splits long input at sentence boundaries and joins the audio in order, hiding every conversation', async () => {
      const input = prose(50);
      expect(input.length).toBeGreaterThan(3000);
      expect(input.length).toBeLessThanOrEqual(4096);
      const res = await speak({ input, response_format: 'mp3' });
      const text = audioText(Buffer.from(await res.arrayBuffer()), 'mp3');
      expect(squash(text)).toBe(squash(input));
      // Every sentence once, in order.
      const numbers = [...text.matchAll(/Sentence (\d+) /g)].map((m) => Number(m[1]));
      expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => i));
      const stats = stack.sim.stats();
      const pieces = stats.synthesizeRequests;
      expect(pieces).toBeGreaterThanOrEqual(Math.ceil(input.length / PIECE_CHARS));
      expect(stats.conversationRequests).toBe(pieces);
      await waitFor(() => stack.sim.stats().hiddenConversations === pieces, 'every conversation made for speech to be hidden');
    });

    it('streams: the first audio reaches the client long before the clip is complete', async () => {
      stack.sim.setSpeechPacing({ packetDelayMs: 50 });
      const input = prose(12); // about 800 characters: 4 pieces of some 4 packets each (48 characters a packet)
      const began = performance.now();
      const res = await speak({ input, response_format: 'opus' });
      const reader = res.body!.getReader();
      const chunks: Uint8Array[] = [];
      let firstByteMs = 0;
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        if (!chunks.length) firstByteMs = performance.now() - began;
        chunks.push(next.value);
      }
      const totalMs = performance.now() - began;
      expect(squash(audioText(Buffer.concat(chunks), 'opus'))).toBe(squash(input));
      expect(chunks.length).toBeGreaterThan(3);
      // Packets are 50 ms apart: the whole clip cannot come sooner than that many times 50 ms.
      expect(totalMs).toBeGreaterThan(Math.floor(input.length / 48) * 50);
      expect(firstByteMs).toBeLessThan(totalMs / 4);
      console.log(`speech first byte ${firstByteMs.toFixed(0)} ms, whole clip ${totalMs.toFixed(0)} ms, ${chunks.length} chunks`);
    });

    it('records one usage event of kind speech counting the characters', async () => {
      const input = 'Count these characters, emoji 😀 included.';
      const res = await speak({ input, model: 'tts-1-hd' });
      await res.arrayBuffer();
      const row = await usageRow(res.headers.get('x-request-id')!);
      expect(row).toMatchObject({ kind: 'speech', model: 'tts-1-hd', characters: [...input].length, prompt_tokens: 0, completion_tokens: 0, upstream: 'chatgpt', outcome: 'ok', status: 200, account_label: account.email });
    });

    it('works with the caller own ChatGPT token', async () => {
      const own = stack.sim.issueAccount({ plan: 'free' });
      const res = await speak({ response_format: 'aac' }, stack.client(own.accessToken));
      expect(audioText(Buffer.from(await res.arrayBuffer()), 'aac')).toBe('Hello there. This is a test.');
      expect(stack.sim.stats().byAccount).toEqual({ [own.accountId]: 1 });
    });

    it('moves to the next pool account when the first one fails', async () => {
      const failing = stack.sim.issueAccount({ plan: 'plus' });
      await enter(failing.accessToken);
      stack.sim.setBehaviour(failing.accountId, { fail: '500' });
      // Round-robin over two accounts: one of two requests starts on the failing account.
      for (let i = 0; i < 2; i++) {
        const res = await speak({ response_format: 'aac', input: `Request ${i} speaks.` });
        expect(audioText(Buffer.from(await res.arrayBuffer()), 'aac')).toBe(`Request ${i} speaks.`);
        const row = await usageRow(res.headers.get('x-request-id')!);
        expect(row.account_label).toBe(account.email);
      }
      const byAccount = stack.sim.stats().byAccount;
      expect(byAccount[failing.accountId]).toBeGreaterThanOrEqual(1);
      expect(byAccount[account.accountId]).toBe(2);
    });

    it('answers the last upstream error when every account fails, in OpenAI error shape', async () => {
      stack.sim.setBehaviour(account.accountId, { fail: '429', clearsIn: 30 });
      const err = await speak().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
      expect((err as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBeTruthy();
    });

    it('refuses bad requests with 400 naming the field', async () => {
      const cases: Array<[Record<string, unknown>, string, number]> = [
        [{ voice: 'ballad' }, 'voice', 400],
        [{ voice: 'nobody' }, 'voice', 400],
        [{ response_format: 'ogg' }, 'response_format', 400],
        [{ input: 'x'.repeat(4097) }, 'input', 400],
        [{ input: '   ' }, 'input', 400],
        [{ input: undefined }, 'input', 400],
        [{ model: undefined }, 'model', 400],
        [{ speed: 2 }, 'speed', 400],
        [{ speed: 9 }, 'speed', 400],
        [{ instructions: 'whisper' }, 'instructions', 400],
      ];
      for (const [body, param, status] of cases) {
        const err = (await speak(body as Partial<OpenAI.Audio.SpeechCreateParams>).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
        expect(err).toBeInstanceOf(OpenAI.APIError);
        expect({ param: (err.error as { param?: string }).param, status: err.status }).toEqual({ param, status });
      }
      expect(stack.sim.stats().conversationRequests).toBe(0);
      const unauthenticated = await fetch(`${stack.gatewayUrl}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(unauthenticated.status).toBe(401);
    });

    it('applies user limits on the model (429 with retry-after)', async () => {
      await admin('/admin/v1/users', { name: 'speaker', limits: [{ model_name: 'tts-1', every_minute: 60, limit_count: 1 }] });
      const key = (await admin('/admin/v1/keys', { user: 'speaker' })).key as string;
      const user = stack.client(key);
      expect((await speak({}, user)).status).toBe(200);
      const err = (await speak({}, user).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(err.status).toBe(429);
      expect((err.error as { code?: string }).code).toBe('usage_limit_exceeded');
      expect(err.headers?.get('retry-after')).toBeTruthy();
      // Another model has its own window.
      expect((await speak({ model: 'gpt-4o-mini-tts' }, user)).status).toBe(200);
    });

    it('cuts the connection when the audio breaks after it began, so a partial clip is never taken for whole', async () => {
      stack.sim.setSpeechPacing({ cutAfterPackets: 2 });
      const res = await speak({ input: prose(3), response_format: 'aac' });
      expect(res.status).toBe(200);
      await expect(res.arrayBuffer()).rejects.toThrow();
      const row = await usageRow(res.headers.get('x-request-id')!);
      expect(row).toMatchObject({ kind: 'speech', outcome: 'error', status: 502, prompt_tokens: 0 });
      // The failure came after audio reached the client: no other account, no second try.
      expect(stack.sim.stats().synthesizeRequests).toBe(1);
    });

    it('stops synthesising when the client goes away', async () => {
      stack.sim.setSpeechPacing({ packetDelayMs: 50 });
      const abort = new AbortController();
      const res = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: prose(8) }, { signal: abort.signal });
      const reader = res.body!.getReader();
      await reader.read();
      abort.abort();
      await reader.cancel().catch(() => undefined);
      // The first piece's audio was cut off; no further piece is asked for.
      await new Promise((r) => setTimeout(r, 500));
      expect(stack.sim.stats().synthesizeRequests).toBe(1);
    });
  });

  describe('GET /api/livekit', () => {
    it('returns the room for the caller account, counted as usage of kind voice', async () => {
      const res = await livekit('?voice=nova');
      expect(res.status).toBe(200);
      const room = (await res.json()) as { url: string; token: string; e2ee_key: string };
      expect(room.url).toBe('wss://webrtc.chatgpt.com');
      expect(room.token).toMatch(/^eyJ/);
      expect(Buffer.from(room.e2ee_key, 'base64')).toHaveLength(32);
      expect(stack.sim.stats().voiceTokensByAccount).toEqual({ [account.accountId]: 1 });
      expect(stack.sim.stats().lastVoiceTokenRequest).toMatchObject({ voice: 'maple', voice_mode: 'standard', model_slug: 'auto' });
      const rows = await waitFor(async () => (await db.query("SELECT * FROM usage.usage_events WHERE kind = 'voice'")).rows[0], 'the voice usage event', 10_000, 50);
      expect(rows).toMatchObject({ model: 'voice', outcome: 'ok', account_label: account.email });
    });

    it('moves to the next pool account when the upstream refuses the first, and serves a caller own token', async () => {
      const failing = stack.sim.issueAccount({ plan: 'plus' });
      await enter(failing.accessToken);
      stack.sim.setBehaviour(failing.accountId, { fail: '403' });
      for (let i = 0; i < 2; i++) expect((await livekit()).status).toBe(200);
      expect(stack.sim.stats().voiceTokensByAccount).toEqual({ [failing.accountId]: 1, [account.accountId]: 2 });
      // 403 cools the account down: the pool does not offer it again at once.
      expect((await livekit()).status).toBe(200);
      expect(stack.sim.stats().voiceTokensByAccount[failing.accountId]).toBe(1);

      const own = stack.sim.issueAccount({ plan: 'free' });
      const res = await livekit('?voice=ember', own.accessToken);
      expect(res.status).toBe(200);
      expect(stack.sim.stats().voiceTokensByAccount[own.accountId]).toBe(1);
      stack.sim.setBehaviour(own.accountId, { fail: '429', clearsIn: 40 });
      const limited = await livekit('', own.accessToken);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('40');
      expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
    });

    it('applies user limits under the model name voice', async () => {
      await admin('/admin/v1/users', { name: 'caller', limits: [{ model_name: 'voice', every_minute: 60, limit_count: 1 }] });
      const key = (await admin('/admin/v1/keys', { user: 'caller' })).key as string;
      expect((await livekit('', key)).status).toBe(200);
      const refused = await livekit('', key);
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('usage_limit_exceeded');
    });

    it('refuses an unknown voice and a missing credential', async () => {
      const bad = await livekit('?voice=nobody');
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('voice');
      expect((await fetch(`${stack.gatewayUrl}/api/livekit`)).status).toBe(401);
    });

    it('with VOICE_PROXY_URL, replaces the host of the room url', async () => {
      await stack.restartVoice({ SPEECH_PIECE_CHARS: PIECE_CHARS, VOICE_PROXY_URL: 'voice-proxy.example.com:8443' });
      try {
        const room = (await (await livekit()).json()) as { url: string };
        expect(room.url).toBe('wss://voice-proxy.example.com:8443');
      } finally {
        await stack.restartVoice();
      }
    });
  });

  it('answers 503 at once when no voice service runs, and gives the limit slot back', async () => {
    await admin('/admin/v1/users', { name: 'early', limits: [{ model_name: 'tts-1', every_minute: 60, limit_count: 1 }, { model_name: 'voice', every_minute: 60, limit_count: 1 }] });
    const key = (await admin('/admin/v1/keys', { user: 'early' })).key as string;
    await stack.stopVoice();
    try {
      const speechStatus = async () => {
        const err = (await speak({}, stack.client(key)).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
        return { status: err.status, code: (err.error as { code?: string }).code };
      };
      const began = Date.now();
      expect(await speechStatus()).toEqual({ status: 503, code: 'worker_unavailable' });
      expect(Date.now() - began).toBeLessThan(1000);
      expect((await livekit('', key)).status).toBe(503);
      // The slots come back over the bus: the next tries meet 503 again, not the user's limit (429).
      await waitFor(async () => (await speechStatus()).status === 503, 'the speech slot to come back', 5000, 100);
      await waitFor(async () => (await livekit('', key)).status === 503, 'the room slot to come back', 5000, 100);
    } finally {
      await stack.restartVoice();
    }
    // Served again once the voice service is back (a 429 here would mean a slot was never returned).
    await waitFor(async () => (await speak({}, stack.client(key)).catch(() => null))?.status === 200, 'speech to be served again', 5000, 100);
    await waitFor(async () => (await livekit('', key)).status === 200, 'a room to be served again', 5000, 100);
  });

  it('serves both routes under API_PREFIX', async () => {
    const prefixed = await startGateway(parseConfig(gatewayEnv, testEnv({ API_PREFIX: '/mirror/' })));
    try {
      const room = await livekit('', POOL_CODE, `${prefixed.url}/mirror`);
      expect(room.status).toBe(200);
      const speech = new OpenAI({ apiKey: POOL_CODE, baseURL: `${prefixed.url}/mirror/v1`, maxRetries: 0 });
      const res = await speak({ response_format: 'aac' }, speech);
      expect(audioText(Buffer.from(await res.arrayBuffer()), 'aac')).toBe('Hello there. This is a test.');
      expect((await livekit('', POOL_CODE, prefixed.url)).status).toBe(404);
    } finally {
      await prefixed.close();
    }
  });
});
