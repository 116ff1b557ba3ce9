import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { startSimulator, type Simulator, type SimAccount } from '../src/index.js';
import type { Loose } from './support.js';

/** Conversation trees per account and the management endpoints of reference §5. */
describe('conversations', () => {
  let sim: Simulator;
  let owner: SimAccount;
  let other: SimAccount;

  beforeAll(async () => {
    sim = await startSimulator();
    owner = sim.issueAccount({ plan: 'plus' });
    other = sim.issueAccount({ plan: 'plus' });
  });
  afterAll(() => sim.close());

  const call = async (token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Loose }> => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };
  /** Sends messages and reads the stream to its end; answers the conversation and answer ids. */
  const send = async (token: string, messages: Array<{ id: string; role: string; text: string }>, extra: Record<string, unknown> = {}) => {
    const res = await fetch(`${sim.url}/backend-api/conversation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        action: 'next',
        messages: messages.map((m) => ({ id: m.id, author: { role: m.role }, content: { content_type: 'text', parts: [m.text] }, metadata: {} })),
        parent_message_id: 'client-created-root',
        model: 'gpt-4o',
        ...extra,
      }),
    });
    const text = await res.text();
    if (res.status !== 200) return { status: res.status, conversationId: null, answerId: null };
    const conversationId = /"conversation_id": ?"([^"]+)"/.exec(text)?.[1] ?? null;
    const answerId = [...text.matchAll(/"id": ?"([^"]+)", ?"author": ?\{"role": ?"assistant"/g)].at(-1)?.[1] ?? null;
    return { status: res.status, conversationId, answerId };
  };

  it('keeps a tree the continuation extends, and shows it to the owning account only', async () => {
    const first = await send(owner.accessToken, [{ id: 'u1', role: 'system', text: 'rules' }, { id: 'u2', role: 'user', text: 'first question here' }]);
    expect(first.status).toBe(200);
    const id = first.conversationId!;
    const tree = await call(owner.accessToken, 'GET', `/backend-api/conversation/${id}`);
    expect(tree.status).toBe(200);
    expect(tree.json.title).toBe('first question here');
    const answerId = tree.json.current_node as string;
    expect(tree.json.mapping[answerId].parent).toBe('u2');
    expect(tree.json.mapping.u2.parent).toBe('u1');
    expect(tree.json.mapping.u1.parent).toBe('client-created-root');

    const second = await send(owner.accessToken, [{ id: 'u3', role: 'user', text: 'second' }], { conversation_id: id, parent_message_id: answerId });
    expect(second.conversationId).toBe(id);
    expect(sim.stats().lastConversationMessages).toEqual([{ role: 'user', text: 'second' }]);
    const grown = await call(owner.accessToken, 'GET', `/backend-api/conversation/${id}`);
    expect(grown.json.mapping.u3.parent).toBe(answerId);
    expect(grown.json.mapping[grown.json.current_node].parent).toBe('u3');

    // Another account: neither continue nor read it.
    expect((await send(other.accessToken, [{ id: 'x', role: 'user', text: 'hijack' }], { conversation_id: id, parent_message_id: answerId })).status).toBe(404);
    expect((await call(other.accessToken, 'GET', `/backend-api/conversation/${id}`)).status).toBe(404);
    expect((await call(other.accessToken, 'PATCH', `/backend-api/conversation/${id}`, { title: 'mine' })).status).toBe(404);
    // A parent outside the tree is refused.
    expect((await send(owner.accessToken, [{ id: 'y', role: 'user', text: 'lost' }], { conversation_id: id, parent_message_id: 'nowhere' })).status).toBe(400);
  });

  it('lists, renames, titles, rates and hides per account; temporary chats are not kept', async () => {
    const token = sim.issueAccount({ plan: 'plus' }).accessToken;
    const a = await send(token, [{ id: 'a1', role: 'user', text: 'alpha topic' }]);
    const b = await send(token, [{ id: 'b1', role: 'user', text: 'beta topic' }]);
    await send(token, [{ id: 't1', role: 'user', text: 'temporary' }], { history_and_training_disabled: true });

    const list = await call(token, 'GET', '/backend-api/conversations?offset=0&limit=28&order=updated');
    expect(list.json).toMatchObject({ total: 2, limit: 28, offset: 0, has_missing_conversations: false });
    expect(list.json.items.map((i: Loose) => i.id)).toEqual([b.conversationId, a.conversationId]);
    expect((await call(token, 'GET', '/backend-api/conversations?limit=101')).status).toBe(422);

    expect(await call(token, 'PATCH', `/backend-api/conversation/${a.conversationId}`, { title: 'Renamed' })).toEqual({ status: 200, json: { success: true } });
    expect((await call(token, 'GET', `/backend-api/conversation/${a.conversationId}`)).json.title).toBe('Renamed');
    expect(await call(token, 'POST', `/backend-api/conversation/gen_title/${a.conversationId}`, { message_id: a.answerId })).toEqual({ status: 200, json: { title: 'alpha topic (titled)' } });
    expect((await call(token, 'POST', `/backend-api/conversation/gen_title/${a.conversationId}`, { message_id: 'nope' })).status).toBe(400);

    const rated = await call(token, 'POST', '/backend-api/conversation/message_feedback', { message_id: a.answerId, conversation_id: a.conversationId, rating: 'thumbsDown' });
    expect(rated.json).toMatchObject({ message_id: a.answerId, rating: 'thumbsDown' });
    expect(sim.stats().messageFeedback[a.answerId!]).toBe('thumbsDown');
    expect((await call(token, 'POST', '/backend-api/conversation/message_feedback', { message_id: a.answerId, conversation_id: a.conversationId, rating: 'meh' })).status).toBe(422);

    expect((await call(token, 'PATCH', `/backend-api/conversation/${a.conversationId}`, { is_visible: false })).status).toBe(200);
    expect((await call(token, 'GET', `/backend-api/conversation/${a.conversationId}`)).status).toBe(404);
    expect((await call(token, 'GET', '/backend-api/conversations')).json.total).toBe(1);
    expect((await call(token, 'PATCH', '/backend-api/conversations', { is_visible: false })).status).toBe(200);
    expect((await call(token, 'GET', '/backend-api/conversations')).json).toMatchObject({ items: [], total: 0 });
  });

  it('fails management calls of an account set to fail with 401 or 403, but not with a message cap', async () => {
    const account = sim.issueAccount({ plan: 'plus' });
    sim.setBehaviour(account.accountId, { fail: '429', times: 1 });
    expect((await call(account.accessToken, 'GET', '/backend-api/conversations')).status).toBe(200);
    sim.setBehaviour(account.accountId, { fail: '403', times: 1 });
    expect((await call(account.accessToken, 'GET', '/backend-api/conversations')).status).toBe(403);
    expect((await call(account.accessToken, 'GET', '/backend-api/conversations')).status).toBe(200);
  });
});
