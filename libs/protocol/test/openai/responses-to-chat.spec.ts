import { describe, expect, it } from '@jest/globals';
import { ChunkEncoder } from '../../src/openai/chat-completion-format.js';
import { ResponseAccumulator } from '../../src/openai/responses-stream.js';
import { chatCompletionFromResponses, ResponsesToChatStream, responseToChatChoice, sumChatUsage } from '../../src/openai/responses-to-chat.js';
import { CODEX_FIXTURE_STYLE, ERROR_EVENT, FAILED_RATE_LIMIT, INCOMPLETE_MAX_TOKENS, PARALLEL_TOOL_CALLS, TEXT_WITH_REASONING } from './responses-fixtures.js';

const identity = { id: 'chatcmpl-t', created: 1767225600, model: 'gpt-5.5' };
type Event = Record<string, unknown> & { type: string };

/** The chunks a stream of events becomes, parsed (each frame is one `data: {json}`). */
function chunks(events: Event[], choice = 0, encoder = new ChunkEncoder(identity, false)) {
  const translator = new ResponsesToChatStream(encoder, choice);
  const text = events.map((e) => translator.push(e)).join('') + translator.end();
  const frames = text.split('\n\n').filter(Boolean);
  for (const frame of frames) expect(frame.startsWith('data: ')).toBe(true);
  return { translator, chunks: frames.map((f) => JSON.parse(f.slice(6))) };
}

const deltas = (list: { choices: { delta: Record<string, unknown> }[] }[]) => list.map((c) => c.choices[0]?.delta);

function accumulated(events: Event[]) {
  const acc = new ResponseAccumulator();
  for (const e of events) acc.push(e);
  return acc.result();
}

describe('ResponsesToChatStream', () => {
  it('streams reasoning summaries, then content, then stop with usage (golden deltas)', () => {
    const { chunks: out, translator } = chunks(TEXT_WITH_REASONING);
    expect(deltas(out)).toEqual([
      { role: 'assistant', content: '', refusal: null },
      { reasoning_content: '**Responding to a greeting**' },
      { reasoning_content: '\n\nThe user said hello.' },
      { reasoning_content: '\n\nGreet back.' },
      { content: 'Hello! ' },
      { content: 'How can I help?' },
      {},
    ]);
    expect(out.at(-1).choices[0].finish_reason).toBe('stop');
    expect(translator.outcome).toEqual({
      kind: 'finished',
      finishReason: 'stop',
      usage: { prompt_tokens: 37, completion_tokens: 64, total_tokens: 101, reasoning_tokens: 40, cached_tokens: 12 },
    });
  });

  it('streams parallel tool calls as OpenAI does, completing arguments from output_item.done', () => {
    const { chunks: out } = chunks(PARALLEL_TOOL_CALLS);
    expect(deltas(out)).toEqual([
      { role: 'assistant', content: '', refusal: null },
      { content: 'Checking both cities.' },
      { tool_calls: [{ index: 0, id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] },
      { tool_calls: [{ index: 1, id: 'call_tokyo', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
      { tool_calls: [{ index: 1, function: { arguments: '{"city":"To' } }] },
      { tool_calls: [{ index: 1, function: { arguments: 'kyo"}' } }] },
      {},
    ]);
    expect(out.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });

  it('folds the role into the first chunk when the answer starts with a tool call', () => {
    const events = PARALLEL_TOOL_CALLS.filter((e) => !JSON.stringify(e).includes('msg_pre'));
    const { chunks: out } = chunks(events);
    expect(deltas(out)[0]).toEqual({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '' } }], refusal: null });
  });

  it('says whole what only arrived as finished items (Codex fixture style)', () => {
    const { chunks: out, translator } = chunks(CODEX_FIXTURE_STYLE);
    expect(deltas(out)).toEqual([
      { role: 'assistant', content: '', refusal: null },
      { reasoning_content: 'Thinking briefly.' },
      { content: 'Done.' },
      { tool_calls: [{ index: 0, id: 'call_sparse', type: 'function', function: { name: 'shell', arguments: '{"command":["ls"]}' } }] },
      {},
    ]);
    expect(translator.outcome).toMatchObject({ kind: 'finished', finishReason: 'tool_calls', usage: { cached_tokens: 0, reasoning_tokens: 0 } });
  });

  it('ends an incomplete max_output_tokens answer with finish_reason length', () => {
    const { chunks: out, translator } = chunks(INCOMPLETE_MAX_TOKENS);
    expect(out.at(-1).choices[0].finish_reason).toBe('length');
    expect(translator.outcome).toMatchObject({ kind: 'finished', finishReason: 'length' });
    const filtered = INCOMPLETE_MAX_TOKENS.map((e) =>
      e.type === 'response.incomplete' ? { ...e, response: { ...(e.response as object), incomplete_details: { reason: 'content_filter' } } } : e,
    );
    expect(chunks(filtered).translator.outcome).toMatchObject({ finishReason: 'content_filter' });
  });

  it('reports failures for the caller to send as an error chunk (no finish chunk)', () => {
    const failed = chunks(FAILED_RATE_LIMIT);
    expect(failed.translator.outcome).toEqual({ kind: 'failed', error: { code: 'rate_limit_exceeded', message: 'Rate limit reached. Please try again in 11.054s.' } });
    expect(failed.chunks.every((c) => c.choices[0].finish_reason === null)).toBe(true);
    expect(chunks(ERROR_EVENT).translator.outcome).toMatchObject({ kind: 'failed', error: { code: 'usage_not_included' } });
    const cut = chunks(TEXT_WITH_REASONING.slice(0, 10));
    expect(cut.translator.outcome).toMatchObject({ kind: 'failed', error: { code: 'stream_truncated' } });
  });

  it('writes each choice under its own index, sharing one completion id (n > 1)', () => {
    const encoder = new ChunkEncoder(identity, true);
    const first = new ResponsesToChatStream(encoder, 0);
    const second = new ResponsesToChatStream(encoder, 1);
    const frames: string[] = [];
    // Interleaved as parallel upstream streams would be.
    const longest = Math.max(TEXT_WITH_REASONING.length, PARALLEL_TOOL_CALLS.length);
    for (let i = 0; i < longest; i++) {
      if (TEXT_WITH_REASONING[i]) frames.push(first.push(TEXT_WITH_REASONING[i]));
      if (PARALLEL_TOOL_CALLS[i]) frames.push(second.push(PARALLEL_TOOL_CALLS[i]));
    }
    const usage = sumChatUsage([first.outcome?.kind === 'finished' ? first.outcome.usage : null, second.outcome?.kind === 'finished' ? second.outcome.usage : null]);
    expect(usage).toEqual({ prompt_tokens: 157, completion_tokens: 112, total_tokens: 269, reasoning_tokens: 56, cached_tokens: 76 });
    const parsed = frames.join('').split('\n\n').filter(Boolean).map((f) => JSON.parse(f.slice(6)));
    expect(new Set(parsed.map((c) => c.id))).toEqual(new Set(['chatcmpl-t']));
    const finishes = parsed.filter((c) => c.choices[0].finish_reason).map((c) => [c.choices[0].index, c.choices[0].finish_reason]);
    expect(finishes).toHaveLength(2);
    expect(finishes).toEqual(expect.arrayContaining([[0, 'stop'], [1, 'tool_calls']]));
    expect(parsed.filter((c) => c.choices[0].index === 1 && c.choices[0].delta.content).map((c) => c.choices[0].delta.content)).toEqual(['Checking both cities.']);
  });
});

describe('non-streamed aggregation', () => {
  it('gives content, reasoning and usage of a text answer', () => {
    const body = chatCompletionFromResponses(identity, [accumulated(TEXT_WITH_REASONING)]);
    expect(body.choices).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello! How can I help?', refusal: null, annotations: [], reasoning_content: '**Responding to a greeting**\n\nThe user said hello.\n\nGreet back.' },
        logprobs: null,
        finish_reason: 'stop',
      },
    ]);
    expect(body.usage).toEqual({ prompt_tokens: 37, completion_tokens: 64, total_tokens: 101, prompt_tokens_details: { cached_tokens: 12 }, completion_tokens_details: { reasoning_tokens: 40 } });
  });

  it('gives tool calls with the text that came before them, and n choices with summed usage', () => {
    const body = chatCompletionFromResponses(identity, [accumulated(PARALLEL_TOOL_CALLS), accumulated(TEXT_WITH_REASONING)]);
    expect(body.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: 'Checking both cities.',
        tool_calls: [
          { id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_tokyo', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
        ],
        refusal: null,
        annotations: [],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    });
    expect(body.choices[1].index).toBe(1);
    expect(body.usage.total_tokens).toBe(269);
  });

  it('answers content null for a tool-only answer, the refusal in refusal', () => {
    const toolOnly = responseToChatChoice(accumulated(CODEX_FIXTURE_STYLE.filter((e) => !JSON.stringify(e).includes('msg_sparse'))));
    expect(toolOnly).toMatchObject({ content: null, finishReason: 'tool_calls', reasoning: 'Thinking briefly.' });
    const refused = responseToChatChoice(
      accumulated([
        { type: 'response.output_item.done', item: { type: 'message', role: 'assistant', content: [{ type: 'refusal', refusal: "I can't help with that." }] } },
        { type: 'response.completed', response: { usage: null } },
      ]),
    );
    expect(refused).toMatchObject({ content: null, refusal: "I can't help with that.", finishReason: 'stop' });
  });
});
