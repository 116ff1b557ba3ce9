import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { AccountPoolService, AccountsService } from '@chatgate/auth';
import type { SimAccount } from '@chatgate/chatgpt-sim';
import { waitFor, type LooseJson } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const PASSWORD = 'admin-password-for-web-protocol-7c1';
const POOL_CODE = 'pool-code-for-web-protocol-tests-42';

interface UsageRow {
  outcome: string;
  status: number;
  kind: string;
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  user_name: string | null;
  account_id: string | null;
}

/** A web-protocol conversation body as the ChatGPT web client sends it. */
function webBody(prompt: string, opts: { v1?: boolean; model?: string; conversationId?: string } = {}) {
  return {
    action: 'next',
    messages: [{ id: randomUUID(), author: { role: 'user' }, content: { content_type: 'text', parts: [prompt] }, metadata: {} }],
    parent_message_id: 'client-created-root',
    model: opts.model ?? 'gpt-4o',
    timezone_offset_min: -60,
    history_and_training_disabled: false,
    ...(opts.conversationId ? { conversation_id: opts.conversationId } : {}),
    ...(opts.v1 ? { supported_encodings: ['v1'] } : {}),
  };
}

/** The same stream whatever ids and clocks the simulator drew: what must match between two runs of one request. */
function normalise(stream: string): string {
  return stream
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/"rct_[A-Za-z0-9_-]+"/g, '<resume token>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<date>')
    .replace(/\d{10}(\.\d+)?/g, '<time>');
}

/**
 * The ChatGPT web protocol through chatgate with a gateway key: leases, limits, usage, rotation,
 * conversation records and isolation, and the account's identity kept from the client, all against the simulator over real HTTP.
 */
describe('web protocol passthrough', () => {
  let stack: Stack;
  let db: pg.Client;
  let tenantId: string;
  let first: SimAccount;
  let second: SimAccount;
  let alice: string;

  const admin = async (path: string, body: unknown): Promise<LooseJson> => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${PASSWORD}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    return res.json();
  };
  const keyFor = async (user: Record<string, unknown>) => {
    await admin('/admin/v1/users', user);
    return (await admin('/admin/v1/keys', { user: user.name })).key as string;
  };
  const post = (path: string, key: string, body: unknown, signal?: AbortSignal) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal,
    });
  const get = (path: string, key: string) => fetch(`${stack.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const direct = (path: string, token: string, body: unknown) =>
    fetch(`${stack.sim.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify(body) });
  const usageOf = (requestId: string) =>
    waitFor(async () => (await db.query<UsageRow>('SELECT * FROM usage.usage_events WHERE request_id = $1', [requestId])).rows[0], `usage event ${requestId}`, 10_000);
  /** Nothing of the pool accounts' credentials or identity in what the client got. */
  const expectNoAccountTrace = (text: string) => {
    for (const account of [first, second]) {
      for (const secret of [account.accessToken, account.accessToken.split('.')[1], account.email, account.accountId, account.userId]) expect(text).not.toContain(secret);
    }
  };

  beforeAll(async () => {
    stack = await startStack({ allServices: true, gateway: { ADMIN_PASSWORD: PASSWORD }, auth: { RANDOM_TOKEN: false, AUTHORIZATION: POOL_CODE }, conversation: { RETRY_TIMES: 3 } });
    ({ db, tenantId } = await connectStackDatabase(stack));
    first = stack.sim.issueAccount({ plan: 'plus' });
    second = stack.sim.issueAccount({ plan: 'plus' });
    const accounts = stack.auth.app.get(AccountsService);
    await accounts.enter(tenantId, first.accessToken);
    await accounts.enter(tenantId, second.accessToken);
    stack.auth.app.get(AccountPoolService).announceChanged(tenantId, []);
    alice = await keyFor({ name: 'alice' });
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await stack?.close();
  });
  beforeEach(async () => {
    stack.sim.setBehaviour(first.accountId, null);
    stack.sim.setBehaviour(second.accountId, null);
    // Cool-downs a test caused (a cap) do not carry over: cleared behind the service's back, then announced.
    await db.query(`UPDATE auth.upstream_accounts SET cooldowns = '{}'::jsonb`);
    stack.auth.app.get(AccountPoolService).announceChanged(tenantId, []);
  });

  describe.each([
    { encoding: 'legacy', v1: false },
    { encoding: 'v1', v1: true },
  ])('a conversation in the $encoding encoding', ({ v1 }) => {
    it('reaches the client byte for byte as the simulator sent it, made with a pool account token the client never sees', async () => {
      const body = webBody('Relay this please [[sim words=30]]', { v1 });
      stack.sim.resetStats();
      const res = await post('/backend-api/conversation', alice, body);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const bytes = Buffer.from(await res.arrayBuffer());

      // Exactly the bytes the simulator wrote for this request (its own digest of its body).
      const sent = (await waitFor(() => stack.sim.stats().lastStream, 'the simulator to finish the stream'))!;
      expect(sent.outcome).toBe('completed');
      expect(bytes.length).toBe(sent.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(sent.sha256);
      // The upstream authenticated one of the pool accounts' tokens.
      expect([first.accountId, second.accountId]).toContain(sent.accountId);
      expect(stack.sim.stats().byAccount[sent.accountId]).toBe(1);

      // A direct request with the account's own token gets the same stream, but for the ids and clocks drawn.
      const account = sent.accountId === first.accountId ? first : second;
      const own = await direct('/backend-api/conversation', account.accessToken, body);
      const text = bytes.toString('utf8');
      expect(normalise(text)).toBe(normalise(await own.text()));
      expect(text.includes('event: delta_encoding')).toBe(v1);
      expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);

      const headers = JSON.stringify([...res.headers.entries()]);
      expectNoAccountTrace(headers);
      expect(text).not.toContain(account.accessToken);

      const usage = await usageOf(res.headers.get('x-request-id')!);
      expect(usage).toMatchObject({ outcome: 'ok', status: 200, kind: 'chat', model: 'gpt-4o', user_name: 'alice' });
      expect(usage.account_id).not.toBeNull();
      expect(usage.prompt_tokens).toBeGreaterThan(3);
      expect(usage.completion_tokens).toBeGreaterThanOrEqual(25);
    });
  });

  it.each(['/backend-api/f/conversation', '/chatgpt/conversation'])('serves %s the same way', async (path) => {
    const res = await post(path, alice, webBody('Another path'));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('data: [DONE]');
    expectNoAccountTrace(text);
  });

  it("applies the user's limits before the upstream: 429 in OpenAI's envelope with retry-after", async () => {
    const key = await keyFor({ name: 'limited', limits: [{ model_name: 'gpt-4o', every_minute: 60, limit_count: 2 }] });
    for (let i = 0; i < 2; i++) {
      const ok = await post('/backend-api/conversation', key, webBody(`limited ${i}`));
      expect(ok.status).toBe(200);
      await ok.text();
    }
    stack.sim.resetStats();
    const refused = await post('/backend-api/conversation', key, webBody('one too many'));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as LooseJson;
    expect(body.error).toMatchObject({ code: 'usage_limit_exceeded', type: 'requests' });
    expect(stack.sim.stats().conversationRequests).toBe(0);
    // Another model has its own window (none here).
    expect((await post('/backend-api/conversation', key, webBody('other model', { model: 'gpt-4o-mini' }))).status).toBe(200);
  });

  it('returns the limit slot of a request that never reached a worker (too large for the bus)', async () => {
    const key = await keyFor({ name: 'one-a-day', limits: [{ model_name: 'gpt-4o', every_minute: 1440, limit_count: 1 }] });
    expect((await post('/backend-api/conversation', key, webBody('y'.repeat(1_500_000)))).status).toBe(413);
    // The release is a message on the bus: the one slot comes back for a real request.
    await waitFor(async () => {
      const res = await post('/backend-api/conversation', key, webBody('now a real one'));
      await res.arrayBuffer();
      return res.status === 200;
    }, 'the slot to come back', 5000, 100);
    expect((await post('/backend-api/conversation', key, webBody('over the limit'))).status).toBe(429);
  });

  it('moves to the next account when the first fails before the first byte', async () => {
    stack.sim.setBehaviour(first.accountId, { fail: '500' });
    stack.sim.resetStats();
    // Round-robin: of two requests, one starts on the failing account.
    for (let i = 0; i < 2; i++) {
      const res = await post('/backend-api/conversation', alice, webBody(`rotate ${i}`));
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('data: [DONE]');
      expect(stack.sim.stats().lastStream?.accountId).toBe(second.accountId);
    }
    const stats = stack.sim.stats();
    expect(stats.byAccount[first.accountId]).toBeGreaterThanOrEqual(1);
    expect(stats.byAccount[second.accountId]).toBe(2);
  });

  it('moves to the next account when the first reports its cap inside the stream, before any words', async () => {
    // The first account's stream opens (200) and reports model_cap_exceeded before the answer.
    stack.sim.setBehaviour(first.accountId, { fail: 'stream_error' });
    stack.sim.resetStats();
    for (let i = 0; i < 2; i++) {
      const res = await post('/backend-api/conversation', alice, webBody(`capped ${i} [[sim code=model_cap_exceeded after=0]]`, { v1: true }));
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain('"error_code":"model_cap_exceeded"');
      expect(text).toContain('data: [DONE]');
      expect(stack.sim.stats().lastStream?.accountId).toBe(second.accountId);
    }
    const stats = stack.sim.stats();
    expect(stats.byAccount[first.accountId]).toBe(1);
    expect(stats.byAccount[second.accountId]).toBe(2);
    // The capped account cools down for the model: the next request does not try it at all.
    const after = await post('/backend-api/conversation', alice, webBody('after the cap', { v1: true }));
    expect(after.status).toBe(200);
    await after.text();
    expect(stack.sim.stats().byAccount[first.accountId]).toBe(1);
  });

  it('answers the last error in the envelope when every account fails', async () => {
    stack.sim.setBehaviour(first.accountId, { fail: '500' });
    stack.sim.setBehaviour(second.accountId, { fail: '500' });
    const res = await post('/backend-api/conversation', alice, webBody('nobody can'));
    expect(res.status).toBe(502);
    expect(((await res.json()) as LooseJson).error).toMatchObject({ code: 'upstream_error', type: 'upstream_error' });
    expect(await usageOf(res.headers.get('x-request-id')!)).toMatchObject({ outcome: 'error', status: 502, completion_tokens: 0 });
  });

  it('aborts the upstream request when the client goes away, billing what was delivered', async () => {
    stack.sim.resetStats();
    const abort = new AbortController();
    const res = await post('/backend-api/conversation', alice, webBody('long one [[sim words=400 chunks=200 delay=20]]', { v1: true }), abort.signal);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    for (let i = 0; i < 4; i++) await reader.read();
    abort.abort();
    await waitFor(() => stack.sim.stats().abortedStreams === 1, 'the upstream stream to be aborted', 5000);
    expect(stack.sim.stats().completedStreams).toBe(0);
    const usage = await usageOf(res.headers.get('x-request-id')!);
    expect(usage).toMatchObject({ outcome: 'cancelled', status: 499 });
    expect(usage.completion_tokens).toBeLessThan(300);
  });

  it('cuts the client short when the upstream breaks off after the first byte (never a clean end)', async () => {
    const res = await post('/backend-api/conversation', alice, webBody('cut me [[sim fail=cut after=3 words=40 delay=20]]', { v1: true }));
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow();
    expect(await usageOf(res.headers.get('x-request-id')!)).toMatchObject({ outcome: 'error', status: 502 });
  });

  it('keeps a slow upstream alive with heartbeats (first byte after longer than the gateway idle timeout)', async () => {
    const res = await post('/backend-api/conversation', alice, webBody('slow start [[sim ttfb=3000]]'));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data: [DONE]');
  });

  it('answers 413 for a body bigger than the bus carries', async () => {
    const res = await post('/backend-api/conversation', alice, webBody('x'.repeat(1_500_000)));
    expect(res.status).toBe(413);
    expect(((await res.json()) as LooseJson).error).toMatchObject({ code: 'request_too_large' });
  });

  describe('account answers', () => {
    it('me names the gateway user, never the account', async () => {
      for (const path of ['/backend-api/me', '/chatgpt/me']) {
        const res = await get(path, alice);
        expect(res.status).toBe(200);
        const text = await res.text();
        expectNoAccountTrace(text);
        expect(JSON.parse(text)).toMatchObject({ name: 'alice', email: 'alice@chatgate.invalid', picture: null, orgs: { data: [] } });
      }
    });

    it('accounts/check keeps the plan and drops the account ids', async () => {
      const res = await get('/backend-api/accounts/check/v4-2023-04-27', alice);
      expect(res.status).toBe(200);
      const text = await res.text();
      expectNoAccountTrace(text);
      const body = JSON.parse(text) as { accounts: Record<string, { account: { plan_type: string; account_id: string } }>; account_ordering: string[] };
      expect(body.accounts.default.account.plan_type).toBe('plus');
      // One stand-in id for this user, the same on every call.
      const again = (await (await get('/backend-api/accounts/check/v4-2023-04-27', alice)).json()) as typeof body;
      expect(again.account_ordering).toEqual(body.account_ordering);
      expect(Object.keys(body.accounts).sort()).toEqual(['default', body.account_ordering[0]].sort());
    });

    it('models answers the leased account plan, with the query passed on', async () => {
      const res = await get('/backend-api/models?history_and_training_disabled=false', alice);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { models: Array<{ slug: string }> };
      expect(body.models.map((m) => m.slug)).toContain('gpt-4o');
    });

    it("relays a caller's own ChatGPT token unchanged, their own account's answers included", async () => {
      const own = stack.sim.issueAccount({ plan: 'plus' });
      const me = (await (await get('/backend-api/me', own.accessToken)).json()) as LooseJson;
      expect(me).toMatchObject({ email: own.email, id: own.userId });
      stack.sim.resetStats();
      const res = await post('/backend-api/conversation', own.accessToken, webBody('my own', { v1: true }));
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      expect(stack.sim.stats().lastStream?.accountId).toBe(own.accountId);
    });
  });

  describe('other chatgate credentials', () => {
    it('a mirror token leases only its one account, and me names its user', async () => {
      const issued = await fetch(`${stack.gatewayUrl}/api/get-mirror-token`, {
        method: 'POST',
        headers: { authorization: `Bearer ${PASSWORD}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user_name: 'mira', chatgpt_list: [second.email] }),
      });
      expect(issued.ok).toBe(true);
      const [{ mirror_token: mirror }] = (await issued.json()) as Array<{ mirror_token: string }>;
      stack.sim.resetStats();
      for (let i = 0; i < 3; i++) {
        const res = await post('/backend-api/conversation', mirror, webBody(`mirror ${i}`));
        expect(res.status).toBe(200);
        expectNoAccountTrace(await res.text());
        expect(stack.sim.stats().lastStream?.accountId).toBe(second.accountId);
      }
      expect(stack.sim.stats().byAccount[first.accountId]).toBeUndefined();
      const me = await (await get('/backend-api/me', mirror)).text();
      expectNoAccountTrace(me);
      expect(JSON.parse(me)).toMatchObject({ name: 'mira' });
    });

    it('a pool code is served from the pool, its answers naming no account', async () => {
      const res = await post('/chatgpt/conversation', POOL_CODE, webBody('pool code', { v1: true }));
      expect(res.status).toBe(200);
      expectNoAccountTrace(await res.text());
      const check = await (await get('/chatgpt/accounts/check/v4-2023-04-27', POOL_CODE)).text();
      expectNoAccountTrace(check);
      expect(JSON.parse(check).accounts.default.account.plan_type).toBe('plus');
    });
  });

  describe('refusals', () => {
    it.each([
      ['POST', '/backend-api/accounts/deactivate'],
      ['POST', '/backend-api/accounts/logout_all'],
      ['GET', '/backend-api/payments/customer_portal'],
      ['GET', '/backend-api/subscriptions?account_id=x'],
      ['PATCH', '/backend-api/settings/account_user_setting'],
      ['GET', '/backend-api/memories'],
      ['POST', '/backend-api/user_system_messages'],
      ['GET', '/backend-api/admin/users'],
      ['POST', '/chatgpt/accounts/logout_all'],
      ['GET', '/chatgpt/settings/user'],
    ])('%s %s is refused with 403', async (method, path) => {
      stack.sim.resetStats();
      const res = await fetch(`${stack.gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' }, ...(method === 'GET' ? {} : { body: '{}' }) });
      expect(res.status).toBe(403);
      expect(((await res.json()) as LooseJson).error).toMatchObject({ code: 'path_refused', type: 'invalid_request_error' });
    });

    it('answers 404 for web paths it does not serve, and for a check version that is not one plain segment', async () => {
      stack.sim.resetStats();
      for (const path of ['/backend-api/not-a-thing', '/backend-api/accounts/check/..']) {
        const res = await get(path, alice);
        expect(res.status).toBe(404);
        expect(((await res.json()) as LooseJson).error).toMatchObject({ code: 'unknown_url' });
      }
    });

    it('refuses a relayed path written with percent escapes or `;` (400): nothing reaches the upstream unchecked', async () => {
      stack.sim.resetStats();
      const attacks: Array<[string, string]> = [
        ['GET', '/backend-api/%6de'],
        ['GET', '/chatgpt/%6d%65'],
        ['GET', '/backend-api/me;x=1'],
        ['GET', '/backend-api/%6dodels'],
        ['GET', '/backend-api/accounts/check/v4%2D2023-04-27'],
        ['GET', '/backend-api/accounts/check/v4%2F..%2F..%2Fpayments'],
        ['POST', '/backend-api/%63onversation'],
        ['POST', '/backend-api/f/%63onversation'],
        ['POST', '/backend-api/conversation;jsessionid=1'],
        ['POST', '/backend-api/%70ayments/checkout'],
      ];
      for (const [method, path] of attacks) {
        const res = await fetch(`${stack.gatewayUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
          ...(method === 'POST' ? { body: JSON.stringify(webBody('encoded')) } : {}),
        });
        const text = await res.text();
        expect([path, res.status]).toEqual([path, 400]);
        expect(JSON.parse(text).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request' });
        expectNoAccountTrace(text);
      }
      expect(stack.sim.stats().conversationRequests).toBe(0);
      // The query is not the path: escapes there are the client's business and pass on.
      const models = await get('/backend-api/models?history_and_training_disabled=false&x=%20', alice);
      expect(models.status).toBe(200);
    });

    it('refuses bad requests with a clear 4xx', async () => {
      const noKey = await fetch(`${stack.gatewayUrl}/backend-api/conversation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(webBody('x')) });
      expect(noKey.status).toBe(401);
      const badKey = await post('/backend-api/conversation', 'sk-cg-not-a-key', webBody('x'));
      expect(badKey.status).toBe(401);
      const badJson = await post('/backend-api/conversation', alice, '{"action":');
      expect(badJson.status).toBe(400);
      const badMessages = await post('/backend-api/conversation', alice, { action: 'next', messages: 'hello' });
      expect(badMessages.status).toBe(400);
      expect(((await badMessages.json()) as LooseJson).error).toMatchObject({ param: 'messages' });
      const notObject = await post('/backend-api/conversation', alice, '[1,2]');
      expect(notObject.status).toBe(400);
    });

    it.each([
      { encoding: 'legacy', v1: false },
      { encoding: 'v1', v1: true },
    ])("records web-protocol conversations ($encoding): a continuation by id goes to the account holding it; an isolated user naming another user's gets 404", async ({ v1 }) => {
      const suffix = v1 ? 'v1' : 'legacy';
      const iso = await keyFor({ name: `isolated-${suffix}`, isolated_session: true });
      const bob = await keyFor({ name: `bob-${suffix}` });
      /** A conversation request's stream read to the end, and which simulator account served it. */
      const converse = async (key: string, body: unknown) => {
        const res = await post('/backend-api/conversation', key, body);
        expect(res.status).toBe(200);
        await res.text();
        return (await waitFor(() => stack.sim.stats().lastStream, 'the simulator to finish the stream'))!.accountId;
      };
      /** The caller's newest recorded conversation (written just after the reply) and its newest message. */
      const newest = async (key: string, title: string) => {
        const listed = await waitFor(async () => {
          const res = await get('/backend-api/conversations', key);
          expect(res.status).toBe(200);
          const items = ((await res.json()) as { items: Array<{ id: string; title: string }> }).items;
          return items.find((c) => c.title.startsWith(title));
        }, `the record of "${title}"`);
        const read = await get(`/backend-api/conversation/${listed!.id}`, key);
        expect(read.status).toBe(200);
        return { id: listed!.id, parent: ((await read.json()) as { current_node: string }).current_node };
      };

      // Bob starts a conversation through the web protocol: chatgate records it, so his list shows it.
      stack.sim.resetStats();
      const holder = await converse(bob, webBody(`Bob web ${suffix} start`, { v1 }));
      const bobs = await newest(bob, `Bob web ${suffix}`);

      // Continued by id, it goes to the account holding it every time (round robin would alternate).
      for (let turn = 0; turn < 3; turn++) {
        const { parent } = await newest(bob, `Bob web ${suffix}`);
        stack.sim.resetStats();
        expect(await converse(bob, { ...webBody(`and then ${turn}`, { v1, conversationId: bobs.id }), parent_message_id: parent })).toBe(holder);
        expect(stack.sim.stats().lastConversation?.conversationId).toBe(bobs.id);
        // The record advances to the newest answer before the next turn reads it.
        await waitFor(async () => (await newest(bob, `Bob web ${suffix}`)).parent !== parent, 'the record to advance');
      }

      // An isolated user naming Bob's conversation: 404 as in chat, and nothing reaches the upstream.
      stack.sim.resetStats();
      const refused = await post('/backend-api/conversation', iso, webBody('let me in', { v1, conversationId: bobs.id }));
      expect(refused.status).toBe(404);
      expect(((await refused.json()) as LooseJson).error).toMatchObject({ code: 'conversation_not_found' });
      expect(stack.sim.stats().conversationRequests).toBe(0);
      // Spelled with escapes (the router would match it to the same handler), it is refused before any check could be skipped.
      for (const path of ['/backend-api/%63onversation', '/chatgpt/f/%63onversation']) {
        const encoded = await post(path, iso, webBody('let me in', { v1, conversationId: bobs.id }));
        expect(encoded.status).toBe(400);
      }
      expect(stack.sim.stats().conversationRequests).toBe(0);
      // Nor can they see it in their list or read it.
      expect((await get(`/backend-api/conversation/${bobs.id}`, iso)).status).toBe(404);

      // Their own conversation they continue by id, on its account.
      const isoHolder = await converse(iso, webBody(`Iso web ${suffix} start`, { v1 }));
      const isos = await newest(iso, `Iso web ${suffix}`);
      expect(await converse(iso, { ...webBody('more', { v1, conversationId: isos.id }), parent_message_id: isos.parent })).toBe(isoHolder);
      expect(stack.sim.stats().lastConversation?.conversationId).toBe(isos.id);
    });
  });
});
