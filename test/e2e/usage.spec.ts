import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import OpenAI from 'openai';
import { USAGE_BATCH_MAX, USAGE_LIMIT_TAKE, limitTakeReplySchema, usageStreamNames, type DeadLetterPage, type Principal, type UsageEvent } from '@chatgate/contracts';
import { createLogger, requestJson, USAGE_LINGER_MS, UsagePublisher } from '@chatgate/service-kit';
import { waitFor } from '@chatgate/testing';
import { AccountsService } from '@chatgate/auth';
import { CredentialResolver } from '../../services/gateway/src/shared/credentials/credential-resolver.service.js';
import { connectStackDatabase } from '../support/stack-database.js';
import { startStack, type Stack } from '../support/stack.js';

// At least 16 characters: the gateway refuses weak admin passwords at start.
const ADMIN_PASSWORD = 'usage-admin-password-4c7e';

/** A usage event as a worker publishes it, for a tenant of the test's own. */
const usageEvent = (tenantId: string, over: Partial<UsageEvent> = {}): UsageEvent => ({
  requestId: randomUUID(),
  tenantId,
  userId: null,
  userName: 'bus-test',
  credentialId: 'cred-bus-test',
  accountId: null,
  accountLabel: null,
  model: 'gpt-4o',
  kind: 'chat',
  promptTokens: 3,
  completionTokens: 5,
  estimated: false,
  outcome: 'ok',
  status: 200,
  latencyMs: 12,
  at: Date.now(),
  ...over,
});

/** Straight onto the stack's usage stream, as a worker would (deduplicated by request id). */
async function publishEvents(nc: NatsConnection, suffix: string, events: Array<Record<string, unknown>>): Promise<void> {
  const js = jetstream(nc);
  const { subject } = usageStreamNames(suffix);
  await Promise.all(events.map((e) => js.publish(subject, JSON.stringify(e), { msgID: String(e.requestId) })));
}

interface EventRow {
  request_id: string;
  outcome: string;
  status: number;
  prompt_tokens: number;
  completion_tokens: number;
  user_name: string | null;
}

describe('usage accounting and limits', () => {
  let stack: Stack;
  let db: pg.Client;
  let nc: NatsConnection;
  let token: string;

  beforeAll(async () => {
    stack = await startStack({ allServices: true, gateway: { ADMIN_PASSWORD } });
    db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    token = stack.sim.issueAccount({ plan: 'plus' }).accessToken;
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
    await db?.end();
    await stack?.close();
  });

  const chat = (prompt: string, extra: Record<string, unknown> = {}, signal?: AbortSignal) =>
    fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: prompt }], ...extra }),
      signal,
    });
  const eventOf = (requestId: string) => waitFor(async () => (await db.query<EventRow>('SELECT * FROM usage.usage_events WHERE request_id = $1', [requestId])).rows[0], `usage event ${requestId}`, 10_000);
  const eventCount = async () => Number((await db.query('SELECT count(*) AS n FROM usage.usage_events')).rows[0].n);
  const rollupTotal = async () => Number((await db.query('SELECT coalesce(sum(requests), 0) AS n FROM usage.usage_hourly')).rows[0].n);

  /** Principals with limits come from users (auth, built in parallel): until then the resolver's answer is amended here. */
  const withLimits = (limits: Principal['limits'], userId: string) => {
    const resolver = stack.gateway.app.get(CredentialResolver);
    const original = resolver.resolve.bind(resolver);
    return jest.spyOn(resolver, 'resolve').mockImplementation(async (...args) => ({ ...(await original(...args)), userId, userName: `name-${userId}`, limits }));
  };

  it('stores one event per request: non-streamed, streamed, failed and cancelled, with the right counts', async () => {
    const plain = await chat('count me please');
    expect(plain.status).toBe(200);
    const body = (await plain.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    const ok = await eventOf(plain.headers.get('x-request-id')!);
    expect(ok).toMatchObject({ outcome: 'ok', status: 200, prompt_tokens: body.usage.prompt_tokens, completion_tokens: body.usage.completion_tokens });

    const streamed = await chat('stream me [[sim words=20]]', { stream: true });
    await streamed.text();
    const okStream = await eventOf(streamed.headers.get('x-request-id')!);
    expect(okStream.outcome).toBe('ok');
    expect(okStream.completion_tokens).toBeGreaterThan(10);

    const failed = await chat('boom [[sim fail=500]]');
    expect(failed.status).toBe(502);
    expect(await eventOf(failed.headers.get('x-request-id')!)).toMatchObject({ outcome: 'error', status: 502, completion_tokens: 0 });

    // Cancelled after a few chunks: billed for what was delivered, less than the whole reply.
    const abort = new AbortController();
    const cancelled = await chat('long one [[sim words=400 chunks=200 delay=20]]', { stream: true }, abort.signal);
    const reader = cancelled.body!.getReader();
    for (let i = 0; i < 4; i++) await reader.read();
    abort.abort();
    const cut = await eventOf(cancelled.headers.get('x-request-id')!);
    expect(cut.outcome).toBe('cancelled');
    expect(cut.status).toBe(499);
    expect(cut.completion_tokens).toBeGreaterThan(0);
    expect(cut.completion_tokens).toBeLessThan(300);
    expect(await rollupTotal()).toBe(await eventCount());
  });

  it('loses nothing and doubles nothing while the usage service is stopped and restarted', async () => {
    const before = await eventCount();
    await stack.stopUsage();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await chat(`while usage is down ${i}`);
      expect(res.status).toBe(200);
      ids.push(res.headers.get('x-request-id')!);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(await eventCount()).toBe(before);
    await stack.startUsage();
    await waitFor(async () => (await eventCount()) === before + 20, '20 events stored after the restart', 15_000);
    const stored = await db.query('SELECT request_id FROM usage.usage_events WHERE request_id = ANY($1)', [ids]);
    expect(stored.rowCount).toBe(20);
    await new Promise((r) => setTimeout(r, 300));
    expect(await eventCount()).toBe(before + 20);
    expect(await rollupTotal()).toBe(before + 20);
  });

  it('lets exactly 10 of 100 parallel slot requests through a limit of 10 (usage service subject)', async () => {
    const subject = `u-${randomUUID()}`;
    const replies = await Promise.all(
      Array.from({ length: 100 }, () =>
        requestJson(nc, USAGE_LIMIT_TAKE, { requestId: randomUUID(), tenantId: 't', subject, model: 'gpt-4o', windows: [{ everyMinutes: 5, count: 10 }] }, limitTakeReplySchema, 5000),
      ),
    );
    const allowed = replies.filter((r) => r.ok && r.allowed);
    expect(allowed).toHaveLength(10);
    for (const r of replies) if (r.ok && !r.allowed) expect(r.retryAfterMs).toBeGreaterThan(250_000);
  });

  it('lets exactly 10 of 100 parallel chat requests through the gateway, the rest get 429 with retry-after', async () => {
    const spy = withLimits([{ model: 'gpt-4o', everyMinutes: 60, count: 10 }], `user-${randomUUID()}`);
    try {
      const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => chat(`parallel ${i}`)));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(90);
      const refused = responses.find((r) => r.status === 429)!;
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('usage_limit_exceeded');
      // Another model has no limit: no check, served.
      expect((await chat('other model', { model: 'gpt-4o-mini' })).status).toBe(200);
    } finally {
      spy.mockRestore();
    }
  });

  it('gives the slot back when the upstream fails', async () => {
    const spy = withLimits([{ model: 'gpt-4o', everyMinutes: 60, count: 1 }], `user-${randomUUID()}`);
    try {
      const failed = await chat('boom [[sim fail=500]]');
      expect(failed.status).toBe(502);
      await eventOf(failed.headers.get('x-request-id')!);
      await waitFor(async () => (await chat('after the failure')).status === 200, 'the slot to come back', 5000, 100);
      expect((await chat('over the limit')).status).toBe(429);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers the admin usage endpoints', async () => {
    const userId = `user-${randomUUID()}`;
    const spy = withLimits([], userId);
    try {
      for (let i = 0; i < 3; i++) expect((await chat(`counted ${i}`)).status).toBe(200);
    } finally {
      spy.mockRestore();
    }
    const admin = (path: string, init: RequestInit = {}) =>
      fetch(`${stack.gatewayUrl}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_PASSWORD}`, 'content-type': 'application/json' } });
    await waitFor(async () => {
      const res = await admin('/api/get-user-use-count', { method: 'POST', body: JSON.stringify({ username_list: [`name-${userId}`, 'nobody'] }) });
      const counts = (await res.json()) as Record<string, number>;
      return counts[`name-${userId}`] === 3 && counts.nobody === 0;
    }, 'user counts', 5000, 100);
    const byUser = await admin(`/admin/v1/usage?user=${userId}&granularity=day`);
    expect(byUser.status).toBe(200);
    const page = (await byUser.json()) as { rows: Array<{ requests: number; userName: string }>; total: number };
    expect(page.total).toBe(1);
    expect(page.rows[0]).toMatchObject({ requests: 3, userName: `name-${userId}` });
    const bad = await admin('/api/get-user-use-count', { method: 'POST', body: JSON.stringify({ username_list: 'x' }) });
    expect(bad.status).toBe(400);
    const accounts = await admin('/api/get-chatgpt-use-count', { method: 'POST', body: JSON.stringify({ chatgpt_list: ['nobody@example.com'] }) });
    expect(await accounts.json()).toEqual({ 'nobody@example.com': {} });
  });

  it('answers the usage series per user, upstream kind and model, the groups past `groups` summed into one row per bucket', async () => {
    const tenantId = `t-series-${randomUUID()}`;
    const day1 = Date.UTC(2026, 9, 1, 10, 30);
    const day2 = Date.UTC(2026, 9, 2, 15, 5);
    const events = [
      ...Array.from({ length: 3 }, () => usageEvent(tenantId, { userId: 'u-ann', userName: 'ann', accountId: 'acc-1', accountLabel: 'one@pool.test', at: day1 })),
      ...Array.from({ length: 2 }, () => usageEvent(tenantId, { userId: 'u-ben', userName: 'ben', model: 'gpt-4o-mini', upstream: 'platform', accountId: 'key-1', accountLabel: 'main key', outcome: 'error', status: 502, at: day2 })),
      usageEvent(tenantId, { userId: 'u-cid', userName: 'cid', at: day2 }),
      usageEvent(tenantId, { userId: null, userName: null, at: day2 }),
    ];
    await publishEvents(nc, stack.usageStreamSuffix, events);
    await waitFor(async () => Number((await db.query('SELECT count(*) AS n FROM usage.usage_events WHERE tenant_id = $1', [tenantId])).rows[0].n) === 7, 'the 7 events stored', 5000, 50);
    const series = async (query: string) => {
      const res = await fetch(`${stack.gatewayUrl}/admin/v1/usage/series?tenant=${tenantId}&from=2026-10-01T00:00:00Z&to=2026-10-03T00:00:00Z&${query}`, { headers: { authorization: `Bearer ${ADMIN_PASSWORD}` } });
      return { status: res.status, json: (await res.json()) as { rows: Array<Record<string, unknown>>; error?: { param: string } } };
    };
    const pick = (rows: Array<Record<string, unknown>>) => rows.map(({ bucket, key, label, other, requests, errors }) => ({ bucket, key, label, other, requests, errors }));

    const byUser = await series('by=user&granularity=day&groups=2');
    expect(byUser.status).toBe(200);
    expect(pick(byUser.json.rows)).toEqual([
      { bucket: '2026-10-01T00:00:00.000Z', key: 'u-ann', label: 'ann', other: false, requests: 3, errors: 0 },
      { bucket: '2026-10-02T00:00:00.000Z', key: 'u-ben', label: 'ben', other: false, requests: 2, errors: 2 },
      { bucket: '2026-10-02T00:00:00.000Z', key: null, label: null, other: true, requests: 2, errors: 0 },
    ]);

    const byUpstream = (await series('by=upstream')).json.rows;
    expect(pick(byUpstream)).toEqual([
      { bucket: '2026-10-01T00:00:00.000Z', key: 'chatgpt', label: null, other: false, requests: 3, errors: 0 },
      { bucket: '2026-10-02T00:00:00.000Z', key: 'chatgpt', label: null, other: false, requests: 2, errors: 0 },
      { bucket: '2026-10-02T00:00:00.000Z', key: 'platform', label: null, other: false, requests: 2, errors: 2 },
    ]);
    expect(byUpstream.find((r) => r.key === 'chatgpt')).toMatchObject({ promptTokens: 9, completionTokens: 15, costMicroUsd: 0 });
    expect(byUpstream.find((r) => r.key === 'platform')!.costMicroUsd).toBeGreaterThan(0);

    const byModel = await series('by=model&granularity=hour');
    expect(pick(byModel.json.rows).map((r) => [r.bucket, r.key, r.requests])).toEqual([
      ['2026-10-01T10:00:00.000Z', 'gpt-4o', 3],
      ['2026-10-02T15:00:00.000Z', 'gpt-4o', 2],
      ['2026-10-02T15:00:00.000Z', 'gpt-4o-mini', 2],
    ]);
    const byAccount = (await series('by=account&user=ben')).json.rows;
    expect(pick(byAccount)).toEqual([{ bucket: '2026-10-02T00:00:00.000Z', key: 'key-1', label: 'main key', other: false, requests: 2, errors: 2 }]);

    // Bounded ranges, and the dimension is required.
    const tooLong = await fetch(`${stack.gatewayUrl}/admin/v1/usage/series?by=user&granularity=hour&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z`, { headers: { authorization: `Bearer ${ADMIN_PASSWORD}` } });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { error: { param: string } }).error.param).toBe('from');
    const backwards = await fetch(`${stack.gatewayUrl}/admin/v1/usage/series?by=user&from=2026-10-03T00:00:00Z&to=2026-10-01T00:00:00Z`, { headers: { authorization: `Bearer ${ADMIN_PASSWORD}` } });
    expect(backwards.status).toBe(400);
    const unknown = await series('by=tenant');
    expect(unknown.status).toBe(400);
    expect(unknown.json.error?.param).toBe('by');
  });

  it('stores 20 good events at once though a poison event shares their batch; the poison ones go to the dead letter, once', async () => {
    const tenantId = `t-poison-${randomUUID()}`;
    const good = Array.from({ length: 20 }, () => usageEvent(tenantId));
    // The attack from the issue (a NUL in the model, refused as it is read), and a row Postgres itself
    // refuses (an integer out of range, 22003) that fails the whole batch insert.
    const nul = usageEvent(tenantId, { model: 'gpt-4o\u0000' });
    const overflow = usageEvent(tenantId, { promptTokens: 3_000_000_000 });
    // Storable, but its budget keys cannot be named (a brace in the tenant): its settlement is skipped, not retried for ever.
    const oddTenant = usageEvent(`odd{${tenantId}`, { upstream: 'platform', userId: 'u-odd' });
    await publishEvents(nc, stack.usageStreamSuffix, [...good.slice(0, 10), nul, oddTenant, ...good.slice(10, 15), overflow, ...good.slice(15)]);
    const storedOf = async () => Number((await db.query('SELECT count(*) AS n FROM usage.usage_events WHERE tenant_id = $1', [tenantId])).rows[0].n);
    await waitFor(async () => (await storedOf()) === 20, 'the 20 good events stored', 5000, 50);
    await waitFor(async () => (await db.query('SELECT 1 FROM usage.usage_events WHERE request_id = $1', [oddTenant.requestId])).rowCount === 1, 'the odd tenant event stored', 5000, 50);
    const rollups = await db.query('SELECT sum(requests) AS n, sum(prompt_tokens) AS p FROM usage.usage_hourly WHERE tenant_id = $1', [tenantId]);
    expect(rollups.rows[0]).toEqual({ n: '20', p: String(20 * 3) });

    const admin = (path: string) => fetch(`${stack.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${ADMIN_PASSWORD}` } });
    const letters = async () => ((await (await admin('/admin/v1/usage/dead-letters?limit=50')).json()) as DeadLetterPage).rows.filter((r) => r.tenantId === tenantId);
    await waitFor(async () => (await letters()).length === 2, 'both poison events dead-lettered', 5000, 50);
    const byRequest = new Map((await letters()).map((r) => [r.requestId, r]));
    expect(byRequest.get(nul.requestId)).toMatchObject({ count: 1, error: 'not a usage event: model: must not contain the NUL character (U+0000)', truncated: false });
    expect(JSON.parse(byRequest.get(nul.requestId)!.event)).toEqual(nul);
    expect(byRequest.get(overflow.requestId)).toMatchObject({ count: 1, error: expect.stringMatching(/^22003: .*out of range/) });
    expect(JSON.parse(byRequest.get(overflow.requestId)!.event)).toEqual(overflow);
    // Acknowledged, not redelivered: nothing of the stream waits, and the rows stay at one sighting each.
    const { stream, consumer } = usageStreamNames(stack.usageStreamSuffix);
    const jsm = await jetstreamManager(nc);
    await waitFor(async () => {
      const info = await jsm.consumers.info(stream, consumer);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    }, 'every event acknowledged', 5000, 50);
    expect((await jsm.consumers.info(stream, consumer)).config.max_deliver).toBeGreaterThan(1);
    expect((await letters()).map((r) => r.count)).toEqual([1, 1]);
    // The admin route is the operator's view over the bus, and refuses a bad query like any other.
    expect((await admin('/admin/v1/usage/dead-letters?limit=51')).status).toBe(400);
  });

  it('stores the events of batch messages one by one: a poison event of a batch is dead-lettered alone, a request counted twice is stored once (the first)', async () => {
    const tenantId = `t-batch-${randomUUID()}`;
    const good = Array.from({ length: 12 }, () => usageEvent(tenantId));
    const nul = usageEvent(tenantId, { model: 'gpt-4o\u0000' });
    // The gateway's `worker_lost` for a request whose worker answered late: the first in the stream counts.
    const lost = { ...good[3], outcome: 'worker_lost' as const, status: 502, requestId: good[3].requestId };
    const { subject } = usageStreamNames(stack.usageStreamSuffix);
    const js = jetstream(nc);
    await js.publish(subject, JSON.stringify({ events: [...good.slice(0, 6), nul, 'not an event'] }));
    await js.publish(subject, JSON.stringify({ events: [lost, ...good.slice(6)] }));
    const storedOf = async () => Number((await db.query('SELECT count(*) AS n FROM usage.usage_events WHERE tenant_id = $1', [tenantId])).rows[0].n);
    await waitFor(async () => (await storedOf()) === 12, 'the 12 good events stored', 5000, 50);
    expect((await eventOf(good[3].requestId)).outcome).toBe('ok');
    const rollups = await db.query('SELECT sum(requests) AS n, sum(errors) AS e FROM usage.usage_hourly WHERE tenant_id = $1', [tenantId]);
    expect(rollups.rows[0]).toEqual({ n: '12', e: '0' });
    const admin = (path: string) => fetch(`${stack.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${ADMIN_PASSWORD}` } });
    const letters = async () => ((await (await admin('/admin/v1/usage/dead-letters?limit=50')).json()) as DeadLetterPage).rows;
    await waitFor(async () => (await letters()).some((r) => r.requestId === nul.requestId), 'the poison event of the batch dead-lettered', 5000, 50);
    const letter = (await letters()).find((r) => r.requestId === nul.requestId)!;
    // Its own JSON, not the whole batch's.
    expect(JSON.parse(letter.event)).toEqual(nul);
    expect(letter.error).toBe('not a usage event: model: must not contain the NUL character (U+0000)');
    expect((await letters()).some((r) => r.event === '"not an event"')).toBe(true);
  });

  it('publishes events made within the linger as one message, fills messages up to USAGE_BATCH_MAX, and every one is stored', async () => {
    const tenantId = `t-group-${randomUUID()}`;
    const { stream } = usageStreamNames(stack.usageStreamSuffix);
    const jsm = await jetstreamManager(nc);
    const streamed = async () => (await jsm.streams.info(stream)).state.messages;
    const publisher = new UsagePublisher(nc, stack.usageStreamSuffix, createLogger('usage-test', 'silent'));
    // One event a turn, as a worker at c=1 makes them: within the linger they travel together.
    const trickle = Array.from({ length: 5 }, () => usageEvent(tenantId));
    let before = await streamed();
    const started = performance.now();
    for (const e of trickle) {
      publisher.publish(e);
      await new Promise((r) => setImmediate(r));
    }
    const took = performance.now() - started;
    await new Promise((r) => setTimeout(r, 5 * USAGE_LINGER_MS));
    // Five turns take microseconds; a machine that stalled past the linger between them sends two.
    expect(await streamed()).toBe(before + (took < USAGE_LINGER_MS ? 1 : 2));
    // A burst, as a busy worker makes them: full messages go at once, the rest gather behind them.
    before = await streamed();
    const burst = Array.from({ length: 250 }, () => usageEvent(tenantId));
    for (const e of burst.slice(0, 50)) publisher.publish(e);
    await new Promise((r) => setImmediate(r));
    for (const e of burst.slice(50)) publisher.publish(e);
    await publisher.onApplicationShutdown();
    expect((await streamed()) - before).toBe(Math.ceil(250 / USAGE_BATCH_MAX));
    const storedOf = async () => Number((await db.query('SELECT count(*) AS n FROM usage.usage_events WHERE tenant_id = $1', [tenantId])).rows[0].n);
    await waitFor(async () => (await storedOf()) === 255, 'all 255 events stored', 10_000, 50);
  });

  describe('a client string that would poison accounting is refused at the door', () => {
    const body = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }] });
    const webBody = (model: string) => ({ action: 'next', model, parent_message_id: randomUUID(), messages: [{ id: randomUUID(), author: { role: 'user' }, content: { content_type: 'text', parts: ['hi'] } }] });
    let key: string;
    const post = (path: string, bearer: string, json: unknown) => fetch(`${stack.gatewayUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(json) });
    const streamed = async () => (await (await jetstreamManager(nc)).streams.info(usageStreamNames(stack.usageStreamSuffix).stream)).state.messages;

    beforeAll(async () => {
      const admin = (path: string, json: unknown) => fetch(`${stack.gatewayUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_PASSWORD}`, 'content-type': 'application/json' }, body: JSON.stringify(json) });
      const tenant = await connectStackDatabase(stack);
      await tenant.db.end();
      await stack.auth.app.get(AccountsService).enter(tenant.tenantId, token);
      expect((await admin('/admin/v1/users', { name: 'poisoner' })).status).toBe(201);
      key = ((await (await admin('/admin/v1/keys', { user: 'poisoner' })).json()) as { key: string }).key;
      // plat-* goes to the tenant's API keys: the platform relay's own check is what answers.
      expect((await admin('/admin/v1/routes', { routes: [{ model: 'plat-*', upstream: 'platform' }, { model: 'text-embedding-*', upstream: 'platform' }] })).status).toBe(200);
    });

    it('answers 400 naming the field, on every route that takes a model, and publishes no usage event', async () => {
      const before = await streamed();
      const attacks: Array<[string, string, unknown]> = [
        ['/v1/chat/completions', token, body('gpt-4o\u0000')],
        ['/v1/chat/completions', key, body('gpt-4o\u0000')],
        ['/v1/chat/completions', key, body('plat-4o\u0000')],
        ['/v1/embeddings', key, { model: 'text-embedding-3-small\u0000', input: 'x' }],
        ['/v1/images/generations', key, { model: 'dall-e-3\r\n', prompt: 'x' }],
        ['/v1/audio/speech', key, { model: 'tts-1\u0000', input: 'hello', voice: 'alloy' }],
        ['/v1/audio/speech', key, { model: 'plat-tts\u0000', input: 'hello', voice: 'alloy' }],
        ['/backend-api/conversation', key, webBody('gpt-4o\u0000')],
        ['/v1/chat/completions', key, body(`gpt-4o${'o'.repeat(200)}`)],
        ['/v1/chat/completions', key, body('gpt-\uD800')],
      ];
      for (const [path, bearer, json] of attacks) {
        const res = await post(path, bearer, json);
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        const { error } = (await res.json()) as { error: { type: string; param: string | null } };
        expect({ path, type: error.type, param: error.param }).toEqual({ path, type: 'invalid_request_error', param: 'model' });
      }
      // The official client sees OpenAI's BadRequestError naming the parameter.
      const refused = await stack.client(key).chat.completions.create({ model: 'gpt-4o\u0000', messages: [{ role: 'user', content: 'hi' }] }).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
      expect((refused as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('model');
      await new Promise((r) => setTimeout(r, 500));
      expect(await streamed()).toBe(before);
      // A proper request still is counted: the stream moves, so the check above could have failed.
      expect((await post('/v1/chat/completions', key, body('gpt-4o'))).status).toBe(200);
      await waitFor(async () => (await streamed()) === before + 1, 'the good request published', 5000, 50);
    });
  });
});

describe('usage consumer: Postgres unreachable', () => {
  const ACK_WAIT_MS = 2000;
  let stack: Stack;
  let nc: NatsConnection;
  let maintenance: pg.Client;
  let database: string;

  beforeAll(async () => {
    // A short ack wait: the outage below outlasts it several times, so a held event that were not
    // kept alive would be redelivered (and spend its deliveries) while Postgres is away.
    stack = await startStack({ allServices: true, usage: { USAGE_ACK_WAIT_MS: ACK_WAIT_MS } });
    nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    const url = new URL(stack.databaseUrl);
    database = url.pathname.slice(1);
    url.pathname = '/postgres';
    maintenance = new pg.Client({ connectionString: url.toString() });
    await maintenance.connect();
  }, 60_000);
  afterAll(async () => {
    await maintenance?.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await maintenance?.end();
    await nc?.close();
    await stack?.close();
  });

  it('holds the events while the database refuses connections, spends no delivery on it, and stores them all once it is back', async () => {
    const tenantId = `t-outage-${randomUUID()}`;
    // The outage: no new connection to the stack's database, and every open one cut.
    await maintenance.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
    await maintenance.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
    const events = Array.from({ length: 20 }, () => usageEvent(tenantId));
    await publishEvents(nc, stack.usageStreamSuffix, events);
    const { stream, consumer } = usageStreamNames(stack.usageStreamSuffix);
    const jsm = await jetstreamManager(nc);
    await waitFor(async () => (await jsm.consumers.info(stream, consumer)).num_ack_pending === 20, 'the 20 events held by the consumer', 5000, 50);
    await new Promise((r) => setTimeout(r, 3 * ACK_WAIT_MS));
    const during = await jsm.consumers.info(stream, consumer);
    expect({ held: during.num_ack_pending, redelivered: during.num_redelivered }).toEqual({ held: 20, redelivered: 0 });

    await maintenance.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      await waitFor(async () => Number((await db.query('SELECT count(*) AS n FROM usage.usage_events WHERE tenant_id = $1', [tenantId])).rows[0].n) === 20, 'the 20 events stored after the outage', 20_000, 100);
      expect(Number((await db.query('SELECT count(*) AS n FROM usage.dead_letters')).rows[0].n)).toBe(0);
      await waitFor(async () => (await jsm.consumers.info(stream, consumer)).num_ack_pending === 0, 'every event acknowledged', 5000, 50);
      expect((await jsm.consumers.info(stream, consumer)).num_redelivered).toBe(0);
    } finally {
      await db.end();
    }
  }, 60_000);
});
