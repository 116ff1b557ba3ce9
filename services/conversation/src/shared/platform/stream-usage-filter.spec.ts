import { describe, expect, it } from '@jest/globals';
import { StreamUsageFilter } from './stream-usage-filter.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const chunk = (content: string) => `data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":null}],"usage":null}\n\n`;
const usageChunk = 'data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}}\n\n';
const STREAM = chunk('Hel') + chunk('lo') + usageChunk + 'data: [DONE]\n\n';

/** Feeds the stream in pieces of `size` bytes (events split anywhere) and returns what the client would get. */
function run(filter: StreamUsageFilter, text: string, size: number): string {
  const bytes = enc.encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += size) out += dec.decode(filter.push(bytes.subarray(i, i + size)));
  return out + dec.decode(filter.end());
}

describe('StreamUsageFilter', () => {
  it('strips the usage chunk and the usage:null fields when the client did not ask, and still reads the usage', () => {
    for (const size of [1, 7, 64, 10_000]) {
      const filter = new StreamUsageFilter(false);
      const out = run(filter, STREAM, size);
      expect(out).not.toContain('usage');
      expect(out).toContain('"content":"Hel"');
      expect(out.endsWith('data: [DONE]\n\n')).toBe(true);
      expect(out.split('\n\n').filter(Boolean)).toHaveLength(3);
      expect(filter.usage).toEqual({ promptTokens: 11, completionTokens: 7 });
    }
  });

  it('passes every byte through when the client asked for usage', () => {
    const filter = new StreamUsageFilter(true);
    expect(run(filter, STREAM, 5)).toBe(STREAM);
    expect(filter.usage).toEqual({ promptTokens: 11, completionTokens: 7 });
  });

  it('leaves chunks without usage, comments and CRLF framing as they are', () => {
    const text = ': keep-alive\r\n\r\ndata: {"choices":[{"index":0,"delta":{"content":"$&x"}}]}\r\n\r\n';
    const filter = new StreamUsageFilter(false);
    expect(run(filter, text, 3)).toBe(text);
    expect(filter.usage).toBeNull();
  });

  it('keeps a replacement-pattern-looking text intact while dropping usage:null', () => {
    const filter = new StreamUsageFilter(false);
    const out = run(filter, 'data: {"choices":[{"delta":{"content":"$& $1"}}],"usage":null}\n\n', 4);
    expect(out).toBe('data: {"choices":[{"delta":{"content":"$& $1"}}]}\n\n');
  });
});

describe('StreamUsageFilter on a Responses stream', () => {
  it('reads the response id and the completed usage from the lifecycle events, passing every event unchanged', () => {
    const events = [
      'event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"resp_9","usage":null}}\n\n',
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":1,"delta":"usage"}\n\n',
      'event: response.completed\ndata: {"type":"response.completed","sequence_number":2,"response":{"id":"resp_9","usage":{"input_tokens":12,"output_tokens":5,"total_tokens":17}}}\n\n',
    ].join('');
    const filter = new StreamUsageFilter(false);
    expect(run(filter, events, 9)).toBe(events);
    expect(filter.usage).toEqual({ promptTokens: 12, completionTokens: 5, responseId: 'resp_9' });
  });
});
