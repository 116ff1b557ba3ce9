import { createServer } from 'node:net';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { startSimulator } from '@chatgate/chatgpt-sim';
import type { Simulator } from '@chatgate/chatgpt-sim';
import { startEndlessAnswer } from '@chatgate/testing';
import { ChatGptAuthClient, UpstreamAuthError } from './chatgpt-auth.client.js';

let sim: Simulator;
let client: ChatGptAuthClient;

function clientFor(url: string, timeoutMs = 5000): ChatGptAuthClient {
  return new ChatGptAuthClient({ CHATGPT_BASE_URL: url, CHATGPT_AUTH_URL: url, CHATGPT_AUTH0_URL: url, UPSTREAM_TIMEOUT_MS: timeoutMs });
}

/** The UpstreamAuthError a call fails with, after checking its message holds no credential. */
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

const TEN_DAYS_MS = 864000_000;

beforeAll(async () => {
  sim = await startSimulator();
  // A comma-separated base list: the first entry is used.
  client = new ChatGptAuthClient({
    CHATGPT_BASE_URL: `${sim.url}/,http://127.0.0.1:1`,
    CHATGPT_AUTH_URL: sim.url,
    CHATGPT_AUTH0_URL: sim.url,
    UPSTREAM_TIMEOUT_MS: 5000,
  });
});

afterAll(async () => {
  await client.close();
  await sim.close();
});

describe('ChatGptAuthClient.refresh', () => {
  it('refreshes an rt_ token and returns the rotated one; the old one is then dead', async () => {
    const account = sim.issueAccount({ plan: 'plus' });
    const result = await client.refresh(account.refreshToken);
    expect(result.accessToken).toMatch(/^eyJ/);
    expect(result.refreshToken).toMatch(/^rt_/);
    expect(result.refreshToken).not.toBe(account.refreshToken);
    expect(Math.abs(result.expiresAt.getTime() - (Date.now() + TEN_DAYS_MS))).toBeLessThan(60_000);
    expect((await client.me(result.accessToken)).email).toBe(account.email);

    const err = await failure(client.refresh(account.refreshToken), account.refreshToken);
    expect(err.kind).toBe('dead_credential');
    expect(err.status).toBe(400);
    expect(err.message).toContain('invalid_grant');

    const again = await client.refresh(result.refreshToken!);
    expect(again.refreshToken).toMatch(/^rt_/);
  });

  it('refreshes a legacy 45-character token through the auth0 endpoint', async () => {
    const account = sim.issueAccount();
    expect(account.legacyRefreshToken).toHaveLength(45);
    const result = await client.refresh(account.legacyRefreshToken);
    expect(result.accessToken).toMatch(/^eyJ/);
    expect(result.refreshToken).toHaveLength(45);
    expect(result.refreshToken).not.toBe(account.legacyRefreshToken);
    const err = await failure(client.refresh(account.legacyRefreshToken), account.legacyRefreshToken);
    expect(err.kind).toBe('dead_credential');
  });

  it('reports an unknown token as dead without naming it', async () => {
    const unknown = 'rt_' + 'x'.repeat(60);
    const err = await failure(client.refresh(unknown), unknown);
    expect(err.kind).toBe('dead_credential');
    const notAToken = 'definitely not a refresh token';
    expect((await failure(client.refresh(notAToken), notAToken)).kind).toBe('dead_credential');
  });

  it('reports a 500 from the token endpoint as transient, and the token still works after', async () => {
    const account = sim.issueAccount();
    sim.setBehaviour(account.email, { fail: '500', times: 1 });
    const err = await failure(client.refresh(account.refreshToken), account.refreshToken);
    expect(err.kind).toBe('transient');
    expect(err.status).toBe(500);
    await expect(client.refresh(account.refreshToken)).resolves.toMatchObject({ refreshToken: expect.stringMatching(/^rt_/) });
  });

  it('reports an unreachable upstream as transient', async () => {
    // A port that was free a moment ago: connection refused.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => resolve(p));
      });
    });
    const down = clientFor(`http://127.0.0.1:${port}`);
    try {
      const token = 'rt_' + 'y'.repeat(40);
      expect((await failure(down.refresh(token), token)).kind).toBe('transient');
    } finally {
      await down.close();
    }
  });

  it('reports a silent upstream as transient after the timeout', async () => {
    const server = createServer(() => undefined).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    const slow = clientFor(`http://127.0.0.1:${port}`, 200);
    try {
      const token = 'rt_' + 'z'.repeat(40);
      const err = await failure(slow.refresh(token), token);
      expect(err.kind).toBe('transient');
    } finally {
      await slow.close();
      server.close();
    }
  });

  it('reads an endless answer no further than its cap: transient, and the rest of the body is never taken', async () => {
    const answer = await startEndlessAnswer('{"access_token":"', '"}');
    const endless = clientFor(answer.url);
    try {
      const token = 'rt_' + 'w'.repeat(40);
      const err = await failure(endless.refresh(token), token);
      expect(err.kind).toBe('transient');
      expect(err.message).toContain('something other than a JSON object');
      await answer.closed;
      // The client stopped at about 1 MiB; what the server wrote beyond it sat in socket buffers, not in the client.
      expect(answer.written()).toBeLessThan(answer.offered / 4);
    } finally {
      await endless.close();
      await answer.stop();
    }
  });
});

describe('ChatGptAuthClient.exchangeSession', () => {
  it('exchanges a session cookie and returns the rotated cookie and account details', async () => {
    const account = sim.issueAccount({ plan: 'team' });
    const result = await client.exchangeSession(account.sessionToken);
    expect(result.accessToken).toMatch(/^eyJ/);
    expect(result.sessionToken).toBeTruthy();
    expect(result.sessionToken).not.toBe(account.sessionToken);
    expect(result).toMatchObject({ email: account.email, accountId: account.accountId, plan: 'team' });
    expect(Math.abs(result.expiresAt.getTime() - (Date.now() + TEN_DAYS_MS))).toBeLessThan(60_000);

    // The rotated cookie works (the old one stays valid too, as next-auth JWE sessions do).
    await expect(client.exchangeSession(result.sessionToken!)).resolves.toMatchObject({ email: account.email });
  });

  it('reports an unknown session (empty {}) as dead', async () => {
    const unknown = 'eyJ' + 'a'.repeat(1200);
    const err = await failure(client.exchangeSession(unknown), unknown);
    expect(err.kind).toBe('dead_credential');
  });

  it('reports a 500 as transient', async () => {
    const account = sim.issueAccount();
    sim.setBehaviour(account.accountId, { fail: '500', times: 1 });
    expect((await failure(client.exchangeSession(account.sessionToken), account.sessionToken)).kind).toBe('transient');
  });
});

describe('ChatGptAuthClient account info', () => {
  it('reads /backend-api/me', async () => {
    const account = sim.issueAccount();
    await expect(client.me(account.accessToken)).resolves.toEqual({
      id: account.userId,
      email: account.email,
      name: account.email.split('@')[0],
    });
  });

  it('reads the accounts check once per account', async () => {
    const plus = sim.issueAccount({ plan: 'plus' });
    await expect(client.accountsCheck(plus.accessToken)).resolves.toEqual([
      { accountId: plus.accountId, plan: 'plus', structure: 'personal', deactivated: false },
    ]);
    const team = sim.issueAccount({ plan: 'team' });
    await expect(client.accountsCheck(team.accessToken)).resolves.toEqual([
      { accountId: team.accountId, plan: 'team', structure: 'workspace', deactivated: false },
    ]);
  });

  it('reports a refused access token as dead', async () => {
    const bogus = 'eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln';
    const me = await failure(client.me(bogus), bogus);
    expect(me).toMatchObject({ kind: 'dead_credential', status: 401 });
    expect((await failure(client.accountsCheck(bogus), bogus)).kind).toBe('dead_credential');
  });
});
