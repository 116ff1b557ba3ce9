import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import pg from 'pg';
import { AccountPoolService, AccountsService } from '@chatgate/auth';
import type { SimAccount } from '@chatgate/chatgpt-sim';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const POOL_CODE = 'pool-code-storm-0123456789abcdef';

/**
 * Every account of the pool answering 401 (a storm): each account is refreshed once, the fresh token
 * refused again sets it aside, and pool-code clients get the pool's 503, never a 401 (which SDKs
 * read as their own key being wrong). Counted with the simulator's own stats.
 */
describe('a 401 storm over the pool', () => {
  let stack: Stack;
  let client: OpenAI;
  let db: pg.Client;
  let tenantId: string;
  let accounts: AccountsService;

  const ask = (content: string) => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }] });
  const rowsOf = async (ids: string[]) => (await db.query('SELECT chatgpt_account_id, status, last_error_message FROM auth.upstream_accounts WHERE chatgpt_account_id = ANY($1)', [ids])).rows;

  /** Accounts entered by refresh token (so auth can refresh them), all answering 401 from now on. */
  async function refusingAccounts(count: number): Promise<SimAccount[]> {
    const issued = Array.from({ length: count }, () => stack.sim.issueAccount({ plan: 'plus' }));
    for (const account of issued) await accounts.enter(tenantId, account.refreshToken);
    stack.sim.resetStats();
    for (const account of issued) stack.sim.setBehaviour(account.email, { fail: '401' });
    return issued;
  }

  beforeAll(async () => {
    stack = await startStack({ auth: { AUTHORIZATION: POOL_CODE }, conversation: { RETRY_TIMES: 3 }, allServices: true });
    accounts = stack.auth.app.get(AccountsService);
    client = stack.client(POOL_CODE);
    ({ db, tenantId } = await connectStackDatabase(stack));
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
  });
  beforeEach(async () => {
    await db.query('DELETE FROM auth.upstream_accounts');
    stack.auth.app.get(AccountPoolService).announceChanged(tenantId, []);
  });

  it('refreshes each account once, sets aside the ones whose fresh token is refused, and answers 503, never 401', async () => {
    const pool = await refusingAccounts(4);
    // One after another, as the fault suite sent them: the counts are then exact.
    for (const i of [1, 2, 3, 4]) {
      const err = await ask(`storm ${i}`).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect(err).toMatchObject({ status: 503, code: 'no_usable_account', type: 'server_error' });
    }
    const stats = stack.sim.stats();
    // One refresh per account for the whole storm (was: one per 401, 24 for these 4 requests).
    expect(stats.refreshes).toBe(4);
    for (const account of pool) expect(stats.refreshesByAccount[account.accountId]).toBe(1);
    // Each account is asked twice, with its old token and its fresh one: the first request tries three
    // (RETRY_TIMES), the second the last one, the others find none left (was: 24 calls).
    expect(stats.conversationRequests).toBe(8);
    for (const account of pool) expect(stats.byAccount[account.accountId]).toBe(2);

    const rows = await rowsOf(pool.map((a) => a.accountId));
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row.status).toBe('needs_token');
      expect(row.last_error_message).toMatch(/refused this account's access token \(401\) \d+ s after it was refreshed: set aside/);
    }

    // Set aside: the next request reaches no upstream and refreshes nothing.
    await expect(ask('after the storm')).rejects.toMatchObject({ status: 503, code: 'no_usable_account' });
    expect(stack.sim.stats().conversationRequests).toBe(8);
    expect(stack.sim.stats().refreshes).toBe(4);
  });

  it('still refreshes each account once when the requests come all at once', async () => {
    const pool = await refusingAccounts(4);
    const answers = await Promise.all([1, 2, 3, 4].map((i) => ask(`storm ${i}`).then(() => null, (err: unknown) => err)));
    for (const err of answers) expect(err).toMatchObject({ status: 503, code: 'no_usable_account' });
    // Requests that leased an account before another's refresh get the fresh token without a refresh of their own.
    expect(stack.sim.stats().refreshes).toBe(4);
    for (const account of pool) expect(stack.sim.stats().refreshesByAccount[account.accountId]).toBe(1);
    expect((await rowsOf(pool.map((a) => a.accountId))).map((r) => r.status)).toEqual(['needs_token', 'needs_token', 'needs_token', 'needs_token']);
  });

  it('answers the web protocol relay and speech with the pool error too, each account refreshed once', async () => {
    const [web, voice] = await refusingAccounts(2);
    const relayed = await fetch(`${stack.gatewayUrl}/backend-api/conversation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${POOL_CODE}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'next', model: 'gpt-4o', parent_message_id: 'client-created-root', messages: [{ id: 'm1', author: { role: 'user' }, content: { content_type: 'text', parts: ['hello'] } }] }),
    });
    expect(relayed.status).toBe(503);
    expect(((await relayed.json()) as { error: unknown }).error).toMatchObject({ code: 'no_usable_account', type: 'server_error' });

    // Both accounts are set aside by now; a fresh one for speech.
    const [speaker] = await refusingAccounts(1);
    const spoken = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello there.' }).then(() => null, (err: unknown) => err);
    expect(spoken).toMatchObject({ status: 503, code: 'no_usable_account' });
    expect(stack.sim.stats().refreshesByAccount[speaker.accountId]).toBe(1);
    const rows = await rowsOf([web.accountId, voice.accountId, speaker.accountId]);
    expect(rows.map((r) => r.status)).toEqual(['needs_token', 'needs_token', 'needs_token']);
  });

  it("still answers a caller's own refused token with 401: that one is the caller's", async () => {
    const own = stack.sim.issueAccount();
    stack.sim.setBehaviour(own.email, { fail: '401' });
    await expect(stack.client(own.accessToken).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'mine' }] })).rejects.toMatchObject({ status: 401, code: 'upstream_unauthorized' });
  });
});
