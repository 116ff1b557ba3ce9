import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, type Stack } from '../support/stack.js';

/** A port nothing listens on: a base that cannot be reached. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('several upstream bases (CHATGPT_BASE_URL=a,b)', () => {
  let stack: Stack;

  beforeAll(async () => {
    const dead = `http://127.0.0.1:${await deadPort()}`;
    stack = await startStack({ conversation: (sim) => ({ CHATGPT_BASE_URL: `${dead},${sim.url}` }) });
  });
  afterAll(() => stack?.close());

  it('skips a base that cannot be reached, without failing any request', async () => {
    const client = stack.client(stack.sim.issueAccount().accessToken);
    for (let i = 0; i < 6; i++) {
      const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `base ${i}` }] });
      expect(completion.choices[0].message.content).toBe(`You said: base ${i}`);
    }
    expect(stack.sim.stats().conversationRequests).toBe(6);
  });
});
