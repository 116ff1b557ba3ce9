import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import pg from 'pg';
import { AccountsService } from '@chatgate/auth';
import { usageStreamNames, type UsageEvent } from '@chatgate/contracts';
import { testEnv, waitFor, type LooseJson } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const PASSWORD = 'admin-password-worker-lost-7d2e';
/** gpt-4o on ChatGPT accounts priced, so a budget holds something for each request. */
const PRICE_TABLE = JSON.stringify({ chatgpt: { 'gpt-4o': { prompt: 100, completion: 1000 } } });

interface EventRow {
  request_id: string;
  outcome: string;
  status: number;
  estimated: boolean;
  prompt_tokens: number;
  completion_tokens: number;
  cost_micro_usd: string;
  user_id: string;
  account_id: string | null;
}

/**
 * A worker process killed mid-stream (issue 15): its client had part of the reply, and the worker
 * can publish nothing any more. The gateway records the request itself, once: a usage row with
 * outcome worker_lost and the delivered tokens (estimated), after which the limit slot is back and
 * the budget hold settled to that cost.
 */
describe('usage of a request cut by its worker dying', () => {
  let stack: Stack;
  let db: pg.Client;
  let redis: Redis;
  let tenantId: string;

  const admin = async (path: string, body: unknown): Promise<LooseJson> => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${PASSWORD}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBeLessThan(300);
    return res.json();
  };
  const rowsOf = async (requestId: string) => (await db.query<EventRow>('SELECT * FROM usage.usage_events WHERE request_id = $1', [requestId])).rows;
  // The usage service's Redis keys: the tenant is the hash tag.
  const limitKey = (userId: string) => `chatgate:usage:limit:{${tenantId}}:${userId}:gpt-4o`;
  const holdKey = (userId: string) => `chatgate:billing:user:{${tenantId}}:${userId}:hold`;
  const spentKey = (userId: string) => `chatgate:billing:user:{${tenantId}}:${userId}:spent:all`;

  beforeAll(async () => {
    stack = await startStack({
      workersAsProcesses: true,
      allServices: true,
      usage: { PRICE_TABLE },
      gateway: { ADMIN_PASSWORD: PASSWORD, STREAM_IDLE_TIMEOUT_MS: 1500 },
    });
    ({ db, tenantId } = await connectStackDatabase(stack));
    await stack.auth.app.get(AccountsService).enter(tenantId, stack.sim.issueAccount().accessToken);
    redis = new Redis(testEnv().REDIS_URL ?? 'redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    redis?.disconnect();
    await db?.end();
    await stack?.close();
  });

  it('records one worker_lost row with the delivered tokens, and gives the slot and the budget hold back', async () => {
    const user = await admin('/admin/v1/users', { name: 'cut-short', limits: [{ model_name: 'gpt-4o', every_minute: 60, limit_count: 5 }], budget: { amountUsd: 10, period: 'none' } });
    const { key } = await admin('/admin/v1/keys', { user: 'cut-short' });
    const userId = user.id as string;

    const { data: stream, response } = await stack
      .client(key)
      .chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'a slow one [[sim words=400 delay=25]]' }] })
      .withResponse();
    const requestId = response.headers.get('x-request-id')!;
    let delivered = '';
    let chunks = 0;
    const err = await (async () => {
      for await (const chunk of stream) {
        delivered += chunk.choices[0]?.delta.content ?? '';
        if (++chunks === 5) {
          // Taken and held while the job runs: what must come back.
          expect(await redis.zscore(limitKey(userId), requestId)).not.toBeNull();
          expect(await redis.hget(holdKey(userId), requestId)).not.toBeNull();
          stack.workerProcesses[0].kill();
        }
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(String((err as Error).message)).toMatch(/stopped answering/);
    expect(delivered.length).toBeGreaterThan(0);

    const [row] = (await waitFor(async () => {
      const rows = await rowsOf(requestId);
      return rows.length ? rows : null;
    }, 'the usage row of the lost request', 15_000, 100))!;
    expect(row).toMatchObject({ outcome: 'worker_lost', status: 502, estimated: true, user_id: userId, account_id: null });
    expect(row.prompt_tokens).toBeGreaterThan(0);
    // The delivered words, a token or more each, and nothing the client never got (400 words in all).
    expect(row.completion_tokens).toBeGreaterThanOrEqual(delivered.trim().split(/\s+/).length);
    expect(row.completion_tokens).toBeLessThan(400);
    expect(Number(row.cost_micro_usd)).toBe(row.prompt_tokens * 100 + row.completion_tokens * 1000);

    // The slot and the hold are back; the budget spent exactly the row's cost.
    await waitFor(async () => (await redis.zscore(limitKey(userId), requestId)) === null, 'the limit slot to be returned', 10_000, 100);
    await waitFor(async () => (await redis.hget(holdKey(userId), requestId)) === null, 'the budget hold to be settled', 10_000, 100);
    expect(Number(await redis.get(spentKey(userId)))).toBe(Number(row.cost_micro_usd));

    // The first event per request id is the one kept: a worker's late event changes nothing.
    const nc = await connect({ servers: testEnv().NATS_URL ?? 'nats://127.0.0.1:4222' });
    try {
      const late: UsageEvent = {
        requestId,
        tenantId,
        userId,
        userName: 'cut-short',
        credentialId: 'late',
        accountId: null,
        accountLabel: null,
        model: 'gpt-4o',
        kind: 'chat',
        promptTokens: 1,
        completionTokens: 1,
        estimated: true,
        outcome: 'ok',
        status: 200,
        latencyMs: 1,
        at: Date.now(),
      };
      const ack = await jetstream(nc).publish(usageStreamNames(stack.usageStreamSuffix).subject, JSON.stringify(late), { msgID: requestId });
      expect(ack.duplicate).toBe(true);
    } finally {
      await nc.close();
    }
    await new Promise((r) => setTimeout(r, 500));
    const rows = await rowsOf(requestId);
    expect(rows).toHaveLength(1);
    expect(rows[0].outcome).toBe('worker_lost');
  }, 60_000);
});
