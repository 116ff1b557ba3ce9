import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import type { LooseJson } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const PASSWORD = 'admin-password-for-audit-tests-0b4';

interface Answer {
  status: number;
  json: LooseJson;
}

/** Issue 12: every admin change is one audit row (who, what, when, from where), written with the change, never holding a secret. */
describe('the audit log of admin changes', () => {
  let stack: Stack;
  let db: pg.Client;

  async function call(path: string, init: { method?: string; body?: unknown; auth?: string; tenant?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${init.auth ?? PASSWORD}` };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.tenant) headers['x-chatgate-tenant'] = init.tenant;
    const res = await fetch(`${stack.gatewayUrl}${path}`, { method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'), headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }
  const audit = async (query = '', auth?: string) => {
    const answer = await call(`/admin/v1/audit${query}`, { auth });
    expect(answer.status).toBe(200);
    return answer.json as { data: LooseJson[]; total: number; hasMore: boolean; page: number; limit: number };
  };

  beforeAll(async () => {
    stack = await startStack({ gateway: { ADMIN_PASSWORD: PASSWORD } });
    ({ db } = await connectStackDatabase(stack));
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
  });

  it('records who changed what, when and from where, newest first, with the target of each change', async () => {
    const started = new Date().toISOString();
    const user = (await call('/admin/v1/users', { body: { name: 'ada', limits: [{ model_name: 'gpt-4o', every_minute: 60, limit_count: 5 }], allowed_models: ['gpt-4o*'] } })).json;
    const key = (await call('/admin/v1/keys', { body: { user: 'ada', name: 'laptop', rpm: 60 } })).json;
    expect((await call(`/admin/v1/users/${user.id}`, { method: 'PATCH', body: { isolated_session: true } })).status).toBe(200);
    expect((await call(`/admin/v1/keys/${key.id}/revoke`, { method: 'POST', body: {} })).status).toBe(200);

    const log = await audit(`?from=${encodeURIComponent(started)}`);
    expect(log.data.map((e) => [e.action, e.target])).toEqual([
      ['keys.revoke', key.id],
      ['users.update', user.id],
      ['keys.create', key.id],
      ['users.create', user.id],
    ]);
    for (const entry of log.data) {
      expect(entry.actor).toEqual({ kind: 'operator', keyId: null, address: expect.stringMatching(/127\.0\.0\.1/) });
      expect(entry.tenantId).toBe(user.tenantId);
      expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(Date.parse(started) - 1000);
    }
    expect(log.data[1].details).toEqual({ isolated_session: true });
    expect(log.data[2].details).toMatchObject({ user: 'ada', name: 'laptop', rpm: 60 });
    expect(log.data[3].details).toMatchObject({ name: 'ada', allowed_models: ['gpt-4o*'] });
    // The key itself is answered once and never kept: not in the row.
    expect(JSON.stringify(log.data)).not.toContain(key.key);
  });

  it('never keeps a secret: imported tokens and API keys are counted and described, not stored', async () => {
    const account = stack.sim.issueAccount({ plan: 'plus' });
    const apiKey = stack.sim.issueApiKey();
    const imported = await call('/admin/v1/accounts/import', { body: { text: account.accessToken, api_keys: [{ key: apiKey, base_url: `${stack.sim.url}/v1`, name: 'main' }] } });
    expect(imported.status).toBe(200);
    const entered = await call('/api/get-user-info', { body: { chatgpt_token: account.refreshToken } });
    expect(entered.status).toBe(200);
    const [enter, importing] = (await audit('?limit=2')).data;
    expect(importing).toMatchObject({ action: 'accounts.import', details: { lines: 1, api_keys: [{ base_url: `${stack.sim.url}/v1`, name: 'main', api_style: 'openai' }] } });
    expect(enter).toMatchObject({ action: 'accounts.enter', target: expect.any(String), details: {} });
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM auth.audit_log WHERE details::text LIKE $1 OR details::text LIKE $2 OR details::text LIKE $3`, [
      `%${account.accessToken.slice(-24)}%`,
      `%${account.refreshToken.slice(-16)}%`,
      `%${apiKey.slice(-16)}%`,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('writes no row for a change that did not happen (it rolls back with it)', async () => {
    const before = (await audit()).total;
    expect((await call('/admin/v1/users', { body: { name: 'ada' } })).status).toBe(409);
    expect((await call('/admin/v1/users/00000000-0000-4000-8000-000000000000', { method: 'PATCH', body: { status: 'disabled' } })).status).toBe(404);
    expect((await call('/admin/v1/users', { body: { name: 'bad\u0000name' } })).status).toBe(400);
    expect((await audit()).total).toBe(before);
  });

  it("names the tenant admin key that acted, shows a tenant admin its own tenant's rows only, and filters by tenant, actor, action, time and page", async () => {
    const tenant = (await call('/admin/v1/tenants', { body: { slug: 'acme', name: 'Acme' } })).json;
    const adminKey = (await call('/admin/v1/keys', { body: { kind: 'tenant_admin', name: 'acme admin' }, tenant: 'acme' })).json;
    const made = (await call('/admin/v1/users', { body: { name: 'wile' }, auth: adminKey.key })).json;
    expect(made.tenantId).toBe(tenant.id);

    const own = await audit('', adminKey.key);
    expect(own.data.every((e) => e.tenantId === tenant.id)).toBe(true);
    expect(own.data[0]).toMatchObject({ action: 'users.create', target: made.id, actor: { kind: 'tenant_admin', keyId: adminKey.id, address: expect.stringMatching(/127\.0\.0\.1/) } });
    expect((await call('/admin/v1/audit?tenant=default', { auth: adminKey.key })).status).toBe(404);

    // The operator's view: the tenant's creation is in that tenant's rows; filters narrow it down.
    const acme = await audit('?tenant=acme');
    expect(acme.data.map((e) => e.action)).toEqual(['users.create', 'keys.create', 'tenants.create']);
    expect(acme.data[2]).toMatchObject({ target: tenant.id, details: { slug: 'acme', name: 'Acme' } });
    expect((await audit(`?actor=${adminKey.id}`)).data.map((e) => e.action)).toEqual(['users.create']);
    expect((await audit('?actor=operator&action=keys.create&tenant=acme')).data).toHaveLength(1);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await audit(`?from=${encodeURIComponent(future)}`)).total).toBe(0);
    const all = await audit();
    const paged = await audit('?limit=2&page=2');
    expect(paged).toMatchObject({ page: 2, limit: 2, total: all.total, hasMore: all.total > 4 });
    expect(paged.data.map((e) => e.id)).toEqual(all.data.slice(2, 4).map((e) => e.id));
    expect((await call('/admin/v1/audit?action=users.fly')).status).toBe(400);
    // Deleting the tenant keeps its trail (no foreign key to cascade from).
    expect((await call(`/admin/v1/tenants/${tenant.id}?cascade=true`, { method: 'DELETE' })).status).toBe(200);
    expect((await audit(`?tenant=${tenant.id}`)).data.map((e) => e.action)).toEqual(['tenants.delete', 'users.create', 'keys.create', 'tenants.create']);
  });
});
