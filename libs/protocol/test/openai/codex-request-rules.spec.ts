import { describe, expect, it } from '@jest/globals';
import { chatToResponsesRequest } from '../../src/openai/chat-to-responses.js';
import { CODEX_BODY_RULES, CODEX_DEFAULT_INSTRUCTIONS, codexRequestRules } from '../../src/openai/codex-request-rules.js';

const ruleNames = (outcomes: { rule: string }[]) => [...new Set(outcomes.map((o) => o.rule))];

describe('codexRequestRules', () => {
  it('turns what a public client sends into the body Codex sends (golden)', () => {
    const request = {
      model: 'gpt-5.5',
      input: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
        { id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hello', annotations: [] }] },
        { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 's' }], encrypted_content: 'enc==' },
        { id: 'rs_2', type: 'reasoning', summary: [] },
        { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}', status: 'completed' },
        { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
      ],
      store: true,
      stream: false,
      max_output_tokens: 500,
      temperature: 1,
      metadata: { k: 'v' },
      user: 'u',
      truncation: 'auto',
      include: ['file_search_call.results'],
      tools: [{ type: 'web_search_preview' }, { type: 'image_generation', n: 2 }, { type: 'function', name: 'f', parameters: {} }],
      prompt_cache_key: 'conv-1',
      client_metadata: { installation_id: 'x' },
      service_tier: 'auto',
    };
    const original = structuredClone(request);
    const { body, refused, maxOutputTokens } = codexRequestRules(request);
    expect(refused).toEqual([]);
    expect(request).toEqual(original);
    expect(body).toEqual({
      model: 'gpt-5.5',
      instructions: CODEX_DEFAULT_INSTRUCTIONS,
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Be brief.' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello', annotations: [] }] },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 's' }], encrypted_content: 'enc==' },
        { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
      ],
      store: false,
      stream: true,
      include: ['file_search_call.results', 'reasoning.encrypted_content'],
      tools: [{ type: 'web_search' }, { type: 'image_generation' }, { type: 'function', name: 'f', parameters: {} }],
      prompt_cache_key: 'conv-1',
      client_metadata: { installation_id: 'x' },
    });
    expect(maxOutputTokens).toBe(500);
  });

  it('reports each change under its rule, stripped values included', () => {
    const { outcomes, stripped } = codexRequestRules({ model: 'm', input: 'hi', metadata: { a: 'b' }, max_tokens: 10, user: 'u', temperature: null });
    expect(ruleNames(outcomes)).toEqual(['input-as-item-list', 'store-false', 'stream-true', 'instructions-present', 'include-encrypted-reasoning', 'no-token-limit', 'no-metadata', 'peer-stripped-fields']);
    expect(stripped).toEqual([
      { rule: 'no-token-limit', action: 'stripped', param: 'max_tokens', reason: expect.stringContaining('rejected') as unknown as string, value: 10 },
      { rule: 'no-metadata', action: 'stripped', param: 'metadata', reason: expect.stringContaining('Unsupported parameter: metadata') as unknown as string, value: { a: 'b' } },
      { rule: 'peer-stripped-fields', action: 'stripped', param: 'user', reason: expect.any(String) as unknown as string, value: 'u' },
    ]);
  });

  it('leaves a body that already follows the rules as it is (only id-less items, nothing forced)', () => {
    const codexBody = {
      model: 'gpt-5.5',
      instructions: 'You are Codex.',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix the bug' }] }],
      tools: [{ type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: x' } }],
      tool_choice: 'auto',
      parallel_tool_calls: false,
      reasoning: { effort: 'medium', summary: 'auto' },
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'c',
      text: { verbosity: 'low' },
    };
    const { body, outcomes } = codexRequestRules(codexBody);
    expect(body).toEqual(codexBody);
    expect(outcomes).toEqual([]);
  });

  it('refuses what it cannot send, each with the sentence the client reads', () => {
    const { refused } = codexRequestRules({
      model: 'm',
      input: [{ type: 'item_reference', id: 'msg_9' }],
      temperature: 0.2,
      top_p: 0.5,
      previous_response_id: 'resp_1',
      conversation: 'conv_1',
      prompt: { id: 'pmpt_1' },
      context_management: [{ type: 'compaction' }],
      background: true,
      top_logprobs: 3,
      tools: [{ type: 'function', name: 'x'.repeat(65) }],
    });
    expect(refused.map((r) => r.param)).toEqual(['input[0]', 'temperature', 'top_p', 'previous_response_id', 'conversation', 'prompt', 'context_management', 'background', 'top_logprobs', 'tools[0].name']);
    expect(refused.find((r) => r.param === 'temperature')?.reason).toBe("Unsupported value: 'temperature' does not support 0.2 on this upstream. Only the default (1) value is supported.");
  });

  it('refuses an empty input and fills blank instructions', () => {
    const { body, refused } = codexRequestRules({ model: 'm', input: [], instructions: '  ' });
    expect(refused.map((r) => r.param)).toEqual(['input']);
    expect(body.instructions).toBe(CODEX_DEFAULT_INSTRUCTIONS);
  });

  it('keeps the priority tier, strips the others', () => {
    expect(codexRequestRules({ model: 'm', input: 'x', service_tier: 'priority' }).body.service_tier).toBe('priority');
    expect(codexRequestRules({ model: 'm', input: 'x', service_tier: 'flex' }).body).not.toHaveProperty('service_tier');
  });

  it('takes a translated chat request end to end', () => {
    const chat = chatToResponsesRequest({
      model: 'gpt-5.5',
      messages: [{ role: 'system', content: 'Sys' }, { role: 'user', content: 'hi' }],
      max_tokens: 20,
      temperature: 0.7,
    });
    const { body, refused, maxOutputTokens } = codexRequestRules(chat.request);
    expect(body.instructions).toBe('Sys');
    expect(maxOutputTokens).toBe(20);
    expect(refused.map((r) => r.param)).toEqual(['temperature']);
  });

  it('runs only the rules it is given (a rule changes in one place)', () => {
    const only = CODEX_BODY_RULES.filter((rule) => rule.name === 'store-false');
    const { body } = codexRequestRules({ model: 'm', input: 'x', store: true, metadata: { a: 'b' } }, only);
    expect(body).toEqual({ model: 'm', input: 'x', store: false, metadata: { a: 'b' } });
    expect(new Set(CODEX_BODY_RULES.map((rule) => rule.name)).size).toBe(CODEX_BODY_RULES.length);
    for (const rule of CODEX_BODY_RULES) expect(rule.reason.length).toBeGreaterThan(20);
  });
});
