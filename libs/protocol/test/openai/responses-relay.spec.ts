import { describe, expect, it } from '@jest/globals';
import { ResponsesRelay } from '../../src/openai/responses-relay.js';
import { ResponsesEventReader } from '../../src/openai/responses-stream.js';
import { CODEX_FIXTURE_STYLE, FAILED_RATE_LIMIT, MESSAGE_ID, PARALLEL_TOOL_CALLS, REASONING_ID, TEXT_WITH_REASONING } from './responses-fixtures.js';

type Event = Record<string, unknown> & { type: string };

function relay(events: Event[], request: Record<string, unknown> = { model: 'gpt-5.5', input: 'hi' }, end = true) {
  const r = new ResponsesRelay({ id: 'resp_chatgate', request });
  const sse = events.map((e) => r.push(e)).join('') + (end ? r.end() : '');
  const reader = new ResponsesEventReader();
  return { relay: r, sse, events: [...reader.push(sse), ...reader.end()] };
}

describe('ResponsesRelay', () => {
  it("passes the backend's events through, renumbered, under chatgate's id, the output rebuilt", () => {
    const { events, relay: r } = relay(TEXT_WITH_REASONING, { model: 'gpt-5.5', input: 'hi', store: true, metadata: { app: 'x' } });
    expect(events.map((e) => e.type)).toEqual(TEXT_WITH_REASONING.map((e) => e.type));
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    for (const [i, event] of events.entries()) {
      if (!('response' in event)) expect(event).toEqual({ ...TEXT_WITH_REASONING[i], sequence_number: i });
    }
    const completed = events.at(-1)!.response as Record<string, unknown>;
    expect(completed).toMatchObject({ id: 'resp_chatgate', status: 'completed', store: true, metadata: { app: 'x' }, instructions: null, model: 'gpt-5.5' });
    expect((completed.output as { id: string }[]).map((i) => i.id)).toEqual([REASONING_ID, MESSAGE_ID]);
    expect(completed.output).toContainEqual(expect.objectContaining({ type: 'reasoning', encrypted_content: 'gAAAAABo-encrypted-reasoning==' }));
    expect(completed.usage).toEqual({ input_tokens: 37, input_tokens_details: { cached_tokens: 12 }, output_tokens: 64, output_tokens_details: { reasoning_tokens: 40 }, total_tokens: 101 });
    expect(events[0].response).toMatchObject({ id: 'resp_chatgate', status: 'in_progress', output: [], created_at: 1767225600, reasoning: { effort: 'medium', summary: 'auto' } });
    expect(r.finalResponse()).toEqual(completed);
  });

  it('drops events the public API does not have and writes nothing after the end', () => {
    const events: Event[] = [TEXT_WITH_REASONING[0], { type: 'codex.rate_limits', plan_type: 'plus' }, { type: 'keepalive' }, ...TEXT_WITH_REASONING.slice(1)];
    const { events: out, relay: r } = relay(events);
    expect(out.map((e) => e.type)).not.toContain('codex.rate_limits');
    expect(out).toHaveLength(TEXT_WITH_REASONING.length);
    expect(r.push(TEXT_WITH_REASONING[3]) + r.end()).toBe('');
  });

  it('says response.created for a backend that did not, and rebuilds sparse streams', () => {
    const sparse = CODEX_FIXTURE_STYLE.slice(1);
    const { events } = relay(sparse);
    expect(events.map((e) => e.type)).toEqual(['response.created', 'response.output_item.done', 'response.output_item.done', 'response.output_item.done', 'response.completed']);
    expect((events.at(-1)!.response as { output: unknown[] }).output).toHaveLength(3);
  });

  it("relays response.failed with the backend's error after an error event (as chatgate's own failures end), and ends a cut stream the same way", () => {
    const events = relay(FAILED_RATE_LIMIT).events;
    const failed = events.at(-1)!;
    expect(failed).toMatchObject({ type: 'response.failed', response: { id: 'resp_chatgate', status: 'failed', error: { code: 'rate_limit_exceeded' } } });
    expect(events.at(-2)).toMatchObject({ type: 'error', code: 'rate_limit_exceeded', error: { code: 'rate_limit_exceeded' } });
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const cut = relay(PARALLEL_TOOL_CALLS.slice(0, 8)).events;
    expect(cut.slice(-2).map((e) => e.type)).toEqual(['error', 'response.failed']);
    expect(cut.at(-2)).toMatchObject({ code: 'stream_truncated', error: { code: 'stream_truncated' } });
    expect(cut.at(-1)!.response).toMatchObject({ status: 'failed', error: { code: 'stream_truncated' } });
  });

  it("normalises the backend's error event to both shapes, then ends with response.failed", () => {
    const { events } = relay([TEXT_WITH_REASONING[0], { type: 'error', code: 'context_length_exceeded', message: 'Too long.', param: 'input' }]);
    expect(events.at(-2)).toEqual({
      type: 'error',
      sequence_number: 1,
      code: 'context_length_exceeded',
      message: 'Too long.',
      param: 'input',
      error: { type: 'server_error', code: 'context_length_exceeded', message: 'Too long.', param: 'input' },
    });
    expect(events.at(-1)).toMatchObject({ type: 'response.failed', sequence_number: 2, response: { id: 'resp_chatgate', status: 'failed', error: { code: 'context_length_exceeded', message: 'Too long.' } } });
  });
});
