import { describe, expect, it } from '@jest/globals';
import { JsonAnswer } from './json-answer.js';
import { usageOfBody } from './platform-usage.js';

/** `text` in chunks of `size` bytes, as a socket may cut it. */
function chunks(text: string, size: number): Uint8Array[] {
  const bytes = Buffer.from(text);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

/** Feeds an answer through; returns it with what passed on (the held chunks once released, then each chunk not held). */
function feed(text: string, holdLimit: number, chunkSize: number) {
  const answer = new JsonAnswer(holdLimit);
  const passed: Uint8Array[] = [];
  for (const chunk of chunks(text, chunkSize)) {
    if (answer.push(chunk)) continue;
    passed.push(...answer.release(), chunk);
  }
  return { answer, passing: answer.passing, passed: Buffer.concat(passed).toString() };
}

const chat = (content: string, usage = { prompt_tokens: 12, completion_tokens: 34, total_tokens: 46 }) =>
  JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage, service_tier: 'default', system_fingerprint: 'fp' }, null, 2);

describe('JsonAnswer', () => {
  it('holds a small answer whole and reads its usage exactly as the whole-body reader does', () => {
    const text = chat('short');
    const { answer, passing } = feed(text, 1024 * 1024, 7);
    expect(passing).toBe(false);
    expect(answer.whole().toString()).toBe(text);
    expect(answer.usage()).toEqual(usageOfBody(Buffer.from(text)));
    expect(answer.usage()).toEqual({ promptTokens: 12, completionTokens: 34 });
  });

  it('lets a large answer pass once past the limit, holding nothing more, and reads its usage from its end', () => {
    const text = chat('x'.repeat(200_000));
    const { answer, passing, passed } = feed(text, 10_000, 4096);
    expect(passing).toBe(true);
    expect(passed).toBe(text);
    expect(() => answer.whole()).toThrow();
    expect(answer.usage()).toEqual({ promptTokens: 12, completionTokens: 34 });
  });

  it('is not fooled by a usage written inside the text: only an unescaped key counts', () => {
    const text = chat(`${'y'.repeat(100_000)} "usage": {"prompt_tokens": 999, "completion_tokens": 999}`, undefined);
    const withoutUsage = text.replace(/,\s*"usage": \{[^}]*\}/, '');
    expect(feed(text, 10_000, 1000).answer.usage()).toEqual({ promptTokens: 12, completionTokens: 34 });
    expect(feed(withoutUsage, 10_000, 1000).answer.usage()).toBeNull();
  });

  it('takes a large Responses answer\'s id from its start', () => {
    const text = JSON.stringify({ id: 'resp_abc123', object: 'response', output: [{ id: 'msg_1', type: 'message', content: [{ type: 'output_text', text: 'z'.repeat(300_000) }] }], usage: { input_tokens: 5, output_tokens: 6, total_tokens: 11 } });
    expect(feed(text, 10_000, 8192).answer.usage()).toEqual({ promptTokens: 5, completionTokens: 6, responseId: 'resp_abc123' });
  });

  it('counts a large image answer\'s images as their keys pass, a key split across chunks included', () => {
    const image = 'A'.repeat(50_000);
    const text = JSON.stringify({ created: 1, data: [{ b64_json: image }, { b64_json: image }, { b64_json: image }], usage: { input_tokens: 7, output_tokens: 272 } }, null, 1);
    for (const size of [5, 11, 4096]) expect(feed(text, 10_000, size).answer.usage()).toEqual({ promptTokens: 7, completionTokens: 272, images: 3 });
    // Held whole, the same answer is counted by the parser.
    expect(feed(text, 1024 * 1024, 4096).answer.usage()).toEqual({ promptTokens: 7, completionTokens: 272, images: 3 });
  });
});
