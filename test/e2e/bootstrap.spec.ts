import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { authEnv, ConfigError, parseConfig } from '@chatgate/config';
import { AccountRefresher, BootstrapService, loadBootstrapFile, startAuth } from '@chatgate/auth';
import type { SimAccount } from '@chatgate/chatgpt-sim';
import { testEnv } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';

const AUTH_KEY = 'private-upstream-gateway-key-7f3';
const ALICE_KEY = 'sk-cg-bootstrap-alice-plain-key-0001';
// Bob's key is only ever in the file as its hash, as an operator would commit it.
const BOB_KEY = 'sk-cg-bootstrap-bob-hashed-key-0002';
const TOKEN_ENV = 'BOOTSTRAP_E2E_ACCESS_TOKEN';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Declarative provisioning end to end: the file applied at auth start, used for chat, applied again, and refused when broken. */
describe('declarative provisioning (CHATGATE_BOOTSTRAP) and AUTH_KEY', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatgate-bootstrap-e2e-'));
  const file = join(dir, 'bootstrap.yaml');
  let stack: Stack;
  let db: pg.Client;
  let first: SimAccount;
  let second: SimAccount;
  /** What the simulator saw while auth started: the refresh-token exchange and the account checks. */
  let startupStats: ReturnType<Stack['sim']['stats']>;

  const yamlFor = (aliceLimit: number, usersBefore = '') => `# kept in git by the operator
tenants:
  - slug: acme
    name: Acme Corp
    accounts:
      - token_env: ${TOKEN_ENV}
      - token_file: second.token
    users:${usersBefore}
      - name: alice
        isolated_session: true
        limits:
          - { model_name: gpt-4o, every_minute: 60, limit_count: ${aliceLimit} }
        chatgpt_list: [${first.email}]
        keys:
          - name: alice laptop
            plain: ${ALICE_KEY}
      - name: bob
        status: active
        keys:
          - hash: sha256:${sha256(BOB_KEY)}
            expires_at: 2099-01-01T00:00:00Z
`;

  /** Every row the file can touch, in a stable order (timestamps included: an unchanged row keeps its updated_at). */
  const state = async () => ({
    tenants: (await db.query('SELECT * FROM auth.tenants ORDER BY slug')).rows,
    users: (await db.query('SELECT * FROM auth.users ORDER BY name')).rows,
    keys: (await db.query('SELECT * FROM auth.api_keys ORDER BY hash')).rows,
    accounts: (await db.query('SELECT id, tenant_id, identity_key, email, status, access_token_enc, refresh_token_enc, updated_at FROM auth.upstream_accounts ORDER BY identity_key')).rows,
  });
  const ask = (key: string) => stack.client(key).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello from the bootstrap' }] });
  const applyAgain = () => stack.auth.app.get(BootstrapService).apply(loadBootstrapFile(file, { nodeEnv: 'test', env: process.env }));

  beforeAll(async () => {
    stack = await startStack({
      conversation: { AUTH_KEY },
      auth: (sim) => {
        // The accounts the file points to come from this stack's simulator, issued before auth starts.
        first = sim.issueAccount({ plan: 'plus' });
        second = sim.issueAccount({ plan: 'plus' });
        process.env[TOKEN_ENV] = first.accessToken;
        writeFileSync(join(dir, 'second.token'), `${second.refreshToken}\n`);
        writeFileSync(file, yamlFor(10));
        return { CHATGATE_BOOTSTRAP: file, AUTH_KEY };
      },
    });
    startupStats = stack.sim.stats();
    db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
    delete process.env[TOKEN_ENV];
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the tenant, users, keys and accounts the file declares, with their settings', async () => {
    const s = await state();
    expect(s.tenants.map((t) => [t.slug, t.name])).toEqual([['acme', 'Acme Corp'], ['default', expect.any(String)]]);
    const acme = s.tenants.find((t) => t.slug === 'acme')!.id;
    expect(s.users.map((u) => [u.name, u.tenant_id, u.status, u.isolated_session])).toEqual([['alice', acme, 'active', true], ['bob', acme, 'active', false]]);
    expect(s.users[0].limits).toEqual([{ model: 'gpt-4o', everyMinutes: 60, count: 10 }]);
    const firstAccount = s.accounts.find((a) => a.email === first.email)!;
    expect(s.users[0].allowed_account_ids).toEqual([firstAccount.id]);
    expect(s.keys.map((k) => k.hash).sort()).toEqual([sha256(ALICE_KEY), sha256(BOB_KEY)].sort());
    expect(s.keys.find((k) => k.hash === sha256(BOB_KEY))!.expires_at.toISOString()).toBe('2099-01-01T00:00:00.000Z');
    expect(s.accounts.map((a) => [a.email, a.tenant_id, a.status]).sort()).toEqual([[first.email, acme, 'active'], [second.email, acme, 'active']].sort());
    // The refresh token was exchanged at start, carrying AUTH_KEY like every other upstream call.
    expect(startupStats.refreshesByAccount[second.accountId]).toBe(1);
    expect(startupStats.authKeysSeen).toEqual({ [AUTH_KEY]: expect.any(Number) });
  });

  it('declared keys chat through the pool with the official client; the upstream sees AUTH_KEY', async () => {
    stack.sim.resetStats();
    const reply = await ask(ALICE_KEY);
    expect(reply.choices[0].message.content).toBe('You said: hello from the bootstrap');
    // alice may lease only the first account (chatgpt_list).
    expect(stack.sim.stats().byAccount).toEqual({ [first.accountId]: 1 });
    expect(stack.sim.stats().authKeysSeen).toEqual({ [AUTH_KEY]: 1 });
    expect((await ask(BOB_KEY)).choices[0].message.content).toBeTruthy();
    expect(stack.sim.stats().conversationRequests).toBe(2);
  });

  it('applying the same file again changes nothing and calls no upstream', async () => {
    const before = await state();
    stack.sim.resetStats();
    const summary = await applyAgain();
    expect(summary).toEqual({
      tenants: { created: 0, updated: 0, unchanged: 1 },
      users: { created: 0, updated: 0, unchanged: 2 },
      keys: { created: 0, updated: 0, unchanged: 2 },
      accounts: { created: 0, updated: 0, unchanged: 2, failed: 0 },
    });
    expect(await state()).toEqual(before);
    // The refresh token in the file was rotated away at start: presenting it again would be refused.
    expect(stack.sim.stats().tokenRequests).toBe(0);
  });

  it('a changed file updates only what changed, in one transaction that a fault rolls back whole', async () => {
    writeFileSync(file, yamlFor(3));
    const summary = await applyAgain();
    expect(summary.users).toEqual({ created: 0, updated: 1, unchanged: 1 });
    const alice = (await db.query("SELECT limits FROM auth.users WHERE name = 'alice'")).rows[0];
    expect(alice.limits).toEqual([{ model: 'gpt-4o', everyMinutes: 60, count: 3 }]);
    const before = await state();
    // carol is valid and comes first; dave names an account the tenant does not have.
    writeFileSync(file, yamlFor(5, `\n      - name: carol\n      - name: dave\n        chatgpt_list: [nobody@example.com]`));
    const fault = await applyAgain().catch((err: unknown) => err);
    expect(fault).toBeInstanceOf(ConfigError);
    expect((fault as Error).message).toContain(`${file} line 11, field tenants[0].users[1].chatgpt_list[0]: No upstream account`);
    expect(await state()).toEqual(before);
    writeFileSync(file, yamlFor(3));
  });

  it('an admin-side refresh of a declared account carries AUTH_KEY', async () => {
    stack.sim.resetStats();
    const { rows } = await db.query('SELECT id FROM auth.upstream_accounts WHERE email = $1', [second.email]);
    await stack.auth.app.get(AccountRefresher).refresh(rows[0].id);
    expect(stack.sim.stats().refreshesByAccount).toEqual({ [second.accountId]: 1 });
    expect(stack.sim.stats().authKeysSeen).toEqual({ [AUTH_KEY]: expect.any(Number) });
  });

  it('a broken file stops auth with one line naming the file, the line and the field', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'tenants:\n  - slug: acme\n    users:\n      - name: bob\n        limts: []\n');
    const config = parseConfig(authEnv, testEnv({ DATABASE_URL: stack.databaseUrl, CHATGPT_BASE_URL: stack.sim.url, CHATGPT_AUTH_URL: stack.sim.url, CHATGPT_AUTH0_URL: stack.sim.url, CODEX_AUTH_URL: stack.sim.url, CHATGATE_BOOTSTRAP: broken }));
    const fault = await startAuth(config).catch((err: unknown) => err);
    expect(fault).toBeInstanceOf(ConfigError);
    expect((fault as Error).message).toBe(`invalid configuration: CHATGATE_BOOTSTRAP ${broken} line 5, field tenants[0].users[0].limts: unknown field`);
    writeFileSync(broken, 'tenants:\n  - slug: acme\n    accounts:\n      - token: eyJhbGciOi.literal.token\n');
    const literal = await startAuth(parseConfig(authEnv, testEnv({ DATABASE_URL: stack.databaseUrl, CHATGPT_BASE_URL: stack.sim.url, CHATGPT_AUTH_URL: stack.sim.url, CHATGPT_AUTH0_URL: stack.sim.url, CODEX_AUTH_URL: stack.sim.url, CHATGATE_BOOTSTRAP: broken }))).catch((err: unknown) => err);
    expect((literal as Error).message).toMatch(/line 4, field tenants\[0\]\.accounts\[0\]\.token: tokens are never written/);
    expect((literal as Error).message).not.toContain('literal');
  });
});
