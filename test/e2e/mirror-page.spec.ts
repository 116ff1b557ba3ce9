import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { AccountPoolService } from '@chatgate/auth';
import { waitFor } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const PASSWORD = 'admin-password-for-page-tests-5e1';

interface Page {
  status: number;
  headers: Headers;
  text: string;
}

/** ChatGPT-Mirror's login-free link (`/api/not-login`) and the user page `/me`, with the usage service running. */
describe('login-free link and user page', () => {
  let stack: Stack;
  let db: pg.Client;
  let tenantId: string;

  const get = async (path: string, cookie?: string): Promise<Page> => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const login = async (userName: string): Promise<string> => {
    const account = stack.sim.issueAccount({ plan: 'plus' });
    const res = await fetch(`${stack.gatewayUrl}/api/login`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PASSWORD}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_name: userName, access_token: account.accessToken }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as Record<string, string>)['user-gateway-token'];
  };
  /** Follows the link by hand: the cookie it sets, checked for its attributes and for not carrying the token. */
  const signIn = async (token: string): Promise<string> => {
    const link = await get(`/api/not-login?user_gateway_token=${encodeURIComponent(token)}`);
    expect(link.status).toBe(302);
    expect(link.headers.get('location')).toBe('/me');
    const setCookie = link.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^cg_page=[\w-]{40,}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    expect(setCookie).not.toContain(token);
    return setCookie.split(';')[0];
  };
  const todayOf = (page: Page) => Number(/id="today">(\d+)</.exec(page.text)?.[1]);

  beforeAll(async () => {
    stack = await startStack({ allServices: true, gateway: { ADMIN_PASSWORD: PASSWORD }, auth: { RANDOM_TOKEN: false } });
    ({ db, tenantId } = await connectStackDatabase(stack));
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
  });
  beforeEach(async () => {
    await db.query('DELETE FROM auth.users');
    await db.query('DELETE FROM auth.upstream_accounts');
    stack.auth.app.get(AccountPoolService).announceChanged(tenantId, []);
  });

  it("signs the browser in and shows the user's name, base URL and usage, which counts a chat request", async () => {
    const token = await login('ivy');
    const cookie = await signIn(token);
    const page = await get('/me', cookie);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.text).toContain('<h1>ivy</h1>');
    expect(page.text).toContain(`<code id="base-url">${stack.gatewayUrl}/v1</code>`);
    expect(page.text).not.toContain(token);
    const before = todayOf(page);
    expect(before).toBe(0);

    await stack.client(token).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] });
    // Usage is recorded asynchronously (gateway → stream → usage service): the page catches up.
    const after = await waitFor(async () => {
      const p = await get('/me', cookie);
      return todayOf(p) === before + 1 ? p : null;
    }, 'the page to count the chat request', 10_000, 100);
    expect(after?.text).toMatch(/<td data-model="gpt-4o">1<\/td>/);
  });

  it('refuses an invalid token with a 401 page and no cookie, and /me without a session', async () => {
    const link = await get('/api/not-login?user_gateway_token=mt-cg-not-a-real-token');
    expect(link.status).toBe(401);
    expect(link.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(link.headers.get('set-cookie')).toBeNull();
    expect(link.headers.get('location')).toBeNull();
    expect(link.text).toContain('Not signed in');
    expect(link.text).not.toContain('mt-cg-not-a-real-token');
    expect((await get('/api/not-login')).status).toBe(401);
    expect((await get('/me')).status).toBe(401);
    expect((await get('/me', 'cg_page=forged-handle-0123456789')).status).toBe(401);
  });

  it("ends the session when the user's token is revoked (logout)", async () => {
    const token = await login('jan');
    const cookie = await signIn(token);
    expect((await get('/me', cookie)).status).toBe(200);
    const logout = await fetch(`${stack.gatewayUrl}/api/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PASSWORD}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_name: 'jan' }),
    });
    expect(logout.status).toBe(200);
    await waitFor(async () => (await get('/me', cookie)).status === 401, 'the page to refuse the revoked token', 5000, 50);
  });
});
