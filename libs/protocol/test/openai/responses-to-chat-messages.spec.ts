import { describe, expect, it } from '@jest/globals';
import { chatMessageSchema } from '@chatgate/contracts';
import { DialectError } from '../../src/openai/dialect-error.js';
import { inputItems, inputWithPrevious } from '../../src/openai/previous-response.js';
import { responsesRequestToChatMessages } from '../../src/openai/responses-to-chat-messages.js';

function refusal(request: Record<string, unknown>, previous: never[] = []): DialectError {
  try {
    responsesRequestToChatMessages(request, previous);
  } catch (error) {
    if (error instanceof DialectError) return error;
    throw error;
  }
  throw new Error('expected a DialectError');
}

describe('responsesRequestToChatMessages', () => {
  it('turns instructions, history and item input into chat messages the chat job accepts', () => {
    const previous = inputWithPrevious(
      {
        input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }],
        output: [
          { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'thinking' }] },
          { id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hello!', annotations: [] }] },
        ],
      },
      undefined,
    );
    const result = responsesRequestToChatMessages(
      {
        model: 'gpt-4o',
        instructions: 'Be brief.',
        input: [
          { role: 'developer', content: 'Answer in French.' },
          {
            type: 'message',
            role: 'user',
            content: [
              { type: 'input_text', text: 'What is in ' },
              { type: 'input_text', text: 'this image?' },
              { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' },
              { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'doc.pdf' },
            ],
          },
        ],
        tools: [],
        include: ['reasoning.encrypted_content'],
        text: {},
        max_output_tokens: 64,
        reasoning: { effort: 'xhigh' },
      },
      previous,
    );
    expect(result).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'developer', content: 'Answer in French.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in ' },
            { type: 'text', text: 'this image?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'doc.pdf' } },
          ],
        },
      ],
      maxTokens: 64,
      reasoningEffort: 'xhigh',
    });
    for (const message of result.messages) expect(chatMessageSchema.parse(message)).toEqual(message);
  });

  it('takes a string input as one user message; text.format text is fine', () => {
    expect(responsesRequestToChatMessages({ model: 'm', input: 'Hello', text: { format: { type: 'text' } }, tool_choice: 'auto' }).messages).toEqual([{ role: 'user', content: 'Hello' }]);
  });

  it('refuses tools, tool items and structured output, naming the way out', () => {
    const tools = refusal({ model: 'm', input: 'x', tools: [{ type: 'function', name: 'f' }] });
    expect(tools).toMatchObject({ param: 'tools', code: 'unsupported_parameter' });
    expect(tools.message).toBe('Tool calling is not supported by the ChatGPT upstream. Route this model to Codex accounts or API keys to use it.');
    expect(refusal({ model: 'm', input: 'x', tool_choice: { type: 'function', name: 'f' } }).param).toBe('tool_choice');
    expect(refusal({ model: 'm', input: 'x', text: { format: { type: 'json_schema', name: 'n', schema: {} } } }).param).toBe('text.format');
    expect(refusal({ model: 'm', input: [{ role: 'user', content: 'x' }, { type: 'function_call_output', call_id: 'c', output: '1' }] }).param).toBe('input[1].type');
    expect(refusal({ model: 'm', input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' }] }).message).toContain('Route this model to Codex accounts or API keys');
    expect(refusal({ model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] }).param).toBe('input[0].type');
  });

  it('refuses parts the web backend cannot take', () => {
    const part = (p: Record<string, unknown>, role = 'user') => refusal({ model: 'm', input: [{ role, content: [p] }] });
    expect(part({ type: 'input_image', file_id: 'file-1' })).toMatchObject({ param: 'input[0].content[0].file_id', code: 'unsupported_parameter' });
    expect(part({ type: 'input_image' }).param).toBe('input[0].content[0].image_url');
    expect(part({ type: 'input_image', image_url: 'https://x/y.png', detail: 'max' }).param).toBe('input[0].content[0].detail');
    expect(part({ type: 'input_file', file_url: 'https://x/y.pdf' }).param).toBe('input[0].content[0].file_url');
    expect(part({ type: 'input_file', file_id: 'file-1' }).param).toBe('input[0].content[0].file_id');
    expect(part({ type: 'input_audio' }).code).toBe('unsupported_content_type');
    expect(part({ type: 'input_image', image_url: 'https://x/y.png' }, 'assistant').param).toBe('input[0].content[0].type');
    expect(refusal({ model: 'm', input: [{ role: 'bot', content: 'x' }] }).param).toBe('input[0].role');
    expect(refusal({ model: 'm', instructions: 'only this' }).param).toBe('input');
  });

  it('names the stored history when that is what cannot be sent', () => {
    const previous = inputWithPrevious({ input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'x' }] }], output: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' }] }, undefined);
    expect(refusal({ model: 'm', input: 'next' }, previous as never[]).param).toBe('previous_response_id.type');
  });
});

describe('inputWithPrevious', () => {
  it('is the stored input, the stored output, then the new input; copies, not the stored objects', () => {
    const stored = {
      input: [{ type: 'message' as const, role: 'user' as const, content: [{ type: 'input_text' as const, text: 'turn 1' }] }],
      output: [{ id: 'fc_1', type: 'function_call' as const, call_id: 'call_1', name: 'f', arguments: '{}' }],
    };
    const merged = inputWithPrevious(stored, [{ type: 'function_call_output', call_id: 'call_1', output: 'result' }]);
    expect(merged).toEqual([...stored.input, ...stored.output, { type: 'function_call_output', call_id: 'call_1', output: 'result' }]);
    (merged[1] as { name: string }).name = 'changed';
    expect(stored.output[0].name).toBe('f');
    expect(inputItems('hello')).toEqual([{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] }]);
    expect(inputItems(undefined)).toEqual([]);
  });
});
