import { describe, expect, it } from '@jest/globals';
import type { BusError, ChatFrame, ChatJob } from '@chatgate/contracts';
import type { AccountLeaseClient } from '@chatgate/service-kit';
import type { ChatGptClient } from '../shared/upstream/chatgpt.client.js';
import { ModelTable } from '@chatgate/contracts';
import { runChatJob, type ConversationHooks, type FinishedAnswer, type JobContext } from './chat-job.runner.js';

const CONV = 'conv-9';
const reply = (text: string, status: string) =>
  `data: ${JSON.stringify({ message: { id: 'ans-9', author: { role: 'assistant' }, recipient: 'all', content: { content_type: 'text', parts: [text] }, status, metadata: {} }, conversation_id: CONV, error: null })}\n\n`;
const TITLE = `data: ${JSON.stringify({ type: 'title_generation', title: 'A title', conversation_id: CONV })}\n\n`;
const OK_REPLY = [reply('Sure', 'in_progress'), reply('Sure.', 'finished_successfully'), TITLE, 'data: [DONE]\n\n'];

type Answer = { ok: true; events: string[] } | { ok: false; failure: BusError };

/** An upstream that answers each request in turn and remembers every body it was sent. */
function upstream(answers: Answer[]) {
  const bodies: Array<Record<string, unknown>> = [];
  const client = {
    openConversation: async (_identity: unknown, body: Record<string, unknown>) => {
      bodies.push(body);
      const next = answers.shift()!;
      if (!next.ok) return next;
      const stream = Object.assign(
        (async function* () {
          for (const e of next.events) yield new TextEncoder().encode(e);
        })(),
        { destroy: () => undefined },
      );
      return { ok: true, body: stream };
    },
  } as unknown as ChatGptClient;
  return { client, bodies };
}

const job: ChatJob = {
  requestId: 'r', model: 'gpt-4o', stream: false, historyDisabled: false,
  messages: [{ role: 'user', content: 'one' }, { role: 'assistant', content: 'two' }, { role: 'user', content: 'three' }],
  upstream: { kind: 'chatgpt_access_token', accessToken: 't' }, tenantId: 't', credentialId: 'c', userId: null, userName: null,
};

async function run(answers: Answer[], hooks: ConversationHooks, overrides: Partial<ChatJob> = {}, order: string[] = []) {
  const frames: ChatFrame[] = [];
  const send = (f: ChatFrame) => {
    frames.push(f);
    order.push(f.t);
  };
  const ctx: JobContext = { job: { ...job, ...overrides }, abort: new AbortController(), account: null, send, drained: async () => undefined };
  const { client, bodies } = upstream(answers);
  await runChatJob(ctx, { client, models: new ModelTable('auto'), leases: {} as AccountLeaseClient, v1Encoding: false, retryTimes: 1, conversations: hooks });
  return { frames, bodies };
}

function hooks(continuation: { conversationId: string; parentMessageId: string; accountId: null } | null) {
  const finished: FinishedAnswer[] = [];
  const order: string[] = [];
  const value: ConversationHooks = {
    continuation: async () => continuation,
    finished: (_job, answer) => {
      finished.push(answer);
      order.push('recorded');
    },
  };
  return { value, finished, order };
}

const texts = (body: Record<string, unknown>) => (body.messages as Array<{ content: { parts: string[] } }>).map((m) => m.content.parts[0]);

describe('runChatJob with conversation records', () => {
  it('sends only the newest message into the continued conversation, and records the answer after the end frame', async () => {
    const h = hooks({ conversationId: 'old-conv', parentMessageId: 'old-answer', accountId: null });
    const { frames, bodies } = await run([{ ok: true, events: OK_REPLY }], h.value, {}, h.order);
    expect(bodies).toHaveLength(1);
    expect(h.order).toEqual(['delta', 'end', 'recorded']);
    expect(bodies[0]).toMatchObject({ conversation_id: 'old-conv', parent_message_id: 'old-answer' });
    expect(texts(bodies[0])).toEqual(['three']);
    expect(h.finished).toEqual([{ conversationId: CONV, messageId: 'ans-9', answer: 'Sure.', title: 'A title', accountId: null }]);
    expect(frames[frames.length - 1]).toMatchObject({ t: 'end', conversationId: CONV });
  });

  it('falls back to the whole history when the continuation fails before its first byte', async () => {
    const gone: BusError = { status: 404, error: { message: 'Conversation not found', type: 'invalid_request_error', param: null, code: null } };
    const h = hooks({ conversationId: 'old-conv', parentMessageId: 'old-answer', accountId: null });
    const { frames, bodies } = await run([{ ok: false, failure: gone }, { ok: true, events: OK_REPLY }], h.value);
    expect(bodies).toHaveLength(2);
    expect(bodies[1].conversation_id).toBeUndefined();
    expect(bodies[1].parent_message_id).toBe('client-created-root');
    expect(texts(bodies[1])).toEqual(['one', 'two', 'three']);
    expect(frames.filter((f) => f.t === 'error')).toEqual([]);
    expect(h.finished).toHaveLength(1);
  });

  it("ends a refused job with the refusal and never calls the upstream", async () => {
    const refused: BusError = { status: 404, error: { message: "No conversation found with id 'x'.", type: 'invalid_request_error', param: null, code: 'conversation_not_found' } };
    const value: ConversationHooks = { continuation: async () => ({ refused }), finished: () => undefined };
    const { frames, bodies } = await run([], value, { conversationId: 'x' });
    expect(bodies).toEqual([]);
    expect(frames).toEqual([{ t: 'error', ...refused }]);
  });

  it('neither looks up nor records a temporary chat', async () => {
    let asked = false;
    const finished: FinishedAnswer[] = [];
    const value: ConversationHooks = {
      continuation: async () => {
        asked = true;
        return null;
      },
      finished: (_j, a) => void finished.push(a),
    };
    const { bodies } = await run([{ ok: true, events: OK_REPLY }], value, { historyDisabled: true });
    expect(asked).toBe(false);
    expect(finished).toEqual([]);
    expect(texts(bodies[0])).toEqual(['one', 'two', 'three']);
  });
});
