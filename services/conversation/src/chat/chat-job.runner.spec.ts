import { describe, expect, it } from '@jest/globals';
import type { ChatFrame, ChatJob } from '@chatgate/contracts';
import type { AccountLeaseClient } from '@chatgate/service-kit';
import type { ChatGptClient } from '../shared/upstream/chatgpt.client.js';
import { ModelTable } from '@chatgate/contracts';
import { DELTA_MAX_CHARS, piecesOf, runChatJob, type JobContext } from './chat-job.runner.js';

const CONV = 'conv-1';
const answer = (text: string, status = 'in_progress') =>
  `data: ${JSON.stringify({ message: { id: 'ans-1', author: { role: 'assistant' }, recipient: 'all', content: { content_type: 'text', parts: [text] }, status, metadata: {} }, conversation_id: CONV, error: null })}\n\n`;

/** A legacy-encoded upstream reply, one network chunk per event. */
function upstream(events: string[]): ChatGptClient {
  const body = Object.assign(
    (async function* () {
      for (const e of events) yield new TextEncoder().encode(e);
    })(),
    { destroy: () => undefined },
  );
  return { openConversation: async () => ({ ok: true, body }) } as unknown as ChatGptClient;
}

async function run(events: string[], job: Partial<ChatJob> = {}): Promise<ChatFrame[]> {
  const frames: ChatFrame[] = [];
  const ctx: JobContext = {
    job: {
      requestId: 'r', model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true, historyDisabled: false,
      upstream: { kind: 'chatgpt_access_token', accessToken: 't' }, tenantId: 't', credentialId: 'c', userId: null, userName: null, ...job,
    },
    abort: new AbortController(),
    account: null,
    send: (f) => frames.push(f),
    drained: async () => undefined,
  };
  await runChatJob(ctx, { client: upstream(events), models: new ModelTable('auto'), leases: {} as AccountLeaseClient, v1Encoding: false, retryTimes: 1 });
  return frames;
}

const text = (frames: ChatFrame[]) => frames.map((f) => (f.t === 'delta' ? (f.content ?? '') : '')).join('');

describe('runChatJob', () => {
  it('ends a blocked reply with the moderation message and content_filter', async () => {
    const moderation = `data: ${JSON.stringify({ type: 'moderation', moderation_response: { blocked: true, message: 'This content may violate our policies.' }, conversation_id: CONV })}\n\n`;
    const frames = await run([answer('Hello'), moderation, answer('Hello', 'finished_successfully'), 'data: [DONE]\n\n']);
    expect(text(frames)).toBe('Hello\n\nThis content may violate our policies.');
    expect(frames[frames.length - 1]).toMatchObject({ t: 'end', finishReason: 'content_filter' });
  });

  it('puts the ids on the first delta only, and never for a temporary chat', async () => {
    const events = [answer('He'), answer('Hello'), answer('Hello', 'finished_successfully'), 'data: [DONE]\n\n'];
    const on = await run(events);
    expect(on[0]).toEqual({ t: 'delta', content: 'He', conversationId: CONV, messageId: 'ans-1' });
    expect(on[1]).toEqual({ t: 'delta', content: 'llo' });
    const off = await run(events, { historyDisabled: true });
    expect(off.some((f) => f.t === 'delta' && ('conversationId' in f || 'messageId' in f))).toBe(false);
  });

  it('sends a non-streamed answer larger than one NATS message as several deltas that add up to it', async () => {
    const long = `${'All work and no play. “quoted” 🙂\n'.repeat(40_000)}end`;
    const frames = await run([answer(long.slice(0, 1000)), answer(long), answer(long, 'finished_successfully'), 'data: [DONE]\n\n'], { stream: false });
    const deltas = frames.filter((f) => f.t === 'delta');
    expect(deltas.length).toBeGreaterThan(10);
    for (const f of deltas) expect(Buffer.byteLength(JSON.stringify(f))).toBeLessThan(1024 * 1024);
    expect(text(frames)).toBe(long);
    expect(deltas[0]).toMatchObject({ conversationId: CONV, messageId: 'ans-1' });
    expect(frames[frames.length - 1]).toMatchObject({ t: 'end', finishReason: 'stop' });
  });

  it('never cuts a surrogate pair in two', () => {
    const text = `${'a'.repeat(DELTA_MAX_CHARS - 1)}🙂b`;
    const pieces = piecesOf(text);
    expect(pieces.join('')).toBe(text);
    expect(pieces[0]).toHaveLength(DELTA_MAX_CHARS - 1);
    expect(pieces[1].startsWith('🙂')).toBe(true);
  });
});
