import { describe, expect, it } from '@jest/globals';
import { countTokens } from 'gpt-tokenizer';
import { ResponsesRelay, type ResponseStreamEvent } from '@chatgate/protocol';
import { ResponsesOutputLimit } from './responses-output-limit.js';

const USAGE = { input_tokens: 10, output_tokens: 60, total_tokens: 70 };
const WORDS = Array.from({ length: 40 }, (_, i) => `word${i} `);

/** A Codex stream: a reasoning item, then a message whose text comes in one delta per word, then completed. */
function upstream(): ResponseStreamEvent[] {
  const message = { id: 'msg_1', type: 'message', role: 'assistant', status: 'in_progress', content: [] };
  return [
    { type: 'response.created', response: { id: 'up', status: 'in_progress', output: [] } },
    { type: 'response.output_item.added', output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } },
    { type: 'response.reasoning_summary_part.added', output_index: 0, item_id: 'rs_1', summary_index: 0, part: { type: 'summary_text', text: '' } },
    { type: 'response.reasoning_summary_text.delta', output_index: 0, item_id: 'rs_1', summary_index: 0, delta: 'think' },
    { type: 'response.output_item.done', output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'think' }], encrypted_content: 'x' } },
    { type: 'response.output_item.added', output_index: 1, item: message },
    { type: 'response.content_part.added', output_index: 1, item_id: 'msg_1', content_index: 0, part: { type: 'output_text', text: '', annotations: [] } },
    ...WORDS.map((delta) => ({ type: 'response.output_text.delta', output_index: 1, item_id: 'msg_1', content_index: 0, delta })),
    { type: 'response.output_text.done', output_index: 1, item_id: 'msg_1', content_index: 0, text: WORDS.join('') },
    { type: 'response.output_item.done', output_index: 1, item: { ...message, status: 'completed', content: [{ type: 'output_text', text: WORDS.join(''), annotations: [] }] } },
    { type: 'response.completed', response: { id: 'up', status: 'completed', output: [], usage: USAGE } },
  ];
}

describe('ResponsesOutputLimit', () => {
  it('passes everything when the answer fits', () => {
    const limit = new ResponsesOutputLimit(10_000);
    const events = upstream();
    expect(events.flatMap((e) => limit.push(e))).toEqual(events);
    expect(limit.cut).toBe(false);
  });

  it('cuts at the limit (reasoning counted), closes the open message, and ends incomplete with the upstream usage', () => {
    const limit = new ResponsesOutputLimit(12);
    const out = upstream().flatMap((e) => limit.push(e));
    expect(limit.cut).toBe(true);
    const text = out.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta as string).join('');
    expect(countTokens('think') + countTokens(text)).toBe(12);
    const types = out.map((e) => e.type);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.incomplete']);
    expect(types.filter((t) => t === 'response.output_item.done')).toHaveLength(2);
    expect(types.at(-1)).toBe('response.incomplete');
    expect(out.find((e) => e.type === 'response.output_text.done')).toMatchObject({ text });

    // Through the relay: the public response is incomplete, with the cut text and the upstream's counts.
    const relay = new ResponsesRelay({ id: 'resp_1', request: { model: 'gpt-5.4', max_output_tokens: 12 } });
    for (const event of out) relay.push(event);
    const final = relay.finalResponse();
    expect(final).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: { output_tokens: 60 } });
    expect(final.output[1]).toMatchObject({ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text }] });
  });

  it('ends incomplete without usage when the upstream breaks off after the cut', () => {
    const limit = new ResponsesOutputLimit(3);
    const out = upstream().slice(0, 12).flatMap((e) => limit.push(e));
    expect(limit.cut).toBe(true);
    const tail = limit.finish();
    expect(tail).toHaveLength(1);
    expect(tail[0]).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });
    expect((tail[0].response as { usage?: unknown }).usage).toBeUndefined();
    expect(out.at(-1)!.type).toBe('response.output_item.done');
    expect(limit.finish()).toEqual([]);
  });
});
