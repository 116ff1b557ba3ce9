import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulator, type Simulator } from '@chatgate/chatgpt-sim';
import { UpstreamAuthError } from './chatgpt-auth.client.js';
import { CodexAuthClient } from './codex-auth.client.js';

const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
let sim: Simulator;
let client: CodexAuthClient;
const servers: Server[] = [];

function clientFor(url: string, timeoutMs = 5000, clientId = CODEX_CLIENT_ID): CodexAuthClient {
  return new CodexAuthClient({ CODEX_AUTH_URL: url, CODEX_CLIENT_ID: clientId, UPSTREAM_TIMEOUT_MS: timeoutMs });
}

/** A local auth server answering every request with `handle`; counts what it was sent. */
async function fakeAuth(handle: (body: string, res: import('node:http').ServerResponse) => void): Promise<{ url: string; received: string[] }> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(body);
      handle(body, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function failure(call: Promise<unknown>, ...secrets: string[]): Promise<UpstreamAuthError> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamAuthError);
    for (const secret of secrets) expect((err as Error).message).not.toContain(secret);
    return err as UpstreamAuthError;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  sim = await startSimulator();
  client = clientFor(sim.url);
});

afterAll(async () => {
  await client.close();
  await sim.close();
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

describe('CodexAuthClient.refresh', () => {
  it("refreshes a Codex login with Codex's client id and hands back the successor", async () => {
    const login = sim.codex.login({ plan: 'pro' });
    const result = await client.refresh(login.refreshToken);
    expect(result.accessToken).toMatch(/^eyJ/);
    expect(result.refreshToken).toMatch(/^rt_/);
    expect(result.refreshToken).not.toBe(login.refreshToken);
    expect(result.idToken).toMatch(/^eyJ/);
    expect(result.expiresAt.getTime()).toBeGreaterThan(Date.now() + 86_400_000);
    const body = sim.codex.requests().filter((r) => r.path === '/oauth/token').at(-1)?.body as Record<string, unknown>;
    expect(body).toMatchObject({ client_id: CODEX_CLIENT_ID, grant_type: 'refresh_token', refresh_token: login.refreshToken });
  });

  it('reports a reused refresh token as dead, with its code and without the token', async () => {
    const login = sim.codex.login();
    await client.refresh(login.refreshToken);
    const err = await failure(client.refresh(login.refreshToken), login.refreshToken);
    expect(err.kind).toBe('dead_credential');
    expect(err.status).toBe(401);
    expect(err.message).toContain('refresh_token_reused');
  });

  it.each(['expired', 'invalidated'] as const)('reports refresh_token_%s as dead', async (outcome) => {
    const login = sim.codex.login();
    sim.codex.setAccount(login.accountId, { nextRefresh: outcome });
    const err = await failure(client.refresh(login.refreshToken), login.refreshToken);
    expect(err.kind).toBe('dead_credential');
    expect(err.message).toContain(`refresh_token_${outcome}`);
  });

  it("reports a token refused as another client's (invalid_grant) as dead", async () => {
    const login = sim.codex.login();
    const other = clientFor(sim.url, 5000, 'app_someone_else');
    try {
      expect((await failure(other.refresh(login.refreshToken), login.refreshToken)).kind).toBe('dead_credential');
    } finally {
      await other.close();
    }
    // Refused without using it up: the right client still refreshes it.
    expect((await client.refresh(login.refreshToken)).accessToken).toMatch(/^eyJ/);
  });

  it('takes a 5xx as transient: the upstream refused without using the token', async () => {
    const login = sim.codex.login();
    sim.setBehaviour(login.accountId, { fail: '500', times: 1 });
    expect((await failure(client.refresh(login.refreshToken), login.refreshToken)).kind).toBe('transient');
    expect((await client.refresh(login.refreshToken)).accessToken).toMatch(/^eyJ/);
  });

  it('takes a refused connection as transient: nothing was sent', async () => {
    const closed = await fakeAuth(() => undefined);
    const port = new URL(closed.url).port;
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const down = clientFor(`http://127.0.0.1:${port}`);
    try {
      expect((await failure(down.refresh('rt_secret_never_sent_anywhere'), 'rt_secret_never_sent_anywhere')).kind).toBe('transient');
    } finally {
      await down.close();
    }
  });

  it('takes a request that got no answer as outcome_unknown: it reached the upstream', async () => {
    const silent = await fakeAuth(() => undefined);
    const slow = clientFor(silent.url, 500);
    try {
      const err = await failure(slow.refresh('rt_sent_but_unanswered_token'), 'rt_sent_but_unanswered_token');
      expect(err.kind).toBe('outcome_unknown');
      expect(silent.received).toHaveLength(1);
      expect(JSON.parse(silent.received[0])).toMatchObject({ client_id: CODEX_CLIENT_ID, refresh_token: 'rt_sent_but_unanswered_token' });
    } finally {
      await slow.close();
    }
  });

  it('takes a cut connection and a 200 without an access token as outcome_unknown', async () => {
    const cut = await fakeAuth((_, res) => res.socket?.destroy());
    const empty = await fakeAuth((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"token_type":"Bearer"}'));
    for (const url of [cut.url, empty.url]) {
      const c = clientFor(url);
      try {
        expect((await failure(c.refresh('rt_some_refresh_token_value'), 'rt_some_refresh_token_value')).kind).toBe('outcome_unknown');
      } finally {
        await c.close();
      }
    }
  });
});

describe('CodexAuthClient.whoami', () => {
  it('names the workspace of an at- token', async () => {
    const grant = sim.codex.accessToken({ plan: 'enterprise' });
    expect(await client.whoami(grant.accessToken)).toEqual({ accountId: grant.accountId, plan: 'enterprise', userId: expect.any(String), email: grant.email });
  });

  it('reports an unknown token as dead without naming it', async () => {
    const token = 'at-' + 'x'.repeat(40);
    expect((await failure(client.whoami(token), token)).kind).toBe('dead_credential');
  });
});
