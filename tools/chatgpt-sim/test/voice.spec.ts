import { describe, it, expect, beforeAll, afterAll, beforeEach } from '@jest/globals';
import { startSimulator, type Simulator, type SimAccount } from '../src/index.js';

// Ogg's CRC-32 written again here (polynomial 0x04C11DB7, unreflected), so a page the simulator
// checksums wrongly shows.
function oggCrc(page: Buffer): number {
  let crc = 0;
  for (const byte of page) {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    crc >>>= 0;
  }
  return crc;
}

describe('voice endpoints', () => {
  let sim: Simulator;
  let account: SimAccount;
  let other: SimAccount;

  beforeAll(async () => {
    sim = await startSimulator();
    account = sim.issueAccount({ plan: 'plus' });
    other = sim.issueAccount({ plan: 'plus' });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.resetStats();
    sim.setSpeechPacing({ packetDelayMs: 0, cutAfterPackets: null });
  });

  const auth = (token = account.accessToken) => ({ authorization: `Bearer ${token}` });

  /** Posts `text` as an assistant message (as a TTS client does) and returns the conversation id the stream names. */
  async function saveAssistantMessage(text: string, opts: { temporary?: boolean; token?: string; role?: string } = {}): Promise<{ conversationId: string; messageId: string }> {
    const messageId = `msg-${Math.random().toString(36).slice(2)}`;
    const res = await fetch(`${sim.url}/backend-api/conversation`, {
      method: 'POST',
      headers: { ...auth(opts.token), 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        action: 'next',
        messages: [{ id: messageId, author: { role: opts.role ?? 'assistant' }, content: { content_type: 'text', parts: [text] }, metadata: {} }],
        parent_message_id: 'client-created-root',
        model: 'auto',
        history_and_training_disabled: opts.temporary === true,
      }),
    });
    const raw = await res.text();
    const conversationId = /"conversation_id": ?"([^"]+)"/.exec(raw)?.[1];
    if (!conversationId) throw new Error('no conversation id in the stream');
    // The reply names the posted message as its parent.
    expect(raw).toContain(messageId);
    return { conversationId, messageId };
  }

  const synthesize = (q: Record<string, string>, token?: string) =>
    fetch(`${sim.url}/backend-api/synthesize?${new URLSearchParams(q)}`, { headers: auth(token) });

  it.each([
    ['aac', 'audio/aac'],
    ['mp3', 'audio/mpeg'],
    ['opus', 'audio/ogg'],
  ])('reads a saved assistant message aloud as %s (%s)', async (format, contentType) => {
    const text = 'A short message, read aloud in several packets of audio.';
    const { conversationId, messageId } = await saveAssistantMessage(text);
    const res = await synthesize({ message_id: messageId, conversation_id: conversationId, voice: 'ember', format });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(contentType);
    const audio = Buffer.from(await res.arrayBuffer());
    if (format === 'aac') {
      expect([audio[0], audio[1]]).toEqual([0xff, 0xf1]);
      const frameLength = ((audio[3] & 3) << 11) | (audio[4] << 3) | (audio[5] >> 5);
      expect(audio.subarray(7, frameLength).toString('utf8')).toBe(text.slice(0, frameLength - 7));
    } else if (format === 'mp3') {
      expect(audio.subarray(0, 3).toString('latin1')).toBe('ID3');
      expect([audio[10], audio[11] & 0xe0]).toEqual([0xff, 0xe0]);
    } else {
      // Every page: magic, a correct checksum; the first is the Opus head, flagged as the start.
      let at = 0;
      let pages = 0;
      while (at < audio.length) {
        expect(audio.subarray(at, at + 4).toString('latin1')).toBe('OggS');
        const segments = audio[at + 26];
        let size = 0;
        for (let s = 0; s < segments; s++) size += audio[at + 27 + s];
        const page = Buffer.from(audio.subarray(at, at + 27 + segments + size));
        const stored = page.readUInt32LE(22);
        page.writeUInt32LE(0, 22);
        expect(oggCrc(page)).toBe(stored);
        if (pages === 0) expect([page[5], page.subarray(28, 36).toString('latin1')]).toEqual([0x02, 'OpusHead']);
        at += page.length;
        pages++;
      }
      expect(pages).toBeGreaterThan(3);
    }
    expect(sim.stats()).toMatchObject({ synthesizeRequests: 1, synthesizeByVoice: { ember: 1 }, synthesizeByFormat: { [format]: 1 } });
  });

  it('refuses what it cannot read: unknown voice or format, missing ids, another account, a temporary chat, a user message', async () => {
    const saved = await saveAssistantMessage('Saved.');
    const q = { message_id: saved.messageId, conversation_id: saved.conversationId, voice: 'cove', format: 'aac' };
    expect((await synthesize({ ...q, voice: 'alloy' })).status).toBe(400);
    expect((await synthesize({ ...q, format: 'wav' })).status).toBe(400);
    expect((await synthesize({ voice: 'cove' })).status).toBe(400);
    expect((await synthesize(q, other.accessToken)).status).toBe(404);
    expect((await synthesize({ ...q, message_id: 'nope' })).status).toBe(404);
    const temporary = await saveAssistantMessage('Not saved.', { temporary: true });
    expect((await synthesize({ ...q, ...temporary, message_id: temporary.messageId, conversation_id: temporary.conversationId })).status).toBe(404);
    const user = await saveAssistantMessage('Said by the user.', { role: 'user' });
    expect((await synthesize({ ...q, message_id: user.messageId, conversation_id: user.conversationId })).status).toBe(404);
    expect((await fetch(`${sim.url}/backend-api/synthesize?${new URLSearchParams(q)}`)).status).toBe(401);
  });

  it('paces packets in slow mode and can cut a clip in the middle', async () => {
    const { conversationId, messageId } = await saveAssistantMessage('x'.repeat(48 * 6));
    sim.setSpeechPacing({ packetDelayMs: 40 });
    const began = Date.now();
    const res = await synthesize({ message_id: messageId, conversation_id: conversationId, voice: 'cove', format: 'aac' });
    await res.arrayBuffer();
    expect(Date.now() - began).toBeGreaterThanOrEqual(5 * 40);

    sim.setSpeechPacing({ packetDelayMs: 0, cutAfterPackets: 2 });
    const cut = await synthesize({ message_id: messageId, conversation_id: conversationId, voice: 'cove', format: 'aac' });
    expect(cut.status).toBe(200);
    await expect(cut.arrayBuffer()).rejects.toThrow();
  });

  it('takes the pacing over HTTP for a separately running simulator, and reset clears it', async () => {
    const set = (body: unknown) => fetch(`${sim.url}/_sim/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(await (await set({ packetDelayMs: 25, cutAfterPackets: 3 })).json()).toEqual({ ok: true, speech: { packetDelayMs: 25, cutAfterPackets: 3 } });
    expect(await (await set({ cutAfterPackets: null })).json()).toEqual({ ok: true, speech: { packetDelayMs: 25, cutAfterPackets: null } });
    expect((await set({ packetDelayMs: -1 })).status).toBe(400);
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' });
    expect(await (await set({})).json()).toEqual({ ok: true, speech: { packetDelayMs: 0, cutAfterPackets: null } });
  });

  it('hides a conversation with PATCH is_visible:false, only the owner', async () => {
    const { conversationId } = await saveAssistantMessage('Hide me.');
    const patch = (token: string, id = conversationId) =>
      fetch(`${sim.url}/backend-api/conversation/${id}`, { method: 'PATCH', headers: { ...auth(token), 'content-type': 'application/json' }, body: JSON.stringify({ is_visible: false }) });
    expect((await patch(other.accessToken)).status).toBe(404);
    expect((await patch(account.accessToken, 'unknown')).status).toBe(404);
    const res = await patch(account.accessToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true });
    expect(sim.stats().hiddenConversations).toBe(1);
  });

  it('hands out a LiveKit room for voice chat, honouring injected failures', async () => {
    const ask = (body: unknown) => fetch(`${sim.url}/voice/get_token`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const res = await ask({ voice: 'maple', voice_mode: 'standard', model_slug: 'auto' });
    expect(res.status).toBe(200);
    const room = (await res.json()) as { url: string; token: string; e2ee_key: string };
    expect(room.url).toMatch(/^wss:\/\//);
    expect(room.token.split('.')).toHaveLength(3);
    expect(Buffer.from(room.e2ee_key, 'base64')).toHaveLength(32);
    expect(sim.stats().lastVoiceTokenRequest).toMatchObject({ voice: 'maple' });
    expect((await ask({ voice: 'alloy' })).status).toBe(400);
    sim.setBehaviour(account.accountId, { fail: '429', times: 1, clearsIn: 7 });
    const limited = await ask({ voice: 'cove' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await ask({ voice: 'cove' })).status).toBe(200);
  });
});
