import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, it } from '@jest/globals';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import type { Browser, Page } from 'playwright-core';
import { usageStreamNames, type UsageEvent } from '@chatgate/contracts';
import { waitFor } from '@chatgate/testing';
import { launchBrowser, newPage, PHONE } from '../support/browser.js';
import { connectStackDatabase } from '../support/stack-database.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * The README's screenshots of the console (`npm run screenshots`, then commit docs/console/*.png).
 * A stack with the simulator is seeded through the admin API and real traffic; the usage of the
 * days before today is published as usage events (the service stores them as any other), so the
 * charts have a week to show. Two states the simulator cannot produce on demand (an account that
 * needs a new login) are written into the stack's own database.
 */
const OUT = fileURLToPath(new URL('../../docs/console/', import.meta.url));
const PASSWORD = 'screenshots-admin-password';
const DAY_MS = 86_400_000;

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ allServices: true, gateway: { ADMIN_PASSWORD: PASSWORD }, auth: { RANDOM_TOKEN: false, REFRESH_RATE_PER_SEC: 1, REFRESH_CONCURRENCY: 1 } });
  browser = await launchBrowser();
  await mkdir(OUT, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- seeding reads a few fields of each answer

async function api(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST', tenant?: string): Promise<Json> {
  const headers: Record<string, string> = { authorization: `Bearer ${PASSWORD}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (tenant) headers['x-chatgate-tenant'] = tenant;
  const res = await fetch(`${stack.gatewayUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as Json;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A small deterministic generator, so the pictures only change when the console does. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

async function seed(): Promise<void> {
  const { db, tenantId } = await connectStackDatabase(stack);
  try {
    const people = ['ana', 'ben', 'chloe', 'dev'].map((name) => stack.sim.issueAccount({ email: `${name}@team.example`, plan: name === 'dev' ? 'team' : 'plus' }));
    const apiKey = stack.sim.issueApiKey();
    const imported = await api('/admin/v1/accounts/import', {
      text: [...people.slice(0, 3).map((p) => p.refreshToken), people[3].accessToken].join('\n'),
      api_keys: [{ key: apiKey, base_url: `${stack.sim.url}/v1`, name: 'team key' }],
    });
    const ids: string[] = imported.results.map((r: Json) => r.accountId);

    const alice = await api('/admin/v1/users', { name: 'alice', limits: [{ model_name: 'gpt-4o', every_minute: 180, limit_count: 40 }], budget: { amountUsd: 20, period: 'month' } });
    const bob = await api('/admin/v1/users', { name: 'bob', isolated_session: true, budget: { amountUsd: 5, period: 'day' }, chatgpt_list: [ids[0], ids[1]] });
    await api('/admin/v1/users', { name: 'carol', status: 'disabled', expiresAt: new Date(Date.now() + 30 * DAY_MS).toISOString() });
    const aliceKey = (await api('/admin/v1/keys', { user: alice.id, name: 'laptop' })).key as string;
    await api('/admin/v1/keys', { user: alice.id, name: 'ci', budget: { amountUsd: 2, period: 'day' } });
    const bobKey = (await api('/admin/v1/keys', { user: bob.id, name: 'phone' })).key as string;

    // Today's traffic, for real: chat on the ChatGPT logins, embeddings on the API key. Ben's account
    // answers 429 once, so it cools down for gpt-4o (round-robin reaches it within three requests).
    stack.sim.setBehaviour(people[1].email, { fail: '429', clearsIn: 45 * 60, times: 1 });
    for (let i = 0; i < 4; i++) await stack.client(aliceKey).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `hello ${i}` }] });
    await stack.client(bobKey).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    await stack.client(aliceKey).embeddings.create({ model: 'text-embedding-3-small', input: 'a few words to embed' });

    await api(`/admin/v1/accounts/${ids[2]}/disable`, {});
    await db.query(`UPDATE auth.upstream_accounts SET status = 'needs_token', last_error_message = $2, last_error_at = now() - interval '2 hours' WHERE id = $1`, [
      ids[3],
      'The refresh token was refused (invalid_grant): enter a new login.',
    ]);

    // A finished pass for the history, then the week before today as usage events.
    const pass = await api('/admin/v1/refresh/passes', { forced: true });
    await waitFor(async () => (await api('/admin/v1/refresh/passes')).history.some((p: Json) => p.id === pass.pass.id && p.status === 'finished'), 'the refresh pass', 20_000);
    const random = seeded(7);
    const users = [
      { userId: alice.id, userName: 'alice', weight: 3 },
      { userId: bob.id, userName: 'bob', weight: 1.5 },
      { userId: null, userName: null, weight: 0.6 },
    ];
    const chatAccounts = people.slice(0, 3).map((p, i) => ({ accountId: ids[i], accountLabel: p.email }));
    const events: UsageEvent[] = [];
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    for (let day = 6; day >= 1; day--) {
      for (const user of users) {
        const count = Math.round((4 + random() * 10) * user.weight);
        for (let i = 0; i < count; i++) {
          const platform = random() < 0.2;
          const account = platform ? { accountId: ids[4], accountLabel: 'team key' } : chatAccounts[Math.floor(random() * chatAccounts.length)];
          const model = platform ? (random() < 0.5 ? 'text-embedding-3-small' : 'gpt-4o-mini') : random() < 0.7 ? 'gpt-4o' : 'o3';
          events.push({
            requestId: `screens-${day}-${user.userName}-${i}`,
            tenantId,
            userId: user.userId,
            userName: user.userName,
            credentialId: `cred-${user.userName ?? 'pool'}`,
            ...account,
            model,
            kind: model.startsWith('text-embedding') ? 'embedding' : 'chat',
            promptTokens: Math.round(200 + random() * 2000),
            completionTokens: model.startsWith('text-embedding') ? 0 : Math.round(100 + random() * 900),
            ...(platform ? { upstream: 'platform' as const } : {}),
            estimated: !platform,
            outcome: random() < 0.04 ? 'error' : 'ok',
            status: 200,
            latencyMs: 800,
            at: today - day * DAY_MS + Math.floor(random() * DAY_MS),
          });
        }
      }
    }
    const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    try {
      const js = jetstream(nc);
      const { subject } = usageStreamNames(stack.usageStreamSuffix);
      for (const e of events) await js.publish(subject, JSON.stringify(e), { msgID: e.requestId });
    } finally {
      await nc.close();
    }
    await waitFor(async () => Number((await db.query('SELECT count(*) AS n FROM usage.usage_events')).rows[0].n) >= events.length + 6, 'the usage stored', 20_000);
    await api('/admin/v1/tenants', { slug: 'acme', name: 'Acme Corp' });
  } finally {
    await db.end();
  }
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${stack.gatewayUrl}/console/`);
  await page.getByLabel('Admin password or tenant admin key').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('table', { name: 'Accounts' }).waitFor();
}

async function open(page: Page, name: string, ready: () => Promise<unknown>): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
  await ready();
  // Focus rings and hover states are not part of the picture.
  await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { blur?: () => void } | null } }).document.activeElement?.blur?.());
}

it('takes the screenshots of the console', async () => {
  await seed();
  const { page, context } = await newPage(browser, { width: 1280, height: 800 });
  const shot = (name: string) => page.screenshot({ path: `${OUT}${name}.png`, fullPage: true });

  await page.goto(`${stack.gatewayUrl}/console/`);
  await page.getByLabel('Admin password or tenant admin key').waitFor();
  await shot('sign-in');
  await signIn(page);
  await open(page, 'Accounts', () => page.locator('.badge', { hasText: 'Cooling' }).waitFor());
  await shot('accounts');

  await page.getByRole('button', { name: 'Import accounts' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import accounts' });
  await dialog.getByLabel('Tokens, one a line').fill(['# two new logins and a mistake', stack.sim.issueAccount({ email: 'eve@team.example', plan: 'plus' }).refreshToken, 'not-a-token', stack.sim.issueAccount({ email: 'fay@team.example', plan: 'pro' }).accessToken].join('\n'));
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await dialog.getByRole('table', { name: 'Import results' }).waitFor();
  await page.screenshot({ path: `${OUT}import.png` });
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();

  // A second pass, caught while it runs (one account a second).
  await open(page, 'Refresh passes', () => page.getByRole('table', { name: 'Refresh pass history' }).waitFor());
  await page.getByRole('button', { name: 'Start a refresh pass' }).click();
  await page.getByText('Running now').waitFor();
  await page.waitForTimeout(1500);
  await shot('refresh-passes');
  await open(page, 'Users and keys', () => page.getByRole('table', { name: 'Users' }).waitFor());
  await page.getByRole('button', { name: 'Keys of alice' }).click();
  await page.getByRole('table', { name: 'Keys of alice' }).waitFor();
  await shot('users-and-keys');
  await open(page, 'Usage and spend', () => page.locator('section[data-by="upstream"] svg').waitFor());
  await shot('usage');
  await open(page, 'Routing table', () => page.getByRole('table', { name: 'Routing rules' }).waitFor());
  await shot('routing');
  await open(page, 'Tenants', () => page.getByRole('table', { name: 'Tenants' }).waitFor());
  await shot('tenants');
  await context.close();

  const phone = await newPage(browser, PHONE);
  await signIn(phone.page);
  await phone.page.screenshot({ path: `${OUT}phone-accounts.png`, fullPage: true });
  await open(phone.page, 'Usage and spend', () => phone.page.locator('section[data-by="user"] svg').waitFor());
  await phone.page.screenshot({ path: `${OUT}phone-usage.png` });
  await phone.context.close();
});
