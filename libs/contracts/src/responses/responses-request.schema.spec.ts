import { describe, expect, it } from '@jest/globals';
import { responsesCreateRequestSchema } from './responses-request.schema.js';

const issue = (body: unknown) => {
  const result = responsesCreateRequestSchema.safeParse(body);
  if (result.success) throw new Error('expected a failure');
  return { path: result.error.issues[0].path, message: result.error.issues[0].message };
};

describe('responsesCreateRequestSchema', () => {
  it('takes what Codex CLI sends, unknown fields and item types included', () => {
    const body = {
      model: 'gpt-5.5',
      instructions: 'You are Codex.',
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<permissions>' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix it' }] },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 's' }], encrypted_content: 'enc' },
        { type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch' },
        { type: 'custom_tool_call_output', call_id: 'c1', output: 'ok' },
        { type: 'compaction_trigger' },
      ],
      tools: [{ type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: x' } }, { type: 'web_search' }],
      tool_choice: 'auto',
      parallel_tool_calls: false,
      reasoning: { effort: 'xhigh', summary: 'auto' },
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'thread-1',
      client_metadata: { installation_id: 'abc' },
      text: { verbosity: 'low' },
      some_future_field: { anything: true },
    };
    expect(responsesCreateRequestSchema.parse(body)).toEqual(body);
  });

  it('takes what the SDKs send: a string input, easy messages, function results, json_schema', () => {
    expect(responsesCreateRequestSchema.parse({ model: 'm', input: 'hi' }).input).toBe('hi');
    const parsed = responsesCreateRequestSchema.parse({
      model: 'm',
      input: [
        { role: 'user', content: 'hi' },
        { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: '42' },
        { type: 'item_reference', id: 'msg_1' },
      ],
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
      tool_choice: { type: 'function', name: 'f' },
      previous_response_id: 'resp_1',
      metadata: { a: 'b' },
      reasoning: { effort: 'none' },
    });
    expect(parsed.input).toHaveLength(4);
  });

  it('names the field that is wrong inside a known item', () => {
    expect(issue({ model: 'm', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }).path).toEqual(['input', 0, 'call_id']);
    expect(issue({ model: 'm', input: [{ role: 'bot', content: 'x' }] }).path).toEqual(['input', 0, 'role']);
    expect(issue({ model: 'm', input: [{ role: 'user' }] }).path).toEqual(['input', 0, 'content']);
    expect(issue({ model: 'm', input: [{ type: 'function_call_output', call_id: 'c' }] }).path).toEqual(['input', 0, 'output']);
    expect(issue({ model: 'm', input: [{ type: 'reasoning' }] }).path).toEqual(['input', 0, 'summary']);
  });

  it('checks the settings it reads', () => {
    expect(issue({ input: 'x' }).path).toEqual(['model']);
    expect(issue({ model: 'm', reasoning: { effort: 'max' } }).path).toEqual(['reasoning', 'effort']);
    expect(issue({ model: 'm', text: { format: { type: 'json_schema', schema: {} } } }).path).toEqual(['text', 'format', 'name']);
    expect(issue({ model: 'm', max_output_tokens: 0 }).path).toEqual(['max_output_tokens']);
    expect(issue({ model: 'm', temperature: 3 }).path).toEqual(['temperature']);
    expect(issue({ model: 'm', metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }).message).toBe('at most 16 key-value pairs');
    expect(issue({ model: 'm', tool_choice: 'sometimes' }).path).toEqual(['tool_choice']);
  });
});
