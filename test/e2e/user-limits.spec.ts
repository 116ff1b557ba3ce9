import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { AccountsService } from '@chatgate/auth';
import { waitFor, type LooseJson } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const PASSWORD = 'admin-password-for-limit-tests-5d2';

/** Model limits set on a real user (admin API) and enforced for that user's key through the gateway. */
describe.each([
  { name: 'with a worker', workers: 1 },
  { name: 'with no worker running', workers: 0 },
])('user limits ($name)', ({ workers }) => {
  let stack: Stack;
  let db: pg.Client;

  const admin = async (path: string, body: unknown): Promise<LooseJson> => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${PASSWORD}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    return res.json();
  };
  const chat = (key: string, model = 'gpt-4o') =>
    fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'limited' }] }),
    });
  const keyFor = async (name: string, limitCount: number) => {
    await admin('/admin/v1/users', { name, limits: [{ model_name: 'gpt-4o', every_minute: 60, limit_count: limitCount }] });
    return (await admin('/admin/v1/keys', { user: name })).key as string;
  };

  beforeAll(async () => {
    stack = await startStack({ allServices: true, workers, gateway: { ADMIN_PASSWORD: PASSWORD } });
    let tenantId: string;
    ({ db, tenantId } = await connectStackDatabase(stack));
    await stack.auth.app.get(AccountsService).enter(tenantId, stack.sim.issueAccount({ plan: 'plus' }).accessToken);
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await stack?.close();
  });

  if (workers === 1) {
    it('lets exactly the limit through under concurrency, per user, per model', async () => {
      const key = await keyFor('alice', 5);
      const statuses = (await Promise.all(Array.from({ length: 30 }, () => chat(key)))).map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(25);
      // Another user's window and another model are their own.
      expect((await chat(await keyFor('bob', 5))).status).toBe(200);
      expect((await chat(key, 'gpt-4o-mini')).status).toBe(200);
    });
  } else {
    it('returns the slot of a request no worker took', async () => {
      const key = await keyFor('carol', 1);
      const first = await chat(key);
      expect(first.status).toBe(503);
      // The release is a message on the bus; the next request sees the slot free again (not 429).
      await waitFor(async () => (await chat(key)).status === 503, 'the slot to come back', 5000, 100);
    });

    it('returns the slot of a platform request no worker took (its job carries no usage of its own)', async () => {
      await admin('/admin/v1/users', { name: 'dave', limits: [{ model_name: 'text-embedding-3-small', every_minute: 60, limit_count: 1 }] });
      const key = (await admin('/admin/v1/keys', { user: 'dave' })).key as string;
      // text-embedding-* goes to API keys under the default routing table.
      const embed = () =>
        fetch(`${stack.gatewayUrl}/v1/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'text-embedding-3-small', input: 'x' }) });
      const first = await embed();
      expect(first.status).toBe(503);
      expect(((await first.json()) as LooseJson).error).toMatchObject({ code: 'worker_unavailable' });
      await waitFor(async () => (await embed()).status === 503, 'the slot to come back', 5000, 100);
    });
  }
});
