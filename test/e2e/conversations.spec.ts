import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type OpenAI from 'openai';
import { AccountsService } from '@chatgate/auth';
import { replyFor, type SimAccount } from '@chatgate/chatgpt-sim';
import { waitFor, type LooseJson } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const PASSWORD = 'admin-password-for-conversation-tests-8c1';
const POOL_CODE = 'pool-code-for-conversation-tests-51d';

type Completion = OpenAI.Chat.Completions.ChatCompletion & { conversation_id?: string; message_id?: string };
type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk & { conversation_id?: string; message_id?: string };
type Message = { role: 'system' | 'user' | 'assistant'; content: string };

/**
 * Conversation records through the whole path: automatic continuation (the client sends its whole
 * history, the upstream receives only the new message, on the account holding the conversation),
 * the fallback when that account is gone, and the management endpoints scoped per user.
 */
describe('conversations', () => {
  let stack: Stack;
  let db: pg.Client;
  /** chatgate's account id → the simulator's account (whose id keys the simulator's stats). */
  const pool = new Map<string, SimAccount>();
  const keys: Record<string, string> = {};

  const admin = async (method: string, path: string, body?: unknown): Promise<LooseJson> => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${PASSWORD}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBeLessThan(300);
    return res.json();
  };
  const call = async (key: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: LooseJson }> => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };
  /** The simulator itself, as the account holder would see it (plain fetch with the account's token). */
  const upstream = async (account: SimAccount, path: string) => {
    const res = await fetch(`${stack.sim.url}${path}`, { headers: { authorization: `Bearer ${account.accessToken}` } });
    return { status: res.status, json: (await res.json()) as LooseJson };
  };
  const ask = async (key: string, messages: Message[], extra: Record<string, unknown> = {}): Promise<Completion> =>
    (await stack.client(key).chat.completions.create({ model: 'gpt-4o', messages, ...extra } as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming)) as Completion;
  const askStream = async (key: string, messages: Message[]): Promise<{ content: string; chunks: Chunk[] }> => {
    const stream = await stack.client(key).chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    const chunks: Chunk[] = [];
    for await (const chunk of stream) chunks.push(chunk as Chunk);
    return { content: chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), chunks };
  };
  /** Which simulator account served the requests made since the last resetStats(). */
  const servedBy = () => Object.entries(stack.sim.stats().byAccount).filter(([, n]) => n > 0);
  /** The records of a conversation, once written (the worker writes them just after the reply). */
  const recordOf = (conversationId: string): Promise<LooseJson[]> =>
    waitFor(async () => {
      const { rows } = await db.query('SELECT * FROM conversation.conversations WHERE conversation_id = $1', [conversationId]);
      // An empty list is falsy here, so waitFor keeps polling until the record is written.
      return (rows.length > 0 ? rows : null) as LooseJson[];
    }, `the record of ${conversationId}`);

  beforeAll(async () => {
    // Round robin: without pinning, consecutive requests would land on different accounts.
    stack = await startStack({ auth: { RANDOM_TOKEN: false, AUTHORIZATION: POOL_CODE }, gateway: { ADMIN_PASSWORD: PASSWORD } });
    let tenantId: string;
    ({ db, tenantId } = await connectStackDatabase(stack));
    for (let i = 0; i < 2; i++) {
      const account = stack.sim.issueAccount({ plan: 'plus' });
      const entered = await stack.auth.app.get(AccountsService).enter(tenantId, account.accessToken);
      pool.set(entered.accountId, account);
    }
    for (const [name, isolated] of [['alice', true], ['bob', true], ['carol', false], ['dan', false]] as const) {
      await admin('POST', '/admin/v1/users', { name, isolated_session: isolated });
      keys[name] = (await admin('POST', '/admin/v1/keys', { user: name })).key as string;
    }
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await stack?.close();
  });
  beforeEach(() => stack.sim.resetStats());

  describe('automatic continuation', () => {
    it('continues over three turns, sending only the new message upstream, on the same account', async () => {
      const history: Message[] = [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'first turn of a long talk' },
      ];
      const first = await ask(keys.alice, history);
      expect(stack.sim.stats().lastConversationMessages).toEqual([
        { role: 'system', text: 'You are terse.' },
        { role: 'user', text: 'first turn of a long talk' },
      ]);
      const [[account]] = servedBy();
      history.push({ role: 'assistant', content: first.choices[0].message.content! }, { role: 'user', content: 'second turn' });

      stack.sim.resetStats();
      const second = await askStream(keys.alice, history);
      expect(second.content).toBe(replyFor('second turn').text);
      let stats = stack.sim.stats();
      expect(stats.conversationRequests).toBe(1);
      expect(stats.lastConversation).toMatchObject({ messages: 1, conversationId: first.conversation_id, parentMessageId: first.message_id, historyDisabled: false });
      expect(stats.lastConversationMessages).toEqual([{ role: 'user', text: 'second turn' }]);
      expect(servedBy()).toEqual([[account, 1]]);
      expect(second.chunks[0].conversation_id).toBe(first.conversation_id);
      const secondMessageId = second.chunks[0].message_id;
      expect(secondMessageId).not.toBe(first.message_id);
      // A client that trims and re-encodes line endings still matches.
      history.push({ role: 'assistant', content: `${second.content}\r\n` }, { role: 'user', content: 'third turn' });

      stack.sim.resetStats();
      const third = await ask(keys.alice, history);
      expect(third.choices[0].message.content).toBe(replyFor('third turn').text);
      stats = stack.sim.stats();
      expect(stats.lastConversation).toMatchObject({ messages: 1, conversationId: first.conversation_id, parentMessageId: secondMessageId, historyDisabled: false });
      expect(stats.lastConversationMessages).toEqual([{ role: 'user', text: 'third turn' }]);
      expect(servedBy()).toEqual([[account, 1]]);
      expect(third.conversation_id).toBe(first.conversation_id);

      // The upstream's tree holds the whole talk on one branch.
      const sim = pool.get((await recordOf(first.conversation_id!))[0].account_id)!;
      expect(sim.accountId).toBe(account);
      const tree = await upstream(sim, `/backend-api/conversation/${first.conversation_id}`);
      expect(tree.status).toBe(200);
      const texts: string[] = [];
      for (let node = tree.json.mapping[tree.json.current_node]; node?.message; node = tree.json.mapping[node.parent]) texts.unshift(node.message.content.parts[0]);
      expect(texts).toEqual(history.map((m) => m.content.trim()).concat(third.choices[0].message.content!));
    });

    it('records the title on one line, without control characters (the simulator titles a conversation with its first words)', async () => {
      // (A NUL is refused at the gateway: a client's text never brings one here.)
      const opening = 'a\u001b[31m hostile\nopening\u0007';
      const first = await ask(keys.alice, [{ role: 'user', content: opening }]);
      const [record] = await recordOf(first.conversation_id!);
      expect(record.title).toBe('a [31m hostile opening');
      stack.sim.resetStats();
      await ask(keys.alice, [
        { role: 'user', content: opening },
        { role: 'assistant', content: first.choices[0].message.content! },
        { role: 'user', content: 'and then?' },
      ]);
      expect(stack.sim.stats().lastConversation).toMatchObject({ messages: 1, conversationId: first.conversation_id });
    });

    it('sends the whole history when the history differs from every recorded conversation', async () => {
      const first = await ask(keys.alice, [{ role: 'user', content: 'an unrelated start' }]);
      stack.sim.resetStats();
      await ask(keys.alice, [
        { role: 'user', content: 'an unrelated start' },
        { role: 'assistant', content: `${first.choices[0].message.content} (edited by the user)` },
        { role: 'user', content: 'next' },
      ]);
      expect(stack.sim.stats().lastConversation).toMatchObject({ messages: 3, conversationId: null, parentMessageId: 'client-created-root' });
    });

    it("never continues another user's conversation, even with the same history", async () => {
      const history: Message[] = [{ role: 'user', content: 'shared opening line' }];
      const alices = await ask(keys.alice, history);
      stack.sim.resetStats();
      const bobs = await ask(keys.bob, [...history, { role: 'assistant', content: alices.choices[0].message.content! }, { role: 'user', content: 'go on' }]);
      expect(stack.sim.stats().lastConversation).toMatchObject({ messages: 3, conversationId: null });
      expect(bobs.conversation_id).not.toBe(alices.conversation_id);
    });

    it('falls back to the whole history on another account when the account holding it is disabled', async () => {
      const history: Message[] = [{ role: 'user', content: 'before the account goes away' }];
      const first = await ask(keys.alice, history);
      const [record] = await recordOf(first.conversation_id!);
      await admin('POST', `/admin/v1/accounts/${record.account_id}/disable`);
      try {
        history.push({ role: 'assistant', content: first.choices[0].message.content! }, { role: 'user', content: 'after it went away' });
        stack.sim.resetStats();
        const second = await ask(keys.alice, history);
        expect(second.choices[0].message.content).toBe(replyFor('after it went away').text);
        const stats = stack.sim.stats();
        expect(stats.conversationRequests).toBe(1);
        expect(stats.lastConversation).toMatchObject({ messages: 3, conversationId: null, parentMessageId: 'client-created-root' });
        expect(servedBy()).toEqual([[[...pool.values()].find((a) => a !== pool.get(record.account_id))!.accountId, 1]]);
        expect(second.conversation_id).not.toBe(first.conversation_id);

        // The new conversation is the one the next turn continues.
        history.push({ role: 'assistant', content: second.choices[0].message.content! }, { role: 'user', content: 'and once more' });
        stack.sim.resetStats();
        const third = await ask(keys.alice, history);
        expect(stack.sim.stats().lastConversation).toMatchObject({ messages: 1, conversationId: second.conversation_id, parentMessageId: second.message_id });
        expect(third.conversation_id).toBe(second.conversation_id);
      } finally {
        await admin('POST', `/admin/v1/accounts/${record.account_id}/enable`);
      }
    });

    it('records nothing for a temporary chat', async () => {
      // A management call waits for the user's record writes still in flight: the counts are settled.
      const count = async () => {
        await call(keys.alice, 'GET', '/chatgpt/conversations');
        return (await db.query('SELECT count(*)::int AS n FROM conversation.conversations')).rows[0].n as number;
      };
      const before = await count();
      const completion = await ask(keys.alice, [{ role: 'user', content: 'off the record' }], { hatd: true });
      expect(completion.choices[0].message.content).toBe(replyFor('off the record').text);
      expect(stack.sim.stats().lastConversation!.historyDisabled).toBe(true);
      expect(await count()).toBe(before);
      // The same request with history on is recorded: the count can move.
      await ask(keys.alice, [{ role: 'user', content: 'on the record' }]);
      expect(await count()).toBe(before + 1);
    });
  });

  describe('management endpoints', () => {
    let alices: Completion;
    let bobs: Completion;
    let dans: Completion;

    beforeAll(async () => {
      alices = await ask(keys.alice, [{ role: 'user', content: 'alice asks about gardens' }]);
      bobs = await ask(keys.bob, [{ role: 'user', content: 'bob asks about rivers' }]);
      dans = await ask(keys.dan, [{ role: 'user', content: 'dan asks about bridges' }]);
    });

    // Issue 12 (item 7): users who are not isolated shared every conversation of the tenant, isolated
    // users' included. Isolation now keeps an isolated user's conversations from everyone else; the
    // others still share theirs (carol sees dan's, not alice's or bob's).
    it('lists only the caller’s own conversations for isolated users; the others share the tenant’s that are not isolated', async () => {
      const aliceList = await call(keys.alice, 'GET', '/chatgpt/conversations?offset=0&limit=100');
      expect(aliceList.status).toBe(200);
      expect(aliceList.json).toMatchObject({ offset: 0, limit: 100, has_missing_conversations: false });
      const aliceIds = aliceList.json.items.map((i: { id: string }) => i.id);
      expect(aliceIds).toContain(alices.conversation_id);
      expect(aliceIds).not.toContain(bobs.conversation_id);
      expect(aliceList.json.total).toBe(aliceIds.length);
      expect(aliceList.json.items[0]).toEqual({ id: alices.conversation_id, title: 'alice asks about gardens', create_time: expect.any(Number), update_time: expect.any(Number) });

      const bobList = await call(keys.bob, 'GET', '/backend-api/conversations');
      const bobIds = bobList.json.items.map((i: { id: string }) => i.id);
      expect(bobIds).toContain(bobs.conversation_id);
      expect(bobIds).not.toContain(alices.conversation_id);

      const carolList = await call(keys.carol, 'GET', '/backend-api/conversations?limit=100');
      const carolIds = carolList.json.items.map((i: { id: string }) => i.id);
      expect(carolIds).toContain(dans.conversation_id);
      expect(carolIds).not.toContain(alices.conversation_id);
      expect(carolIds).not.toContain(bobs.conversation_id);

      const paged = await call(keys.alice, 'GET', '/chatgpt/conversations?offset=1&limit=1');
      expect(paged.json.items).toHaveLength(1);
      expect(paged.json.items[0].id).toBe(aliceIds[1]);
    });

    it("answers 404 for another user's conversation, whatever the call", async () => {
      const id = bobs.conversation_id!;
      const notFound = { error: { message: expect.stringContaining(id), type: 'invalid_request_error', param: null, code: 'conversation_not_found', request_id: expect.any(String) } };
      for (const prefix of ['/chatgpt', '/backend-api']) {
        expect(await call(keys.alice, 'GET', `${prefix}/conversation/${id}`)).toEqual({ status: 404, json: notFound });
        expect(await call(keys.alice, 'PATCH', `${prefix}/conversation/${id}`, { title: 'stolen' })).toEqual({ status: 404, json: notFound });
        expect(await call(keys.alice, 'PATCH', `${prefix}/conversation/${id}`, { is_visible: false })).toEqual({ status: 404, json: notFound });
        expect(await call(keys.alice, 'POST', `${prefix}/conversation/gen_title/${id}`, { message_id: bobs.message_id })).toEqual({ status: 404, json: notFound });
        expect(await call(keys.alice, 'POST', `${prefix}/conversation/message_feedback`, { message_id: bobs.message_id, conversation_id: id, rating: 'thumbsDown' })).toEqual({ status: 404, json: notFound });
      }
      // Untouched: bob still sees it with its title, and nothing was rated.
      const bobView = await call(keys.bob, 'GET', `/backend-api/conversation/${id}`);
      expect(bobView.status).toBe(200);
      expect(bobView.json.title).not.toBe('stolen');
      expect(stack.sim.stats().messageFeedback).toEqual({});
    });

    it("answers 404 to a user who is not isolated for an isolated user's conversation, whatever the call, and changes nothing", async () => {
      const id = alices.conversation_id!;
      const notFound = { error: { message: expect.stringContaining(id), type: 'invalid_request_error', param: null, code: 'conversation_not_found', request_id: expect.any(String) } };
      const holder = pool.get((await recordOf(id))[0].account_id)!;
      for (const prefix of ['/chatgpt', '/backend-api']) {
        expect(await call(keys.carol, 'GET', `${prefix}/conversation/${id}`)).toEqual({ status: 404, json: notFound });
        expect(await call(keys.carol, 'PATCH', `${prefix}/conversation/${id}`, { title: 'renamed by carol' })).toEqual({ status: 404, json: notFound });
        expect(await call(keys.carol, 'PATCH', `${prefix}/conversation/${id}`, { is_visible: false })).toEqual({ status: 404, json: notFound });
      }
      // Nothing lost: alice still has it, titled as before, here and upstream.
      const aliceView = await call(keys.alice, 'GET', `/backend-api/conversation/${id}`);
      expect(aliceView.status).toBe(200);
      expect(aliceView.json.title).not.toBe('renamed by carol');
      expect((await upstream(holder, `/backend-api/conversation/${id}`)).status).toBe(200);
      expect((await call(keys.alice, 'GET', '/chatgpt/conversations?limit=100')).json.items.map((i: { id: string }) => i.id)).toContain(id);
      // Continuing it by id from carol's key is refused before anything goes upstream.
      stack.sim.resetStats();
      const refused = await ask(keys.carol, [{ role: 'user', content: 'let me read it' }], { conversation_id: id }).then(
        () => null,
        (err: { status?: number; error?: LooseJson }) => err,
      );
      expect(refused?.status).toBe(404);
      expect(stack.sim.stats().conversationRequests).toBe(0);
    });

    it("refuses to continue another user's conversation by id for an isolated user; a shared user continues a shared one on its account", async () => {
      const named = { conversation_id: bobs.conversation_id, parent_message_id: bobs.message_id };
      stack.sim.resetStats();
      const refused = await ask(keys.alice, [{ role: 'user', content: 'let me in' }], named).then(
        () => null,
        (err: { status?: number; error?: LooseJson }) => err,
      );
      expect(refused?.status).toBe(404);
      expect(refused?.error).toMatchObject({ code: 'conversation_not_found', type: 'invalid_request_error' });
      expect(stack.sim.stats().conversationRequests).toBe(0);

      // Round robin would send carol's request to either account; the record pins it to dan's.
      const holder = pool.get((await recordOf(dans.conversation_id!))[0].account_id)!;
      for (let i = 0; i < 2; i++) {
        stack.sim.resetStats();
        const shared = await ask(keys.carol, [{ role: 'user', content: `shared follow-up ${i}` }], { conversation_id: dans.conversation_id });
        expect(shared.conversation_id).toBe(dans.conversation_id);
        expect(stack.sim.stats().lastConversation).toMatchObject({ messages: 1, conversationId: dans.conversation_id });
        expect(servedBy()).toEqual([[holder.accountId, 1]]);
      }
      // Dan's and carol's records of it are one conversation in a shared list.
      const carolIds = (await call(keys.carol, 'GET', '/chatgpt/conversations?limit=100')).json.items.map((i: { id: string }) => i.id);
      expect(carolIds.filter((id: string) => id === dans.conversation_id)).toHaveLength(1);
    });

    it('reads a conversation from the account that holds it', async () => {
      const res = await call(keys.alice, 'GET', `/chatgpt/conversation/${alices.conversation_id}`);
      expect(res.status).toBe(200);
      expect(res.json.conversation_id).toBe(alices.conversation_id);
      expect(res.json.current_node).toBe(alices.message_id);
      expect(res.json.mapping[alices.message_id!].message.content.parts).toEqual([replyFor('alice asks about gardens').text]);
    });

    it('renames, titles and rates on the upstream too', async () => {
      const id = alices.conversation_id!;
      const holder = pool.get((await recordOf(id))[0].account_id)!;

      expect(await call(keys.alice, 'PATCH', `/chatgpt/conversation/${id}`, { title: 'Gardens, renamed' })).toEqual({ status: 200, json: { success: true } });
      expect((await upstream(holder, `/backend-api/conversation/${id}`)).json.title).toBe('Gardens, renamed');
      expect((await call(keys.alice, 'GET', '/chatgpt/conversations')).json.items.find((i: { id: string }) => i.id === id).title).toBe('Gardens, renamed');

      const titled = await call(keys.alice, 'POST', `/backend-api/conversation/gen_title/${id}`, { message_id: alices.message_id });
      expect(titled).toEqual({ status: 200, json: { title: 'alice asks about gardens (titled)' } });
      expect((await recordOf(id))[0].title).toBe('alice asks about gardens (titled)');

      const rated = await call(keys.alice, 'POST', '/chatgpt/conversation/message_feedback', { message_id: alices.message_id, conversation_id: id, rating: 'thumbsUp' });
      expect(rated.status).toBe(200);
      expect(rated.json).toMatchObject({ message_id: alices.message_id, conversation_id: id, rating: 'thumbsUp' });
      expect(stack.sim.stats().messageFeedback).toEqual({ [alices.message_id!]: 'thumbsUp' });
    });

    it('hides a conversation in the records and on the upstream', async () => {
      const hidden = await ask(keys.alice, [{ role: 'user', content: 'please hide me later' }]);
      const id = hidden.conversation_id!;
      const holder = pool.get((await recordOf(id))[0].account_id)!;
      expect((await upstream(holder, `/backend-api/conversation/${id}`)).status).toBe(200);

      expect(await call(keys.alice, 'PATCH', `/backend-api/conversation/${id}`, { is_visible: false })).toEqual({ status: 200, json: { success: true } });
      expect((await upstream(holder, `/backend-api/conversation/${id}`)).status).toBe(404);
      expect((await call(keys.alice, 'GET', `/backend-api/conversation/${id}`)).status).toBe(404);
      expect((await call(keys.alice, 'GET', '/chatgpt/conversations?limit=100')).json.items.map((i: { id: string }) => i.id)).not.toContain(id);
      // A hidden conversation is not continued either.
      stack.sim.resetStats();
      await ask(keys.alice, [{ role: 'user', content: 'please hide me later' }, { role: 'assistant', content: hidden.choices[0].message.content! }, { role: 'user', content: 'still there?' }]);
      expect(stack.sim.stats().lastConversation).toMatchObject({ messages: 3, conversationId: null });
    });

    it("hides all of the caller's conversations and nobody else's", async () => {
      await admin('POST', '/admin/v1/users', { name: 'dave', isolated_session: true });
      const dave = (await admin('POST', '/admin/v1/keys', { user: 'dave' })).key as string;
      const daves = await ask(dave, [{ role: 'user', content: 'dave was here' }]);
      await ask(dave, [{ role: 'user', content: 'dave again' }]);
      expect((await call(dave, 'GET', '/chatgpt/conversations')).json.total).toBe(2);

      expect(await call(dave, 'PATCH', '/chatgpt/conversations', { is_visible: false })).toEqual({ status: 200, json: { success: true } });
      expect((await call(dave, 'GET', '/chatgpt/conversations')).json).toMatchObject({ items: [], total: 0 });
      const holder = pool.get((await recordOf(daves.conversation_id!))[0].account_id)!;
      expect((await upstream(holder, `/backend-api/conversation/${daves.conversation_id}`)).status).toBe(404);
      // Bob shares the accounts but keeps his conversation, here and upstream.
      expect((await call(keys.bob, 'GET', `/backend-api/conversation/${bobs.conversation_id}`)).status).toBe(200);
    });

    it("never lists or opens a raw ChatGPT token's conversations for pool-code holders or other users (their titles are the caller's first message)", async () => {
      const own = stack.sim.issueAccount({ plan: 'plus' });
      const secret = await ask(own.accessToken, [{ role: 'user', content: 'my salary is a secret' }]);
      await recordOf(secret.conversation_id!);
      for (const key of [POOL_CODE, keys.carol]) {
        const list = await call(key, 'GET', '/backend-api/conversations?limit=100');
        expect(list.status).toBe(200);
        expect(list.json.items.map((i: { id: string }) => i.id)).not.toContain(secret.conversation_id);
        expect(JSON.stringify(list.json)).not.toContain('salary');
        expect((await call(key, 'GET', `/backend-api/conversation/${secret.conversation_id}`)).status).toBe(404);
      }
      // The owner still has it.
      expect((await call(own.accessToken, 'GET', `/backend-api/conversation/${secret.conversation_id}`)).status).toBe(200);
    });

    it("hides only the pool code's own conversations when a pool-code holder hides all", async () => {
      const codes = await ask(POOL_CODE, [{ role: 'user', content: 'made with the pool code' }]);
      const carols = await ask(keys.carol, [{ role: 'user', content: 'carol keeps this one' }]);
      await recordOf(codes.conversation_id!);
      await recordOf(carols.conversation_id!);
      expect(await call(POOL_CODE, 'PATCH', '/chatgpt/conversations', { is_visible: false })).toEqual({ status: 200, json: { success: true } });
      const codeHolder = pool.get((await recordOf(codes.conversation_id!))[0].account_id)!;
      expect((await upstream(codeHolder, `/backend-api/conversation/${codes.conversation_id}`)).status).toBe(404);
      // Everyone else's stay, in the records and upstream.
      const carolHolder = pool.get((await recordOf(carols.conversation_id!))[0].account_id)!;
      expect((await upstream(carolHolder, `/backend-api/conversation/${carols.conversation_id}`)).status).toBe(200);
      expect((await call(keys.carol, 'GET', '/chatgpt/conversations?limit=100')).json.items.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining([carols.conversation_id, dans.conversation_id]));
      for (const [key, id] of [
        [keys.alice, alices.conversation_id],
        [keys.dan, dans.conversation_id],
      ] as const) {
        expect((await call(key, 'GET', `/backend-api/conversation/${id}`)).status).toBe(200);
      }
    });

    it('refuses bad input with a 400 in OpenAI’s envelope, and a missing key with a 401', async () => {
      const id = alices.conversation_id!;
      const bad = [
        await call(keys.alice, 'GET', '/chatgpt/conversations?limit=101'),
        await call(keys.alice, 'GET', '/chatgpt/conversations?offset=-1'),
        await call(keys.alice, 'PATCH', `/chatgpt/conversation/${id}`, {}),
        await call(keys.alice, 'PATCH', `/chatgpt/conversation/${id}`, { is_visible: true }),
        await call(keys.alice, 'PATCH', '/chatgpt/conversations', { title: 'all' }),
        await call(keys.alice, 'POST', `/chatgpt/conversation/gen_title/${id}`, {}),
        await call(keys.alice, 'POST', '/chatgpt/conversation/message_feedback', { message_id: alices.message_id, conversation_id: id, rating: 'meh' }),
      ];
      for (const res of bad) {
        expect(res.status).toBe(400);
        expect(res.json.error).toMatchObject({ type: 'invalid_request_error', message: expect.any(String) });
      }
      const anonymous = await fetch(`${stack.gatewayUrl}/chatgpt/conversations`);
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as LooseJson).error.code).toBe('missing_api_key');
    });

    it("passes a caller's own ChatGPT token through to the upstream's list", async () => {
      const own = stack.sim.issueAccount({ plan: 'plus' });
      const made = await ask(own.accessToken, [{ role: 'user', content: 'my own account' }]);
      const list = await call(own.accessToken, 'GET', '/backend-api/conversations?limit=5');
      expect(list.status).toBe(200);
      expect(list.json.items.map((i: { id: string }) => i.id)).toEqual([made.conversation_id]);
      expect((await call(own.accessToken, 'GET', `/backend-api/conversation/${made.conversation_id}`)).json.current_node).toBe(made.message_id);
      // A pool conversation is not this account's: the upstream's own 404.
      expect((await call(own.accessToken, 'GET', `/backend-api/conversation/${alices.conversation_id}`)).status).toBe(404);
    });
  });
});

describe('conversation management when the account holding it fails', () => {
  let stack: Stack;
  let key: string;
  let account: SimAccount;
  let accountId: string;
  let conversationId: string;

  const admin = async (path: string, body?: unknown): Promise<LooseJson> => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PASSWORD}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBeLessThan(300);
    return res.json();
  };
  const get = async () => {
    const res = await fetch(`${stack.gatewayUrl}/backend-api/conversation/${conversationId}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, json: (await res.json()) as LooseJson };
  };

  beforeAll(async () => {
    stack = await startStack({ gateway: { ADMIN_PASSWORD: PASSWORD } });
    const { db, tenantId } = await connectStackDatabase(stack);
    await db.end();
    account = stack.sim.issueAccount({ plan: 'plus' });
    // Entered by refresh token, so auth can refresh it when the upstream answers 401.
    accountId = (await stack.auth.app.get(AccountsService).enter(tenantId, account.refreshToken)).accountId;
    await admin('/admin/v1/users', { name: 'erin', isolated_session: true });
    key = (await admin('/admin/v1/keys', { user: 'erin' })).key as string;
    const made = (await stack.client(key).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'keep this' }] })) as Completion;
    conversationId = made.conversation_id!;
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('refreshes the account once on a 401 and makes the call again', async () => {
    const before = stack.sim.stats().refreshesByAccount[account.accountId] ?? 0;
    stack.sim.setBehaviour(account.accountId, { fail: '401', times: 1 });
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.json.conversation_id).toBe(conversationId);
    expect(stack.sim.stats().refreshesByAccount[account.accountId]).toBe(before + 1);
  });

  it("reports the account's refusal as the gateway's upstream problem, not the caller's", async () => {
    stack.sim.setBehaviour(account.accountId, { fail: '403', times: 1 });
    expect(await get()).toEqual({ status: 502, json: { error: { message: expect.any(String), type: 'server_error', param: null, code: 'upstream_blocked', request_id: expect.any(String) } } });
    expect((await get()).status).toBe(200);
  });

  it('answers 503 while the account holding the conversation is disabled', async () => {
    await admin(`/admin/v1/accounts/${accountId}/disable`);
    try {
      expect(await get()).toEqual({ status: 503, json: { error: { message: expect.any(String), type: 'server_error', param: null, code: 'conversation_account_unavailable', request_id: expect.any(String) } } });
    } finally {
      await admin(`/admin/v1/accounts/${accountId}/enable`);
    }
    expect((await get()).status).toBe(200);
  });
});
