import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { USAGE_LIMIT_TAKE, limitTakeReplySchema, type Principal } from '@chatgate/contracts';
import { requestJson } from '@chatgate/service-kit';
import { waitFor } from '@chatgate/testing';
import { CredentialResolver } from '../../services/gateway/src/auth/credential-resolver.service.js';
import { startStack, type Stack } from '../support/stack.js';

const ADMIN_PASSWORD = 'usage-admin-pw';

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
});
