import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type OpenAI from 'openai';
import pg from 'pg';
import { AccountPoolService, AccountsService } from '@chatgate/auth';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const POOL_CODE = 'pool-code-for-model-tests-0123456789';
const OTHER_POOL_CODE = 'another-pool-code-for-model-tests-0123';

async function idsOf(client: OpenAI): Promise<string[]> {
  const ids: string[] = [];
  for await (const model of client.models.list()) ids.push(model.id);
  return ids;
}

/** /v1/models lists what the caller's accounts' plans offer (the simulator's /backend-api/models), plus aliases. */
describe('models from the upstream', () => {
  let stack: Stack;
  let db: pg.Client;
  let tenantId: string;

  beforeAll(async () => {
    // The gateway reads the same mapping table as the workers (its limits count what a name reaches).
    const MODEL_MAP = JSON.stringify({ 'my-fast': 'gpt-4o-mini' });
    stack = await startStack({ auth: { AUTHORIZATION: `${POOL_CODE},${OTHER_POOL_CODE}` }, gateway: { MODEL_MAP }, conversation: { MODEL_MAP } });
    ({ db, tenantId } = await connectStackDatabase(stack));
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
  });
  beforeEach(() => stack.sim.resetStats());

  it('differs for a free and a plus account, with the aliases of what each offers', async () => {
    const free = stack.sim.issueAccount({ plan: 'free' });
    const plus = stack.sim.issueAccount({ plan: 'plus' });
    const freeIds = await idsOf(stack.client(free.accessToken));
    const plusIds = await idsOf(stack.client(plus.accessToken));
    expect(freeIds.sort()).toEqual(['auto', 'gpt-3.5-turbo', 'gpt-4o', 'gpt-4o-mini', 'my-fast']);
    expect(plusIds).toEqual(expect.arrayContaining([...freeIds, 'gpt-4', 'o1', 'o1-mini', 'o3', 'o3-mini', 'o3-mini-high', 'gpt-4o-canmore']));
    // gpt-4-5 is offered, but the mapping table would send that name to gpt-4: not listed as if it worked.
    expect(plusIds).not.toContain('gpt-4-5');
    expect(stack.sim.stats().modelsRequestsByAccount).toEqual({ [free.accountId]: 1, [plus.accountId]: 1 });
    await expect(stack.client(free.accessToken).models.retrieve('o1')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    expect(await stack.client(plus.accessToken).models.retrieve('o1')).toMatchObject({ id: 'o1', object: 'model', owned_by: 'chatgpt' });
  });

  it('caches a listing: the upstream is asked once per account whatever the number of calls', async () => {
    const account = stack.sim.issueAccount({ plan: 'pro' });
    const client = stack.client(account.accessToken);
    for (let i = 0; i < 4; i++) expect(await idsOf(client)).toContain('o1-pro');
    await client.models.retrieve('gpt-4o');
    expect(stack.sim.stats().modelsRequests).toBe(1);
  });

  it('lists the union of the pool’s plans, asking once per plan, and shares that cache between pool credentials', async () => {
    await db.query('DELETE FROM auth.upstream_accounts');
    const accounts = stack.auth.app.get(AccountsService);
    const frees = [stack.sim.issueAccount({ plan: 'free' }), stack.sim.issueAccount({ plan: 'free' })];
    const plus = stack.sim.issueAccount({ plan: 'plus' });
    for (const a of [...frees, plus]) await accounts.enter(tenantId, a.accessToken);
    stack.auth.app.get(AccountPoolService).announceChanged(tenantId, []);
    stack.sim.resetStats();

    const ids = await idsOf(stack.client(POOL_CODE));
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-3.5-turbo', 'o1', 'gpt-4']));
    expect(stack.sim.stats().modelsRequests).toBe(2);
    // Another credential of the same pool: the gateway has no listing for it, the worker's plan cache answers.
    expect((await idsOf(stack.client(OTHER_POOL_CODE))).sort()).toEqual([...ids].sort());
    expect(stack.sim.stats().modelsRequests).toBe(2);
    // Listing models is not a conversation: nothing was leased or sent.
    expect(stack.sim.stats().conversationRequests).toBe(0);
  });

  it('runs GPTs in gizmo mode', async () => {
    const client = stack.client(stack.sim.issueAccount().accessToken);
    for (const [model, gizmoId] of [
      ['gpt-4-gizmo-g-abc123', 'g-abc123'],
      ['g-XyZ987', 'g-XyZ987'],
    ]) {
      const completion = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello GPT' }] });
      expect(completion.choices[0].message.content).toBe('You said: hello GPT');
      expect(stack.sim.stats().lastConversation).toMatchObject({ conversationMode: { kind: 'gizmo_interaction', gizmoId } });
    }
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'plain' }] });
    expect(stack.sim.stats().lastConversation).toMatchObject({ model: 'gpt-4o', conversationMode: { kind: 'primary_assistant', gizmoId: null } });
  });
});
