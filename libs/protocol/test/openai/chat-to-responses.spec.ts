import { describe, expect, it } from '@jest/globals';
import { chatToResponsesRequest } from '../../src/openai/chat-to-responses.js';
import { DialectError } from '../../src/openai/dialect-error.js';

const weatherTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

function refusal(body: Record<string, unknown>): DialectError {
  try {
    chatToResponsesRequest(body);
  } catch (error) {
    if (error instanceof DialectError) return error;
    throw error;
  }
  throw new Error('expected a DialectError');
}

describe('chatToResponsesRequest', () => {
  it('translates a whole tool loop (golden)', () => {
    const { request, stop, choices, unsupported, dropped } = chatToResponsesRequest({
      model: 'gpt-5.5',
      stream: true,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use tools.' }] },
        { role: 'user', content: 'Weather in Paris and Tokyo?', name: 'ana' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_tokyo', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_paris', content: '18°C' },
        { role: 'tool', tool_call_id: 'call_tokyo', content: [{ type: 'text', text: '22' }, { type: 'text', text: '°C' }] },
        { role: 'system', content: 'Answer in one line.' },
      ],
      tools: [weatherTool],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      max_completion_tokens: 300,
      max_tokens: 999,
      stop: ['\n\n', 'END'],
      n: 2,
      reasoning_effort: 'high',
      metadata: { team: 'core' },
      user: 'u-1',
      store: false,
    });
    expect(request).toEqual({
      model: 'gpt-5.5',
      instructions: 'You are terse.\n\nUse tools.',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris and Tokyo?' }] },
        { type: 'function_call', call_id: 'call_paris', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', call_id: 'call_tokyo', name: 'get_weather', arguments: '{"city":"Tokyo"}' },
        { type: 'function_call_output', call_id: 'call_paris', output: '18°C' },
        { type: 'function_call_output', call_id: 'call_tokyo', output: '22°C' },
        { type: 'message', role: 'system', content: [{ type: 'input_text', text: 'Answer in one line.' }] },
      ],
      tools: [{ type: 'function', name: 'get_weather', description: 'Weather of a city', parameters: weatherTool.function.parameters, strict: false }],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      reasoning: { effort: 'high', summary: 'auto' },
      max_output_tokens: 300,
      user: 'u-1',
      store: false,
      metadata: { team: 'core' },
      stream: true,
    });
    expect(stop).toEqual(['\n\n', 'END']);
    expect(choices).toBe(2);
    expect(unsupported).toEqual([]);
    expect(dropped).toEqual([{ param: 'messages[2].name', reason: 'The Responses API has no participant names.' }]);
  });

  it('maps user parts: text, image_url (detail kept, default auto), file data and file ids', () => {
    const { request } = chatToResponsesRequest({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
            { type: 'image_url', image_url: 'https://example.com/cat.jpg' },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
            { type: 'file', file: { file_id: 'file-123' } },
          ],
        },
      ],
    });
    expect(request.input[0]).toEqual({
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: 'What is this?' },
        { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' },
        { type: 'input_image', image_url: 'https://example.com/cat.jpg', detail: 'auto' },
        { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' },
        { type: 'input_file', file_id: 'file-123' },
      ],
    });
    expect(request.stream).toBe(false);
  });

  it('keeps assistant text before its tool calls, refusals as refusal parts, and no empty assistant message', () => {
    const { request } = chatToResponsesRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'Let me check.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
        { role: 'assistant', content: [{ type: 'text', text: 'Sure' }, { type: 'refusal', refusal: 'but not that' }] },
        { role: 'assistant', content: '', tool_calls: [{ id: 'c2', function: { name: 'g' } }] },
        { role: 'assistant', content: null, refusal: 'No.' },
      ],
    });
    expect(request.input.slice(1)).toEqual([
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Let me check.', annotations: [] }] },
      { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'ok' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Sure', annotations: [] }, { type: 'refusal', refusal: 'but not that' }] },
      { type: 'function_call', call_id: 'c2', name: 'g', arguments: '' },
      { type: 'message', role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] },
    ]);
  });

  it('keeps a lone system message as input (nothing else would be left to send)', () => {
    const { request } = chatToResponsesRequest({ model: 'm', messages: [{ role: 'system', content: 'Say hi.' }] });
    expect(request.instructions).toBeUndefined();
    expect(request.input).toEqual([{ type: 'message', role: 'system', content: [{ type: 'input_text', text: 'Say hi.' }] }]);
  });

  it('maps every tool_choice form', () => {
    const choice = (tool_choice: unknown) => chatToResponsesRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [weatherTool], tool_choice }).request.tool_choice;
    expect(choice('none')).toBe('none');
    expect(choice('required')).toBe('required');
    expect(choice({ type: 'function', function: { name: 'get_weather' } })).toEqual({ type: 'function', name: 'get_weather' });
    expect(choice({ type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'get_weather' } }] } })).toEqual({
      type: 'allowed_tools',
      mode: 'required',
      tools: [{ type: 'function', name: 'get_weather' }],
    });
    expect(refusal({ model: 'm', messages: [{ role: 'user', content: 'x' }], tool_choice: 'sometimes' }).param).toBe('tool_choice');
  });

  it('keeps strict when set, and gives parameterless functions an empty object schema', () => {
    const { request } = chatToResponsesRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ type: 'function', function: { name: 'a', strict: true, parameters: { type: 'object', properties: {}, additionalProperties: false } } }, { type: 'function', function: { name: 'b' } }],
    });
    expect(request.tools).toEqual([
      { type: 'function', name: 'a', parameters: { type: 'object', properties: {}, additionalProperties: false }, strict: true },
      { type: 'function', name: 'b', parameters: { type: 'object', properties: {} }, strict: false },
    ]);
  });

  it('maps response_format and verbosity to text', () => {
    const text = (extra: Record<string, unknown>) => chatToResponsesRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...extra }).request.text;
    expect(text({ response_format: { type: 'text' } })).toEqual({ format: { type: 'text' } });
    expect(text({ response_format: { type: 'json_object' }, verbosity: 'low' })).toEqual({ format: { type: 'json_object' }, verbosity: 'low' });
    const schema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'], additionalProperties: false };
    expect(text({ response_format: { type: 'json_schema', json_schema: { name: 'answer', description: 'd', schema, strict: true } } })).toEqual({
      format: { type: 'json_schema', name: 'answer', description: 'd', schema, strict: true },
    });
    expect(text({})).toBeUndefined();
    expect(refusal({ model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { schema } } }).param).toBe('response_format.json_schema.name');
    expect(refusal({ model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'yaml' } }).param).toBe('response_format.type');
  });

  it('accepts every reasoning_effort OpenAI does, none without a summary', () => {
    const reasoning = (reasoning_effort?: string, summary?: 'auto' | 'detailed') =>
      chatToResponsesRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...(reasoning_effort ? { reasoning_effort } : {}) }, { reasoningSummary: summary }).request.reasoning;
    expect(reasoning('none')).toEqual({ effort: 'none' });
    expect(reasoning('minimal')).toEqual({ effort: 'minimal', summary: 'auto' });
    expect(reasoning('xhigh', 'detailed')).toEqual({ effort: 'xhigh', summary: 'detailed' });
    expect(reasoning(undefined)).toBeUndefined();
    expect(reasoning(undefined, 'auto')).toEqual({ summary: 'auto' });
    expect(refusal({ model: 'm', messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'max' }).param).toBe('reasoning_effort');
  });

  it('lists the fields it cannot carry, only when set to something other than their default', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
    expect(chatToResponsesRequest({ ...base, logprobs: false, frequency_penalty: 0, presence_penalty: 0, modalities: ['text'], logit_bias: {} }).unsupported).toEqual([]);
    const { unsupported } = chatToResponsesRequest({
      ...base,
      logprobs: true,
      top_logprobs: 2,
      logit_bias: { '50256': -100 },
      frequency_penalty: 0.5,
      presence_penalty: -1,
      seed: 7,
      audio: { voice: 'alloy', format: 'mp3' },
      modalities: ['text', 'audio'],
      prediction: { type: 'content', content: 'x' },
      web_search_options: {},
      functions: [{ name: 'f' }],
      function_call: 'auto',
    });
    expect(unsupported.map((u) => u.param)).toEqual([
      'logprobs',
      'top_logprobs',
      'logit_bias',
      'frequency_penalty',
      'presence_penalty',
      'seed',
      'audio',
      'modalities',
      'prediction',
      'web_search_options',
      'functions',
      'function_call',
    ]);
  });

  it('carries sampling and the other platform fields as they are', () => {
    const { request } = chatToResponsesRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      temperature: 0.2,
      top_p: 0.9,
      service_tier: 'priority',
      prompt_cache_key: 'conv-1',
      safety_identifier: 'hash',
      max_tokens: 50,
    });
    expect(request).toMatchObject({ temperature: 0.2, top_p: 0.9, service_tier: 'priority', prompt_cache_key: 'conv-1', safety_identifier: 'hash', max_output_tokens: 50 });
  });

  it('returns stop as a list (a single string too) and refuses what is not text', () => {
    expect(chatToResponsesRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], stop: 'STOP' }).stop).toEqual(['STOP']);
    expect(refusal({ model: 'm', messages: [{ role: 'user', content: 'x' }], stop: [1] }).param).toBe('stop[0]');
  });

  it('refuses what the Responses API cannot say, naming the param', () => {
    const user = (content: unknown) => refusal({ model: 'm', messages: [{ role: 'user', content: 'first' }, { role: 'user', content }] });
    const audio = user([{ type: 'input_audio', input_audio: { data: 'AAA=', format: 'wav' } }]);
    expect(audio).toMatchObject({ param: 'messages[1].content[0].type', code: 'unsupported_content_type' });
    expect(audio.toOpenAIError()).toEqual({ message: audio.message, type: 'invalid_request_error', param: 'messages[1].content[0].type', code: 'unsupported_content_type' });
    expect(user([{ type: 'image_url', image_url: {} }]).param).toBe('messages[1].content[0].image_url.url');
    expect(user([{ type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'ultra' } }]).param).toBe('messages[1].content[0].image_url.detail');
    expect(user([{ type: 'file', file: {} }]).param).toBe('messages[1].content[0].file.file_data');
    expect(user([{ type: 'video' }]).code).toBe('unsupported_content_type');
    expect(refusal({ model: 'm', messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'x' } }] }, { role: 'user', content: 'x' }] }).param).toBe('messages[0].content[0].type');
    expect(refusal({ model: 'm', messages: [{ role: 'tool', content: 'x' }] }).param).toBe('messages[0].tool_call_id');
    expect(refusal({ model: 'm', messages: [{ role: 'function', name: 'f', content: 'x' }] }).param).toBe('messages[0].role');
    expect(refusal({ model: 'm', messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'custom', custom: { name: 'x', input: 'y' } }] }] }).param).toBe('messages[0].tool_calls[0].type');
    expect(refusal({ model: 'm', messages: [{ role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'x' } }] }] }).param).toBe('messages[0].tool_calls[0].id');
    expect(refusal({ model: 'm', messages: [{ role: 'assistant', function_call: { name: 'f', arguments: '{}' } }] }).param).toBe('messages[0].function_call');
    expect(refusal({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'custom', custom: { name: 'x' } }] }).param).toBe('tools[0].type');
    expect(refusal({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: {} }] }).param).toBe('tools[0].function.name');
    expect(refusal({ model: 'm', messages: [] }).param).toBe('messages');
    expect(refusal({ messages: [{ role: 'user', content: 'x' }] }).param).toBe('model');
  });
});
