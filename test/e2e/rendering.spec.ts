import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { AccountsService } from '@chatgate/auth';
import { DEVELOPMENT_FILE_LINK_SECRET, FileLinkSealer } from '@chatgate/conversation';
import { replyFor, simFileBytes, type GeneratedFile, type SimAccount } from '@chatgate/chatgpt-sim';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;
type Completion = OpenAI.Chat.Completions.ChatCompletion;
type WithReasoning = { reasoning_content?: string };
/** What the client ends up with, streamed or not. */
interface Reply {
  content: string;
  reasoning: string;
  finish: string | null | undefined;
}

const POOL_CODE = 'pool-code-for-rendering-0123456789';
const STREAM_ERROR_TEXT =
  'Something went wrong while generating the response. If this issue persists please contact us through our help center at help.openai.com.';

// The goldens: what an OpenAI client shows for each kind of ChatGPT output (chat2api's Markdown).
const CODE_BLOCKS = '```python\nimport math\nprint(math.sqrt(1764))\n```\n\n```Output\n42\n```';
const GOLDEN = {
  code: `${CODE_BLOCKS}\n\nThe square root of 1764 is **42**.`,
  browse:
    '> Searching: why do tides happen\n\n' +
    '> Searched 2 sites\n\n' +
    "> [Tides explained](https://tides.example/explained)\n> The moon's gravity pulls the oceans toward it.\n\n" +
    'The moon drives the tides [Tides explained](https://tides.example/explained). ' +
    'Both sources agree [Tides explained](https://tides.example/explained) [Moon facts](https://moon.example/facts).',
  sandboxCode: "```python\nwith open('/mnt/data/report.csv', 'w') as f:\n    f.write('a,b\\n1,2\\n')\n```",
};
const LINK = '(http://127\\.0\\.0\\.1:\\d+/v1/files/[A-Za-z0-9_-]{100,})';
const IMAGE_REPLY = new RegExp(`^!\\[image\\]\\(${LINK}\\)\\n\\nHere is your lighthouse\\.$`);
const SANDBOX_REPLY = new RegExp(`^${escape(GOLDEN.sandboxCode)}\\n\\nYour file is ready: \\[report\\.csv\\]\\(${LINK}\\)\\.$`);

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function collect(stream: AsyncIterable<Chunk>): Promise<Reply> {
  const chunks: Chunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return {
    content: chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''),
    reasoning: chunks.map((c) => (c.choices[0]?.delta as WithReasoning | undefined)?.reasoning_content ?? '').join(''),
    finish: chunks.findLast((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason,
  };
}

describe.each([
  { encoding: 'v1', v1: true },
  { encoding: 'legacy', v1: false },
])('rendering ChatGPT output for OpenAI clients ($encoding upstream encoding)', ({ v1 }) => {
  let stack: Stack;
  let own: SimAccount;
  let pooled: SimAccount;
  let ownClient: OpenAI;
  let poolClient: OpenAI;
  // The simulator's v1 turns open with a commentary preamble, which is reasoning.
  const preamble = v1 ? 'Let me check a source first.' : '';

  beforeAll(async () => {
    stack = await startStack({ auth: { AUTHORIZATION: POOL_CODE }, conversation: { UPSTREAM_V1_ENCODING: v1 } });
    own = stack.sim.issueAccount({ plan: 'plus' });
    pooled = stack.sim.issueAccount({ plan: 'plus' });
    const { db, tenantId } = await connectStackDatabase(stack);
    await db.end();
    await stack.auth.app.get(AccountsService).enter(tenantId, pooled.accessToken);
    ownClient = stack.client(own.accessToken);
    poolClient = stack.client(POOL_CODE);
  });
  afterAll(() => stack?.close());

  const streamed = async (client: OpenAI, prompt: string, extra: object = {}): Promise<Reply> =>
    collect((await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: prompt }], stream: true, ...extra } as never)) as unknown as AsyncIterable<Chunk>);
  const whole = async (client: OpenAI, prompt: string, extra: object = {}): Promise<Reply> => {
    const completion = (await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: prompt }], ...extra } as never)) as Completion;
    const message = completion.choices[0].message as Completion['choices'][0]['message'] & WithReasoning;
    return { content: message.content ?? '', reasoning: message.reasoning_content ?? '', finish: completion.choices[0].finish_reason };
  };
  /** Both ways of asking; each must give the same reply. */
  const both = async (client: OpenAI, prompt: string, extra: object = {}) => [await streamed(client, prompt, extra), await whole(client, prompt, extra)];
  /** Streamed, then not: `check` runs after each, so it can look at the file that very reply made. */
  const eachWay = async (client: OpenAI, prompt: string, check: (reply: Reply) => Promise<void>) => {
    await check(await streamed(client, prompt));
    await check(await whole(client, prompt));
  };
  const newestFile = (): GeneratedFile => stack.sim.generatedFiles().at(-1)!;
  const fetchLink = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });

  it('text: the answer as it is', async () => {
    const prompt = 'Plain words [[sim chunks=4]]';
    for (const reply of await both(ownClient, prompt)) expect(reply).toEqual({ content: replyFor(prompt).text, reasoning: preamble, finish: 'stop' });
    expect(replyFor(prompt).text).toBe('You said: Plain words');
  });

  it('reasoning: in reasoning_content (delta and message), never in content', async () => {
    const prompt = 'Ponder [[sim reasoning=1]]';
    for (const reply of await both(ownClient, prompt)) {
      expect(reply.content).toBe('You said: Ponder');
      expect(reply.reasoning).toMatch(/^\*\*Working out the reply\*\*\nThe user wrote: Ponder\. The task is to repeat it back, prefixed with "You said:"\.\n\nThought for \d+ seconds?(\n\nLet me check a source first\.)?$/);
      expect(reply.reasoning.endsWith(preamble)).toBe(true);
    }
  });

  it('code and its output: fenced with the language, then an Output block', async () => {
    for (const reply of await both(ownClient, 'Root of 1764 [[sim tool=code]]')) expect(reply).toEqual({ content: GOLDEN.code, reasoning: preamble, finish: 'stop' });
  });

  it('code a thinking model runs while it reasons: in reasoning_content, fenced the same way; the answer stays clean', async () => {
    const reasoning = new RegExp(`^\\*\\*Working out the reply\\*\\*\\n[^\\n]+\\n\\nThought for \\d+ seconds?\\n\\n${v1 ? 'Let me check a source first\\.\\n\\n' : ''}${escape(CODE_BLOCKS)}$`);
    for (const reply of await both(ownClient, 'Root of 1764 [[sim tool=code reasoning=1]]')) {
      expect(reply.content).toBe('The square root of 1764 is **42**.');
      expect(reply.reasoning).toMatch(reasoning);
    }
  });

  it('browsing with citations: quoted notes and pages, citation markers as links, no private-use characters', async () => {
    for (const reply of await both(ownClient, 'Tides? [[sim tool=browse]]')) {
      expect(reply).toEqual({ content: GOLDEN.browse, reasoning: preamble, finish: 'stop' });
      expect(reply.content).not.toMatch(/[\ue000-\uf8ff【】]/);
    }
  });

  it('image generation (pool account): nothing while generating, then an image whose link serves the bytes with no credential', async () => {
    await eachWay(poolClient, 'Draw [[sim tool=image]]', async (reply) => {
      const match = IMAGE_REPLY.exec(reply.content);
      expect(match).not.toBeNull();
      const file = newestFile();
      expect(file).toMatchObject({ kind: 'sediment', accountId: pooled.accountId });
      const res = await fetchLink(match![1]);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('content-disposition')).toBe("inline; filename*=UTF-8''lighthouse.png");
      expect(Buffer.from(await res.arrayBuffer())).toEqual(simFileBytes(file));
      // The link names no upstream id or account.
      expect(match![1]).not.toContain(file.id);
      expect(match![1]).not.toContain(pooled.accountId);
    });
  });

  it('an image generated after the stream ends (async task): awaited in the saved conversation, then shown', async () => {
    const reply = new RegExp(`^Your lighthouse is on its way\\.\\n\\n!\\[image\\]\\(${LINK}\\)$`);
    await eachWay(poolClient, 'Draw later [[sim tool=image_async]]', async ({ content }) => {
      const match = reply.exec(content);
      expect(match).not.toBeNull();
      const file = newestFile();
      expect(file).toMatchObject({ kind: 'sediment', accountId: pooled.accountId });
      const res = await fetchLink(match![1]);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(simFileBytes(file));
    });
    const note = '_(The generated image is not linked: ChatGPT keeps generated files only with chat history on, and this is a temporary chat.)_';
    expect((await whole(poolClient, 'Draw later [[sim tool=image_async]]', { history_disabled: true })).content).toBe(`Your lighthouse is on its way.\n\n${note}`);
  });

  it('image generation with a caller’s own token (file-service): the link needs that same credential', async () => {
    const reply = await streamed(ownClient, 'Draw [[sim tool=dalle]]');
    const match = IMAGE_REPLY.exec(reply.content);
    expect(match).not.toBeNull();
    const file = newestFile();
    expect(file).toMatchObject({ kind: 'file', accountId: own.accountId });
    const anonymous = await fetchLink(match![1]);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: object }).error).toMatchObject({ code: 'missing_api_key', type: 'invalid_request_error' });
    const stranger = await fetchLink(match![1], { authorization: `Bearer ${stack.sim.issueAccount().accessToken}` });
    expect(stranger.status).toBe(404);
    const owner = await fetchLink(match![1], { authorization: `Bearer ${own.accessToken}` });
    expect(owner.status).toBe(200);
    expect(Buffer.from(await owner.arrayBuffer())).toEqual(simFileBytes(file));
  });

  it('sandbox files: the code, then a Markdown link to the file through the gateway', async () => {
    await eachWay(poolClient, 'Make a CSV [[sim tool=sandbox]]', async (reply) => {
      const match = SANDBOX_REPLY.exec(reply.content);
      expect(match).not.toBeNull();
      const file = newestFile();
      expect(file).toMatchObject({ kind: 'sandbox', id: '/mnt/data/report.csv' });
      const res = await fetchLink(match![1]);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv');
      expect(res.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''report.csv");
      expect(res.headers.get('content-security-policy')).toContain('sandbox');
      expect(await res.text()).toBe(simFileBytes(file).toString());
    });
  });

  it('history off: a clear note instead of a link, and upstream keeps no file', async () => {
    const before = stack.sim.generatedFiles().length;
    const note = '_(The generated image is not linked: ChatGPT keeps generated files only with chat history on, and this is a temporary chat.)_';
    for (const reply of await both(poolClient, 'Draw [[sim tool=image]]', { history_disabled: true })) {
      expect(reply.content).toBe(`${note}\n\nHere is your lighthouse.`);
    }
    const sandboxNote = '_(The generated file is not linked: ChatGPT keeps generated files only with chat history on, and this is a temporary chat.)_';
    expect((await whole(poolClient, 'Make a CSV [[sim tool=sandbox]]', { history_disabled: true })).content).toBe(
      `${GOLDEN.sandboxCode}\n\nYour file is ready: [report.csv] ${sandboxNote}.`,
    );
    expect(stack.sim.generatedFiles().length).toBe(before);
  });

  it('moderation: what was rendered so far, then content_filter', async () => {
    const expected = `${GOLDEN.browse.slice(0, GOLDEN.browse.indexOf('The moon drives'))}The moon drives the tides [Tides explained](https://tides.example/explained). Both sources`;
    for (const reply of await both(ownClient, 'Tides? [[sim tool=browse fail=moderation after=2]]')) expect(reply).toEqual({ content: expected, reasoning: preamble, finish: 'content_filter' });
  });

  it('an error in the stream: the rendered blocks, then an error event (streamed) or a 502 (not streamed)', async () => {
    const prompt = 'Root of 1764 [[sim tool=code fail=stream_error after=1]]';
    const stream = (await ownClient.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: prompt }], stream: true })) as unknown as AsyncIterable<Chunk>;
    let received = '';
    const err = await (async () => {
      for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as Error).message).toContain(STREAM_ERROR_TEXT);
    expect(received).toBe(`${CODE_BLOCKS}\n\nThe square root`);
    await expect(whole(ownClient, prompt)).rejects.toMatchObject({ status: 502, code: v1 ? 'internal_error' : 'upstream_error' });
  });

  describe('file links', () => {
    const link = (token: string) => `${stack.gatewayUrl}/v1/files/${token}`;

    it('refuses a forged token with 404 in the OpenAI envelope', async () => {
      for (const token of ['x'.repeat(120), 'not-a-token', `${'A'.repeat(200)}_-`]) {
        const res = await fetchLink(link(token));
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ error: { message: 'No such file link.', type: 'invalid_request_error', param: null, code: 'file_link_not_found', request_id: expect.any(String) } });
      }
    });

    it('refuses an expired token with 403, a token sealed with another secret with 404', async () => {
      const payload = { v: 1 as const, t: 't', a: 'a', c: 'c', m: 'gpt-4o', k: 'file' as const, id: 'file-x', cv: 'cv', ms: 'ms', ex: Math.floor(Date.now() / 1000) - 1 };
      const expired = await fetchLink(link(new FileLinkSealer(DEVELOPMENT_FILE_LINK_SECRET).seal(payload)));
      expect(expired.status).toBe(403);
      expect(((await expired.json()) as { error: object }).error).toMatchObject({ code: 'file_link_expired', type: 'invalid_request_error' });
      const foreign = await fetchLink(link(new FileLinkSealer('some other secret of at least 32 chars').seal({ ...payload, ex: payload.ex + 3600 })));
      expect(foreign.status).toBe(404);
    });

    // Last of the pool's tests: it leaves the pool's only account cooling down.
    it('still serves a pool account’s file while that account is at its message cap', async () => {
      const { content } = await whole(poolClient, 'Draw [[sim tool=image]]');
      const url = IMAGE_REPLY.exec(content)![1];
      const file = newestFile();
      await expect(whole(poolClient, 'More [[sim fail=429 clears_in=600]]')).rejects.toMatchObject({ status: 429 });
      await expect(whole(poolClient, 'Again')).rejects.toMatchObject({ status: 429 });
      const res = await fetchLink(url);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(simFileBytes(file));
    });

    it('answers 404 when the upstream no longer has the file', async () => {
      const payload = { v: 1 as const, t: 'unused', a: null, c: 'c', m: 'gpt-4o', k: 'file' as const, id: 'file-gone', cv: 'cv', ms: 'ms', ex: Math.floor(Date.now() / 1000) + 60 };
      // An own-token link for a credential the caller does not hold: 404 as well, nothing revealed.
      const res = await fetchLink(link(new FileLinkSealer(DEVELOPMENT_FILE_LINK_SECRET).seal(payload)), { authorization: `Bearer ${own.accessToken}` });
      expect(res.status).toBe(404);
    });
  });
});

describe('rendering: reasoning inline (REASONING_INLINE)', () => {
  let stack: Stack;
  afterAll(() => stack?.close());

  it.each([
    // The simulator's v1 turn: thoughts, the recap, then the commentary preamble, all reasoning.
    ['think_tags', /^<think>\n\*\*Working out the reply\*\*\nThe user wrote: Ponder\.[^\n]*\n\nThought for \d+ seconds?\n\nLet me check a source first\.\n<\/think>\n\nYou said: Ponder$/],
    ['quote', /^> \*\*Working out the reply\*\*\n> The user wrote: Ponder\.[^\n]*\n>\n> Thought for \d+ seconds?\n>\n> Let me check a source first\.\n\nYou said: Ponder$/],
  ])('%s: reasoning in content too, and still in reasoning_content', async (mode, content) => {
    await stack?.close();
    stack = await startStack({ conversation: { REASONING_INLINE: mode } });
    const client = stack.client(stack.sim.issueAccount({ plan: 'plus' }).accessToken);
    const stream = (await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Ponder [[sim reasoning=1]]' }], stream: true })) as unknown as AsyncIterable<Chunk>;
    const reply = await collect(stream);
    expect(reply.content).toMatch(content);
    expect(reply.reasoning).toMatch(/^\*\*Working out the reply\*\*/);
  });
});
