import { describe, expect, it } from '@jest/globals';
import { chatToResponsesRequest } from '../../src/openai/chat-to-responses.js';
import { codexRequestRules } from '../../src/openai/codex-request-rules.js';
import { inputItems, inputWithPrevious } from '../../src/openai/previous-response.js';
import { ResponsesEventWriter } from '../../src/openai/responses-event-writer.js';
import { ResponsesRelay } from '../../src/openai/responses-relay.js';
import { ResponseAccumulator, ResponsesEventReader } from '../../src/openai/responses-stream.js';
import { chatCompletionFromResponses } from '../../src/openai/responses-to-chat.js';
import { responsesRequestToChatMessages } from '../../src/openai/responses-to-chat-messages.js';
import type { ResponseItem } from '../../src/openai/responses-types.js';
import { PARALLEL_TOOL_CALLS, TEXT_WITH_REASONING } from './responses-fixtures.js';

type Event = Record<string, unknown> & { type: string };

/** Reads public SSE text back the way a client (or chatgate's own store writer) would. */
function readBack(sse: string) {
  const reader = new ResponsesEventReader();
  const acc = new ResponseAccumulator();
  for (const event of [...reader.push(sse), ...reader.end()]) acc.push(event);
  return acc.result();
}

function accumulated(events: Event[]) {
  const acc = new ResponseAccumulator();
  for (const e of events) acc.push(e);
  return acc.result();
}

describe('round trips', () => {
  it("the writer's stream, read back, is the writer's Response", () => {
    const writer = new ResponsesEventWriter({ model: 'm' });
    const usage = { input_tokens: 3, input_tokens_details: { cached_tokens: 1 }, output_tokens: 4, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 7 };
    const sse =
      writer.reasoning('r') + writer.text('t1') + writer.functionCallStart({ name: 'f' }) + writer.functionCallArguments('{"x":1}') + writer.functionCallDone() + writer.text('t2') + writer.end({ status: 'completed', usage });
    const back = readBack(sse);
    expect(back.status).toBe('completed');
    expect(back.response).toEqual(writer.response());
    expect(back.output).toEqual(writer.response().output);
    expect(back.usage).toEqual(usage);
  });

  it("the relay's stream, read back, is the relay's final Response", () => {
    const relay = new ResponsesRelay({ id: 'resp_x', request: { model: 'gpt-5.5', input: 'hi' } });
    const sse = PARALLEL_TOOL_CALLS.map((e) => relay.push(e)).join('') + relay.end();
    const back = readBack(sse);
    expect(back.response).toEqual(relay.finalResponse());
    expect(back.output).toEqual(accumulated(PARALLEL_TOOL_CALLS).output);
  });

  it('chat tool loop: the tool calls a client got come back as the very function_call items the model made', () => {
    const turn1 = chatToResponsesRequest({ model: 'gpt-5.5', messages: [{ role: 'user', content: 'Weather in Paris and Tokyo?' }] });
    const answer = accumulated(PARALLEL_TOOL_CALLS);
    const message = chatCompletionFromResponses({ id: 'chatcmpl-1', created: 0, model: 'gpt-5.5' }, [answer]).choices[0].message as {
      content: string | null;
      tool_calls: { id: string; type: string; function: { name: string; arguments: string } }[];
    };
    const turn2 = chatToResponsesRequest({
      model: 'gpt-5.5',
      messages: [
        { role: 'user', content: 'Weather in Paris and Tokyo?' },
        { role: 'assistant', content: message.content, tool_calls: message.tool_calls },
        ...message.tool_calls.map((call) => ({ role: 'tool', tool_call_id: call.id, content: `sunny in ${JSON.parse(call.function.arguments).city}` })),
      ],
    });
    const sent = codexRequestRules(turn2.request).body.input;
    // What the model produced, as Codex replays it: no ids, no status.
    const produced = codexRequestRules({ model: 'gpt-5.5', input: answer.output }).body.input;
    expect(sent.slice(0, 1)).toEqual(codexRequestRules(turn1.request).body.input);
    expect(sent.slice(1, 4)).toEqual(produced);
    expect(sent.slice(4)).toEqual([
      { type: 'function_call_output', call_id: 'call_paris', output: 'sunny in Paris' },
      { type: 'function_call_output', call_id: 'call_tokyo', output: 'sunny in Tokyo' },
    ]);
  });

  it('previous_response_id on a Codex account: three turns, each sending the whole history once', () => {
    const turn1Input = inputItems('Hi');
    const answer1 = accumulated(TEXT_WITH_REASONING);
    const stored1 = { input: turn1Input, output: answer1.output };
    const turn2Input = inputWithPrevious(stored1, 'And in French?');
    const stored2 = { input: turn2Input, output: answer1.output };
    const turn3Input = inputWithPrevious(stored2, [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Thanks' }] }] as ResponseItem[]);
    const { body, refused } = codexRequestRules({ model: 'gpt-5.5', input: turn3Input });
    expect(refused).toEqual([]);
    expect(body.input.map((i) => `${i.type}:${(i as { role?: string }).role ?? ''}`)).toEqual([
      'message:user',
      'reasoning:',
      'message:assistant',
      'message:user',
      'reasoning:',
      'message:assistant',
      'message:user',
    ]);
    expect(body.input.every((i) => !('id' in i))).toBe(true);
    expect(body.input[1]).toMatchObject({ encrypted_content: 'gAAAAABo-encrypted-reasoning==' });
  });

  it('previous_response_id on a web account: the stored turn becomes chat history', () => {
    const writer = new ResponsesEventWriter({ model: 'gpt-4o' });
    writer.reasoning('thinking');
    writer.text('Bonjour !');
    writer.end({ status: 'completed', usage: null });
    const stored = { input: inputItems('Say hello in French'), output: writer.response().output };
    const { messages } = responsesRequestToChatMessages({ model: 'gpt-4o', input: 'Now in German', instructions: 'Be brief.' }, inputWithPrevious(stored, undefined));
    expect(messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello in French' },
      { role: 'assistant', content: 'Bonjour !' },
      { role: 'user', content: 'Now in German' },
    ]);
  });
});
