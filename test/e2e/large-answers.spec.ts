import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type OpenAI from 'openai';
import { AccountsService } from '@chatgate/auth';
import { replyFor } from '@chatgate/chatgpt-sim';
import type { LooseJson } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const POOL_CODE = 'pool-code-for-large-answers-2f7';
const MIB = 1024 * 1024;
type Completion = OpenAI.Chat.Completions.ChatCompletion & { conversation_id?: string; message_id?: string };

/**
 * Issue 12 (low): a non-streamed answer, and a conversation-management reply, larger than one NATS
 * message (`max_payload`, 1 MiB) failed. Both now travel in parts and arrive whole.
 */
describe('answers larger than one NATS message', () => {
  let stack: Stack;
  let answer: Completion;
  const prompt = 'tell me everything [[sim words=250000 chunks=40]]';

  beforeAll(async () => {
    // The simulator runs in this process: writing a reply of this size blocks the event loop for
    // seconds, which a 2 s idle timeout would take for a dead worker.
    stack = await startStack({ auth: { AUTHORIZATION: POOL_CODE }, gateway: { STREAM_IDLE_TIMEOUT_MS: 30_000 } });
    const { db, tenantId } = await connectStackDatabase(stack);
    await db.end();
    await stack.auth.app.get(AccountsService).enter(tenantId, stack.sim.issueAccount({ plan: 'plus' }).accessToken);
  }, 60_000);
  afterAll(() => stack?.close());

  it('answers a non-streamed chat of more than 1 MiB whole', async () => {
    answer = (await stack.client(POOL_CODE).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: prompt }] }, { timeout: 60_000 })) as Completion;
    const content = answer.choices[0].message.content!;
    expect(Buffer.byteLength(content)).toBeGreaterThan(MIB);
    expect(content).toBe(replyFor(prompt).text);
    expect(answer.choices[0].finish_reason).toBe('stop');
  }, 60_000);

  it('reads that conversation back through the management API, more than 1 MiB of it', async () => {
    const res = await fetch(`${stack.gatewayUrl}/backend-api/conversation/${answer.conversation_id}`, { headers: { authorization: `Bearer ${POOL_CODE}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(Buffer.byteLength(text)).toBeGreaterThan(MIB);
    const conversation = JSON.parse(text) as LooseJson;
    expect(conversation.conversation_id).toBe(answer.conversation_id);
    expect(conversation.mapping[answer.message_id!].message.content.parts).toEqual([answer.choices[0].message.content]);
  }, 60_000);
});
