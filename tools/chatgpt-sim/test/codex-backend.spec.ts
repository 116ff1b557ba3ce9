import { describe, it, expect, beforeAll, afterAll, beforeEach } from '@jest/globals';
import { platformTokens, replyFor, responsesInputTokens, startSimulator, type CodexLogin, type Simulator } from '../src/index.js';
import { outputTextOf, parseResponsesEvents, PIXEL_PNG_DATA_URL, rebuiltOutput, waitFor, type Loose, type ResponsesEvent } from './support.js';

const INSTRUCTIONS = 'You are Codex, a coding agent. Be brief.';

function userMessage(text: string, extra: Loose[] = []): Loose {
  return { type: 'message', role: 'user', content: [{ type: 'input_text', text }, ...extra] };
}

/** A body as Codex CLI sends it. */
function codexBody(input: Loose[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'gpt-5.4', instructions: INSTRUCTIONS, input, tools: [], tool_choice: 'auto', parallel_tool_calls: false, store: false, stream: true, include: [], prompt_cache_key: 'thread-1', ...extra };
}

const WEATHER_TOOL = { type: 'function', name: 'get_weather', description: 'Weather for a city', strict: true, parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 3 } }, required: ['city', 'days'], additionalProperties: false } };

describe('Codex backend (/backend-api/codex)', () => {
  let sim: Simulator;
  let login: CodexLogin;

  beforeAll(async () => {
    sim = await startSimulator();
    login = sim.codex.login({ plan: 'plus' });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.codex.setQuirks({ emptyCompletedOutput: true, instructions: 'required', requireBetaHeader: false, acceptNonCodexTokens: false, acceptInputFile: true, strictContentType: true, requireClientVersion: true, requireAccountHeader: true });
  });

  const headersFor = (l: Pick<CodexLogin, 'accessToken' | 'accountId'>, extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${l.accessToken}`,
    'chatgpt-account-id': l.accountId,
    'content-type': 'application/json',
    accept: 'text/event-stream',
    originator: 'codex_cli_rs',
    version: '0.124.0',
    session_id: 'thread-1',
    ...extra,
  });
  const post = (body: unknown, opts: { login?: Pick<CodexLogin, 'accessToken' | 'accountId'>; headers?: Record<string, string>; path?: string; signal?: AbortSignal } = {}) =>
    fetch(`${sim.codex.baseUrl}${opts.path ?? '/responses'}`, { method: 'POST', headers: headersFor(opts.login ?? login, opts.headers), body: typeof body === 'string' ? body : JSON.stringify(body), signal: opts.signal });
  const stream = async (body: unknown, opts: Parameters<typeof post>[1] = {}): Promise<{ res: Response; events: ResponsesEvent[] }> => {
    const res = await post(body, opts);
    expect(res.status).toBe(200);
    return { res, events: parseResponsesEvents(await res.text()) };
  };
  const types = (events: ResponsesEvent[]) => events.map((e) => e.data.type);
  const rejected = async (body: unknown, status: number, opts: Parameters<typeof post>[1] = {}) => {
    const res = await post(body, opts);
    expect(res.status).toBe(status);
    expect(res.headers.get('x-codex-plan-type')).toBe('plus');
    return (await res.json()) as Loose;
  };

  it('streams a text answer in the reference order, numbered, and completes with an empty output (the quirk)', async () => {
    const { res, events } = await stream(codexBody([userMessage('Hello Codex')]));
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(types(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...replyFor('Hello Codex').text.split(/(?<= )/).map(() => 'response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.event)).toEqual(types(events));
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    const completed = events.at(-1)!.data.response;
    expect(completed.output).toEqual([]);
    expect(completed.store).toBe(false);
    expect(completed.id).toMatch(/^resp_/);
    expect(outputTextOf(rebuiltOutput(events))).toBe(replyFor('Hello Codex').text);
    const deltas = events.filter((e) => e.data.type === 'response.output_text.delta').map((e) => e.data.delta).join('');
    expect(deltas).toBe(replyFor('Hello Codex').text);
    const input = responsesInputTokens([userMessage('Hello Codex')], INSTRUCTIONS);
    expect(completed.usage).toEqual({
      input_tokens: input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: platformTokens(replyFor('Hello Codex').text),
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: input + platformTokens(replyFor('Hello Codex').text),
    });
    expect(res.headers.get('x-models-etag')).toMatch(/^"[0-9a-f]{40}"$/);
  });

  it('sends the completed output when the quirk is off or the request says [[sim output=full]]', async () => {
    const full = await stream(codexBody([userMessage('full one [[sim output=full]]')]));
    expect(outputTextOf(full.events.at(-1)!.data.response.output)).toBe(replyFor('full one [[sim output=full]]').text);
    sim.codex.setQuirks({ emptyCompletedOutput: false });
    const off = await stream(codexBody([userMessage('quirk off')]));
    expect(outputTextOf(off.events.at(-1)!.data.response.output)).toBe(replyFor('quirk off').text);
    const forcedEmpty = await stream(codexBody([userMessage('still empty [[sim output=empty]]')]));
    expect(forcedEmpty.events.at(-1)!.data.response.output).toEqual([]);
  });

  it('carries the x-codex-* headers on every answer, errors included', async () => {
    const { res } = await stream(codexBody([userMessage('headers')]));
    for (const name of ['primary', 'secondary']) {
      for (const field of ['used-percent', 'window-minutes', 'reset-at', 'reset-after-seconds']) expect(res.headers.get(`x-codex-${name}-${field}`)).not.toBeNull();
    }
    expect(res.headers.get('x-codex-primary-window-minutes')).toBe('300');
    expect(res.headers.get('x-codex-secondary-window-minutes')).toBe('10080');
    expect(res.headers.get('x-codex-plan-type')).toBe('plus');
    expect(res.headers.get('x-codex-credits-has-credits')).toBe('false');
    expect(res.headers.get('x-codex-credits-unlimited')).toBe('false');
    expect(res.headers.get('x-codex-credits-balance')).toBe('0');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    const bad = await post(codexBody([userMessage('x')], { store: true }));
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-codex-primary-used-percent')).toBe('0');
  });

  describe('body rules, with the reference texts', () => {
    it('store false, stream true, instructions present, a non-empty input list', async () => {
      const input = [userMessage('x')];
      expect(await rejected(codexBody(input, { store: true }), 400)).toEqual({ detail: 'Store must be set to false' });
      const noStore = codexBody(input);
      delete noStore.store;
      expect(await rejected(noStore, 400)).toEqual({ detail: 'Store must be set to false' });
      expect(await rejected(codexBody(input, { stream: false }), 400)).toEqual({ detail: 'Stream must be set to true' });
      const noInstructions = codexBody(input);
      delete noInstructions.instructions;
      expect(await rejected(noInstructions, 400)).toEqual({ detail: 'Instructions are required' });
      expect(await rejected(codexBody('not a list' as unknown as Loose[]), 400)).toEqual({ detail: 'Input must be a list' });
      expect(await rejected(codexBody([]), 400)).toEqual({ detail: 'Input must not be empty' });
    });

    it('instructions: "" is accepted by default, refused in non_empty mode, and only Codex prompts pass in codex_prompt mode', async () => {
      await stream(codexBody([userMessage('x')], { instructions: '' }));
      sim.codex.setQuirks({ instructions: 'non_empty' });
      expect(await rejected(codexBody([userMessage('x')], { instructions: ' ' }), 400)).toEqual({ detail: 'Instructions are required' });
      sim.codex.setQuirks({ instructions: 'codex_prompt' });
      expect(await rejected(codexBody([userMessage('x')], { instructions: 'Be a pirate.' }), 400)).toEqual({ detail: 'Instructions are not valid' });
      await stream(codexBody([userMessage('x')]));
    });

    it('refuses max_output_tokens, max_tokens, max_completion_tokens, temperature, top_p, metadata, context_management and previous_response_id', async () => {
      const refused: Record<string, unknown> = { max_output_tokens: 100, max_tokens: 100, max_completion_tokens: 100, temperature: 0.2, top_p: 0.5, metadata: { a: 'b' }, context_management: [], previous_response_id: 'resp_1' };
      for (const [field, value] of Object.entries(refused)) {
        expect(await rejected(codexBody([userMessage('x')], { [field]: value }), 400)).toEqual({ detail: `Unsupported parameter: ${field}` });
      }
      // What peers strip without evidence is accepted.
      await stream(codexBody([userMessage('x')], { truncation: 'auto', user: 'u', service_tier: 'priority', client_metadata: { installation_id: 'i' } }));
      expect(sim.stats().codex.rejections['Unsupported parameter: metadata']).toBeGreaterThanOrEqual(1);
    });

    it('refuses system messages, item ids (store is false) and image_generation n', async () => {
      expect(await rejected(codexBody([{ type: 'message', role: 'system', content: 'sys' }, userMessage('x')]), 400)).toEqual({ detail: 'System messages are not allowed' });
      await stream(codexBody([{ type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'dev' }] }, userMessage('x')]));
      const withId = await rejected(codexBody([{ ...userMessage('x'), id: 'msg_abc' }]), 400);
      expect(withId.error).toMatchObject({ type: 'invalid_request_error', param: 'input' });
      expect(withId.error.message).toBe("Item with id 'msg_abc' not found. Items are not persisted when store is set to false. Try again with store set to true, or remove this item from your input.");
      expect(await rejected(codexBody([userMessage('x')], { tools: [{ type: 'web_search' }, { type: 'image_generation', n: 2 }] }), 400)).toEqual({ detail: "Unknown parameter: 'tools[1].n'." });
    });

    it('takes exactly application/json (a charset is a 415), unless the quirk is off', async () => {
      const body = await rejected(codexBody([userMessage('x')]), 415, { headers: { 'content-type': 'application/json; charset=utf-8' } });
      expect(body.detail).toMatch(/^Unsupported Content-Type/);
      sim.codex.setQuirks({ strictContentType: false });
      await stream(codexBody([userMessage('x')]), { headers: { 'content-type': 'application/json; charset=utf-8' } });
      expect(await rejected('{not json', 400)).toEqual({ detail: 'Invalid JSON body' });
    });

    it('needs ChatGPT-Account-ID matching the token, and OpenAI-Beta only when switched on', async () => {
      const missing = await post(codexBody([userMessage('x')]), { headers: { 'chatgpt-account-id': '' } });
      expect(missing.status).toBe(400);
      expect(await missing.json()).toEqual({ detail: 'Missing required header: chatgpt-account-id' });
      const other = sim.codex.login({ plan: 'plus' });
      const mismatch = await post(codexBody([userMessage('x')]), { headers: { 'ChatGPT-Account-ID': other.accountId } });
      expect(mismatch.status).toBe(403);
      await mismatch.text();
      sim.codex.setQuirks({ requireBetaHeader: true });
      expect((await rejected(codexBody([userMessage('x')]), 400)).detail).toBe('Missing required header: OpenAI-Beta');
      await stream(codexBody([userMessage('x')]), { headers: { 'openai-beta': 'responses=experimental' } });
      sim.codex.setQuirks({ requireAccountHeader: false });
      await stream(codexBody([userMessage('x')]), { headers: { 'chatgpt-account-id': '', 'openai-beta': 'responses=experimental' } });
    });

    it('refuses a model the account\'s plan lacks with the reference text', async () => {
      const free = sim.codex.login({ plan: 'free' });
      const res = await post(codexBody([userMessage('x')], { model: 'gpt-5.4' }), { login: free });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ detail: "The 'gpt-5.4' model is not supported when using Codex with a ChatGPT account." });
      await stream(codexBody([userMessage('x')], { model: 'gpt-5.4-mini' }), { login: free });
    });
  });

  describe('tools', () => {
    it('calls the first function tool with arguments from its schema (strings seeded by the prompt), arguments streamed', async () => {
      const { events } = await stream(codexBody([userMessage('Paris')], { tools: [WEATHER_TOOL] }));
      expect(types(events)).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        ...events.filter((e) => e.data.type === 'response.function_call_arguments.delta').map(() => 'response.function_call_arguments.delta'),
        'response.function_call_arguments.done',
        'response.output_item.done',
        'response.completed',
      ]);
      const added = events[2].data;
      expect(added.item).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '', status: 'in_progress' });
      const deltas = events.filter((e) => e.data.type === 'response.function_call_arguments.delta');
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.every((e) => e.data.item_id === added.item.id && e.data.output_index === 0)).toBe(true);
      const call = rebuiltOutput(events)[0];
      expect(JSON.parse(call.arguments)).toEqual({ city: 'Paris', days: 3 });
      expect(deltas.map((e) => e.data.delta).join('')).toBe(call.arguments);
      expect(call.call_id).toMatch(/^call_/);
      expect(call.call_id).toBe(added.item.call_id);
    });

    it('answers a function_call_output in text naming the tool and its output', async () => {
      const first = rebuiltOutput((await stream(codexBody([userMessage('Paris')], { tools: [WEATHER_TOOL] }))).events)[0];
      const { id: _id, status: _status, ...call } = first;
      const input = [userMessage('Paris'), call, { type: 'function_call_output', call_id: call.call_id, output: '{"temp":21}' }];
      const { events } = await stream(codexBody(input, { tools: [WEATHER_TOOL] }));
      expect(outputTextOf(rebuiltOutput(events))).toBe('The tool get_weather returned: {"temp":21}');
    });

    it('pairs calls and outputs by call_id, as the API does', async () => {
      const orphan = await rejected(codexBody([userMessage('x'), { type: 'function_call_output', call_id: 'call_nope', output: 'x' }], { tools: [WEATHER_TOOL] }), 400);
      expect(orphan.error.message).toBe('No tool call found for function call output with call_id call_nope.');
      const unanswered = await rejected(codexBody([userMessage('x'), { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' }, userMessage('y')], { tools: [WEATHER_TOOL] }), 400);
      expect(unanswered.error.message).toBe('No tool output found for function call call_1.');
    });

    it('calls what [[sim call=…]] names with [[sim args=…]], several in parallel, none on call=none or tool_choice none', async () => {
      const lookup = { type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } };
      const tools = [WEATHER_TOOL, lookup];
      const named = rebuiltOutput((await stream(codexBody([userMessage('find it [[sim call=lookup args={"q":"exact"}]]')], { tools }))).events);
      expect(named.map((i) => [i.name, i.arguments])).toEqual([['lookup', '{"q":"exact"}']]);
      const b64 = Buffer.from(JSON.stringify({ q: 'with spaces' })).toString('base64url');
      const encoded = rebuiltOutput((await stream(codexBody([userMessage(`x [[sim call=lookup args=b64:${b64}]]`)], { tools }))).events);
      expect(JSON.parse(encoded[0].arguments)).toEqual({ q: 'with spaces' });
      const both = rebuiltOutput((await stream(codexBody([userMessage('Rome [[sim call=get_weather,lookup]]')], { tools, parallel_tool_calls: true }))).events);
      expect(both.map((i) => [i.type, i.name])).toEqual([['function_call', 'get_weather'], ['function_call', 'lookup']]);
      expect(both.map((i, index) => index)).toEqual([0, 1]);
      const serial = rebuiltOutput((await stream(codexBody([userMessage('Rome [[sim call=get_weather,lookup]]')], { tools, parallel_tool_calls: false }))).events);
      expect(serial).toHaveLength(1);
      const forced = rebuiltOutput((await stream(codexBody([userMessage('Rome')], { tools, tool_choice: { type: 'function', name: 'lookup' } }))).events);
      expect(forced[0].name).toBe('lookup');
      const none = rebuiltOutput((await stream(codexBody([userMessage('talk [[sim call=none]]')], { tools }))).events);
      expect(outputTextOf(none)).toBe(replyFor('talk [[sim call=none]]').text);
      expect(outputTextOf(rebuiltOutput((await stream(codexBody([userMessage('talk')], { tools, tool_choice: 'none' }))).events))).toBe(replyFor('talk').text);
    });

    it('calls a custom (freeform) tool with its input streamed', async () => {
      const applyPatch = { type: 'custom', name: 'apply_patch', description: 'patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/' } };
      const { events } = await stream(codexBody([userMessage('*** Begin Patch [[sim call=apply_patch]]')], { tools: [applyPatch] }));
      expect(types(events)).toContain('response.custom_tool_call_input.delta');
      expect(types(events)).toContain('response.custom_tool_call_input.done');
      const call = rebuiltOutput(events)[0];
      expect(call).toMatchObject({ type: 'custom_tool_call', name: 'apply_patch', input: '*** Begin Patch' });
      const answered = await stream(codexBody([userMessage('*** Begin Patch [[sim call=apply_patch]]'), { type: 'custom_tool_call', call_id: call.call_id, name: 'apply_patch', input: call.input }, { type: 'custom_tool_call_output', call_id: call.call_id, output: 'Done!' }], { tools: [applyPatch] }));
      expect(outputTextOf(rebuiltOutput(answered.events))).toBe('The tool apply_patch returned: Done!');
    });
  });

  it('answers JSON matching a text.format json_schema', async () => {
    const schema = { type: 'object', properties: { title: { type: 'string' }, tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } }, score: { type: 'number', minimum: 5 }, when: { type: 'string', format: 'date' } }, required: ['title', 'tags', 'score', 'when'], additionalProperties: false };
    const { events } = await stream(codexBody([userMessage('Summarise this')], { text: { format: { type: 'json_schema', name: 'codex_output_schema', strict: true, schema } } }));
    expect(JSON.parse(outputTextOf(rebuiltOutput(events)))).toEqual({ title: 'Summarise this', tags: ['a'], score: 5, when: '2024-01-01' });
  });

  describe('reasoning', () => {
    const reasoningBody = (text: string, extra: Record<string, unknown> = {}) => codexBody([userMessage(text)], { reasoning: { effort: 'medium', summary: 'auto' }, include: ['reasoning.encrypted_content'], ...extra });

    it('streams a reasoning item with summary parts and encrypted content first, and counts reasoning tokens', async () => {
      const { events } = await stream(reasoningBody('Think first'));
      const kinds = types(events);
      expect(kinds.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.reasoning_summary_part.added']);
      expect(kinds.filter((k) => k === 'response.reasoning_summary_part.added')).toHaveLength(2);
      expect(kinds.indexOf('response.reasoning_summary_text.delta')).toBeGreaterThan(kinds.indexOf('response.reasoning_summary_part.added'));
      const [reasoning, message] = rebuiltOutput(events);
      expect(reasoning.type).toBe('reasoning');
      expect(reasoning.summary.map((s: Loose) => s.type)).toEqual(['summary_text', 'summary_text']);
      expect(reasoning.summary[0].text).toMatch(/^\*\*Reading the request\*\*/);
      expect(reasoning.encrypted_content).toMatch(/^gAAAAA/);
      const deltas0 = events.filter((e) => e.data.type === 'response.reasoning_summary_text.delta' && e.data.summary_index === 0).map((e) => e.data.delta).join('');
      expect(deltas0).toBe(reasoning.summary[0].text);
      expect(outputTextOf([message])).toBe(replyFor('Think first').text);
      const usage = events.at(-1)!.data.response.usage;
      const reasoningTokens = platformTokens(reasoning.summary.map((s: Loose) => s.text).join('\n\n'));
      expect(usage.output_tokens_details.reasoning_tokens).toBe(reasoningTokens);
      expect(usage.output_tokens).toBe(reasoningTokens + platformTokens(replyFor('Think first').text));
    });

    it('has no summary unless asked and no encrypted content unless included', async () => {
      const { events } = await stream(reasoningBody('quiet', { reasoning: { effort: 'low' }, include: [] }));
      const [reasoning] = rebuiltOutput(events);
      expect(reasoning).toMatchObject({ type: 'reasoning', summary: [] });
      expect(reasoning.encrypted_content).toBeUndefined();
      expect(types(events)).not.toContain('response.reasoning_summary_part.added');
    });

    it('takes its own encrypted content back (without ids) and refuses altered content or a reasoning item without summary', async () => {
      const [reasoning, message] = rebuiltOutput((await stream(reasoningBody('Turn one'))).events);
      const replay = [userMessage('Turn one'), { type: 'reasoning', summary: reasoning.summary, encrypted_content: reasoning.encrypted_content }, { type: 'message', role: 'assistant', content: message.content }, userMessage('Turn two')];
      await stream(reasoningBody('x', { input: replay }));
      const forged = structuredClone(replay);
      forged[1].encrypted_content = `${reasoning.encrypted_content.slice(0, -6)}AAAAAA`;
      const refused = await rejected(reasoningBody('x', { input: forged }), 400);
      expect(refused.error).toMatchObject({ code: 'invalid_encrypted_content', message: 'The encrypted content could not be verified.' });
      const noSummary = structuredClone(replay);
      delete noSummary[1].summary;
      expect((await rejected(reasoningBody('x', { input: noSummary }), 400)).error.message).toBe("Missing required parameter: 'input[1].summary'.");
    });
  });

  describe('images and files', () => {
    it('acknowledges an input_image data URL with its type, size and dimensions', async () => {
      const { events } = await stream(codexBody([userMessage('What is this?', [{ type: 'input_image', image_url: PIXEL_PNG_DATA_URL, detail: 'high' }])]));
      expect(outputTextOf(rebuiltOutput(events))).toBe(`${replyFor('What is this?').text} [image 1: image/png, 70 bytes, 1x1]`);
      expect(events.at(-1)!.data.response.usage.input_tokens).toBe(responsesInputTokens([userMessage('What is this?', [{ type: 'input_image' }])], INSTRUCTIONS));
    });

    it('refuses bytes that are no image, and input_file when the quirk says so', async () => {
      const bogus = await rejected(codexBody([userMessage('x', [{ type: 'input_image', image_url: 'data:image/png;base64,aGVsbG8=' }])]), 400);
      expect(bogus.error.code).toBe('invalid_image_format');
      const file = { type: 'input_file', filename: 'a.txt', file_data: `data:text/plain;base64,${Buffer.from('hello').toString('base64')}` };
      const { events } = await stream(codexBody([userMessage('read', [file])]));
      expect(outputTextOf(rebuiltOutput(events))).toContain('[file 1: a.txt, text/plain, 5 bytes]');
      sim.codex.setQuirks({ acceptInputFile: false });
      expect(await rejected(codexBody([userMessage('read', [file])]), 400)).toEqual({ detail: 'Unsupported content type: input_file' });
    });
  });

  describe('slow and broken streams', () => {
    it('ends with response.failed on stream_error, or a bare error event with [[sim error=event]]', async () => {
      const failed = (await stream(codexBody([userMessage('a b c d e f [[sim fail=stream_error after=2 code=rate_limit_exceeded clears_in=7]]')]))).events;
      const last = failed.at(-1)!.data;
      expect(last.type).toBe('response.failed');
      expect(last.response.status).toBe('failed');
      expect(last.response.error).toEqual({ code: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-5.4. Please try again in 7s.' });
      expect(failed.filter((e) => e.data.type === 'response.output_text.delta')).toHaveLength(2);
      expect(failed.map((e) => e.data.sequence_number)).toEqual(failed.map((_, i) => i));
      const bare = (await stream(codexBody([userMessage('a b c [[sim fail=stream_error error=event]]')]))).events;
      expect(bare.at(-1)!.data).toMatchObject({ type: 'error', code: 'server_error', param: null });
      expect(types(bare)).not.toContain('response.completed');
    });

    it('cuts the connection before response.completed', async () => {
      const res = await post(codexBody([userMessage('a b c d e [[sim fail=cut after=1]]')]));
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
    });

    it('stalls after the given chunks until the client leaves, and spaces chunks with delay', async () => {
      const before = sim.stats().codex.abortedStreams;
      const controller = new AbortController();
      const res = await post(codexBody([userMessage('a b c d [[sim fail=stall after=1]]')]), { signal: controller.signal });
      const reader = res.body!.getReader();
      let seen = '';
      while (!seen.includes('response.output_text.delta')) seen += new TextDecoder().decode((await reader.read()).value);
      controller.abort();
      await waitFor(() => sim.stats().codex.abortedStreams === before + 1, 'the stalled stream to be aborted');
      const started = Date.now();
      await stream(codexBody([userMessage('one two three [[sim delay=60]]')]));
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    });
  });

  describe('usage limits', () => {
    it('reports the windows set for an account and answers 429 usage_limit_reached while one is used up', async () => {
      const acc = sim.codex.login({ plan: 'pro' });
      const resetAt = Math.floor(Date.now() / 1000) + 3600;
      sim.codex.setAccount(acc.accountId, { limits: { primary: { usedPercent: 42.5, windowMinutes: 300, resetAt }, secondary: null, credits: { hasCredits: true, balance: '12.50' } } });
      const { res } = await stream(codexBody([userMessage('x')]), { login: acc });
      expect(res.headers.get('x-codex-primary-used-percent')).toBe('42.5');
      expect(res.headers.get('x-codex-primary-reset-at')).toBe(String(resetAt));
      expect(Number(res.headers.get('x-codex-primary-reset-after-seconds'))).toBeGreaterThan(3590);
      expect(res.headers.get('x-codex-secondary-window-minutes')).toBe('0');
      expect(res.headers.get('x-codex-secondary-reset-at')).toBe('');
      expect(res.headers.get('x-codex-credits-balance')).toBe('12.50');
      expect(res.headers.get('x-codex-plan-type')).toBe('pro');

      sim.codex.setAccount(acc.accountId, { limits: { primary: { usedPercent: 100 } } });
      const limited = await post(codexBody([userMessage('x')]), { login: acc });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('x-codex-primary-used-percent')).toBe('100');
      const body = (await limited.json()) as Loose;
      expect(body.error).toMatchObject({ type: 'usage_limit_reached', message: 'The usage limit has been reached', plan_type: 'pro', resets_at: resetAt, eligible_promo: null });
      expect(body.error.resets_in_seconds).toBeGreaterThan(3590);
      // Another account is unaffected.
      await stream(codexBody([userMessage('x')]));
    });

    it('forces a 429 until a given time, on that account only, and lifts it after', async () => {
      const acc = sim.codex.login({ plan: 'plus' });
      const until = Math.floor(Date.now() / 1000) + 2;
      sim.codex.setAccount(acc.email, { limitedUntil: until });
      const limited = await post(codexBody([userMessage('x')]), { login: acc });
      expect(limited.status).toBe(429);
      expect(((await limited.json()) as Loose).error.resets_at).toBe(until);
      await stream(codexBody([userMessage('x')]));
      sim.codex.setAccount(acc.email, { limitedUntil: Math.floor(Date.now() / 1000) - 1 });
      await stream(codexBody([userMessage('x')]), { login: acc });
    });

    it('moves the windows by percentPerRequest and answers /backend-api/wham/usage', async () => {
      const acc = sim.codex.login({ plan: 'plus' });
      sim.codex.setAccount(acc.accountId, { limits: { percentPerRequest: 30 } });
      await stream(codexBody([userMessage('x')]), { login: acc });
      await stream(codexBody([userMessage('x')]), { login: acc });
      const usage = await fetch(`${sim.url}/backend-api/wham/usage`, { headers: headersFor(acc) });
      expect(usage.status).toBe(200);
      expect(usage.headers.get('x-codex-primary-used-percent')).toBe('60');
      const body = (await usage.json()) as Loose;
      expect(body).toMatchObject({ plan_type: 'plus', rate_limit: { allowed: true, limit_reached: false, primary_window: { used_percent: 60, limit_window_seconds: 18000 }, secondary_window: { used_percent: 60, limit_window_seconds: 604800 } }, credits: { has_credits: false, unlimited: false } });
      await stream(codexBody([userMessage('x')]), { login: acc });
      await stream(codexBody([userMessage('x')]), { login: acc });
      expect((await post(codexBody([userMessage('x')]), { login: acc })).status).toBe(429);
      expect(((await (await fetch(`${sim.url}/backend-api/wham/usage`, { headers: headersFor(acc) })).json()) as Loose).rate_limit).toMatchObject({ allowed: false, limit_reached: true });
    });

    it('answers an injected 429 behaviour as usage_limit_reached, and a challenge page on demand', async () => {
      const acc = sim.codex.login({ plan: 'plus' });
      sim.setBehaviour(acc.accountId, { fail: '429', times: 1, clearsIn: 90 });
      const limited = await post(codexBody([userMessage('x')]), { login: acc });
      expect(limited.status).toBe(429);
      expect(((await limited.json()) as Loose).error.resets_in_seconds).toBeGreaterThanOrEqual(89);
      sim.setBehaviour(acc.accountId, { fail: 'cloudflare', times: 1 });
      const challenge = await post(codexBody([userMessage('x')]), { login: acc });
      expect(challenge.status).toBe(403);
      expect(challenge.headers.get('cf-mitigated')).toBe('challenge');
      expect(challenge.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await challenge.text()).toContain('Just a moment...');
      const directive = await post(codexBody([userMessage('x [[sim fail=cloudflare]]')]), { login: acc });
      expect(directive.status).toBe(403);
      await directive.text();
      await stream(codexBody([userMessage('x')]), { login: acc });
    });
  });

  describe('models', () => {
    const models = (l: Pick<CodexLogin, 'accessToken' | 'accountId'>, query = '?client_version=0.124.0', headers: Record<string, string> = {}) =>
      fetch(`${sim.codex.baseUrl}/models${query}`, { headers: { ...headersFor(l), ...headers } });

    it('lists the plan\'s models gated by client_version, with an ETag; without client_version it is a 400', async () => {
      const res = await models(login);
      expect(res.status).toBe(200);
      const etag = res.headers.get('etag');
      expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
      const body = (await res.json()) as Loose;
      expect(body.models.map((m: Loose) => m.slug)).toEqual(['gpt-5.5', 'gpt-5.4', 'gpt-5.4-mini', 'gpt-5.1-codex-max']);
      expect(body.models[0]).toMatchObject({ display_name: 'GPT-5.5', minimal_client_version: '0.124.0', supported_in_api: true, supports_reasoning_summaries: true, context_window: 400000, truncation_policy: { mode: 'tokens' } });
      expect(body.models[0].supported_reasoning_levels[0]).toHaveProperty('effort');
      const old = (await (await models(login, '?client_version=0.100.0')).json()) as Loose;
      expect(old.models.map((m: Loose) => m.slug)).not.toContain('gpt-5.5');
      const unchanged = await models(login, '?client_version=0.124.0', { 'if-none-match': etag! });
      expect(unchanged.status).toBe(304);
      expect(unchanged.headers.get('x-codex-plan-type')).toBe('plus');
      const missing = await models(login, '');
      expect(missing.status).toBe(400);
      expect(await missing.json()).toEqual({ detail: 'Missing required query parameter: client_version' });
      sim.codex.setQuirks({ requireClientVersion: false });
      expect(((await (await models(login, '')).json()) as Loose).models).toHaveLength(4);
      expect(sim.stats().codex.modelsRequestsByAccount[login.accountId]).toBeGreaterThanOrEqual(4);
    });

    it('follows a model list and a plan set for the account, in /models and /responses alike', async () => {
      const acc = sim.codex.login({ plan: 'plus' });
      sim.codex.setAccount(acc.accountId, { models: ['gpt-5.4-mini', 'gpt-5.6-sol'] });
      expect(((await (await models(acc)).json()) as Loose).models.map((m: Loose) => m.slug)).toEqual(['gpt-5.4-mini', 'gpt-5.6-sol']);
      await stream(codexBody([userMessage('x')], { model: 'gpt-5.6-sol' }), { login: acc });
      expect((await post(codexBody([userMessage('x')], { model: 'gpt-5.4' }), { login: acc })).status).toBe(400);
      sim.codex.setAccount(acc.accountId, { models: null, plan: 'pro' });
      expect(((await (await models(acc)).json()) as Loose).models.map((m: Loose) => m.slug)).toContain('gpt-5.3-codex-spark');
    });
  });

  describe('compaction', () => {
    it('compacts unary into a compaction item a later request can carry, and refuses forged ones', async () => {
      const res = await post({ model: 'gpt-5.4', instructions: INSTRUCTIONS, input: [userMessage('first'), { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'ok' }] }, userMessage('second')] }, { path: '/responses/compact' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('x-codex-plan-type')).toBe('plus');
      const body = (await res.json()) as Loose;
      expect(body.object).toBe('response.compaction');
      expect(body.output.map((i: Loose) => i.type)).toEqual(['message', 'message', 'compaction']);
      expect(body.output.every((i: Loose) => i.id === undefined)).toBe(true);
      expect(body.usage.output_tokens).toBe(platformTokens('first\nsecond'));
      await stream(codexBody([...body.output, userMessage('third')]));
      const forged = [{ type: 'compaction', encrypted_content: 'gAAAAAnope' }, userMessage('third')];
      expect((await rejected(codexBody(forged), 400)).error.code).toBe('invalid_encrypted_content');
      const empty = (await (await post({ model: 'gpt-5.4', instructions: '', input: [] }, { path: '/responses/compact' })).json()) as Loose;
      expect(empty.output).toEqual([]);
      expect(await rejected({ model: 'gpt-5.4', instructions: '', input: [], stream: true }, 400, { path: '/responses/compact' })).toEqual({ detail: 'Unsupported parameter: stream' });
      expect(sim.stats().codex.compactRequests).toBeGreaterThanOrEqual(3);
    });

    it('answers a compaction_trigger item with exactly one compaction output item (compaction v2)', async () => {
      const { events } = await stream(codexBody([userMessage('long history'), { type: 'compaction_trigger' }], { reasoning: { effort: 'high', summary: 'auto' } }));
      const output = rebuiltOutput(events);
      expect(output.map((i) => i.type)).toEqual(['compaction']);
      expect(output[0].encrypted_content).toMatch(/^gAAAAA/);
    });
  });

  describe('credentials at the backend', () => {
    it('refuses a web-session token unless the quirk accepts it, and takes an at- token', async () => {
      const web = sim.issueAccount({ plan: 'plus' });
      const refused = await post(codexBody([userMessage('x')]), { login: { accessToken: web.accessToken, accountId: web.accountId } });
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as Loose).error.code).toBe('invalid_jwt');
      sim.codex.setQuirks({ acceptNonCodexTokens: true });
      await stream(codexBody([userMessage('x')]), { login: { accessToken: web.accessToken, accountId: web.accountId } });

      const pat = sim.codex.accessToken({ plan: 'enterprise' });
      expect(pat.accessToken).toMatch(/^at-/);
      const { res } = await stream(codexBody([userMessage('x')]), { login: pat });
      expect(res.headers.get('x-codex-plan-type')).toBe('enterprise');
    });

    it('answers token_expired for an expired login token, and 401 without a bearer', async () => {
      const expired = sim.codex.login({ plan: 'plus', expiresInSec: -5 });
      const res = await post(codexBody([userMessage('x')]), { login: expired });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { message: 'Provided authentication token is expired. Please try signing in again.', type: 'invalid_request_error', param: null, code: 'token_expired' } });
      const none = await fetch(`${sim.codex.baseUrl}/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(codexBody([userMessage('x')])) });
      expect(none.status).toBe(401);
      await none.text();
    });
  });

  describe('request records and cache', () => {
    it('records headers and body as received (in process whole; over HTTP masked unless revealed)', async () => {
      sim.codex.clearRequests();
      await stream(codexBody([userMessage('recorded')]), { headers: { 'x-custom': 'yes' } });
      const [record] = sim.codex.requests();
      expect(record).toMatchObject({ method: 'POST', path: '/backend-api/codex/responses', accountId: login.accountId, status: 200 });
      expect(record.headers).toMatchObject({ authorization: `Bearer ${login.accessToken}`, 'chatgpt-account-id': login.accountId, originator: 'codex_cli_rs', version: '0.124.0', session_id: 'thread-1', 'x-custom': 'yes', 'content-type': 'application/json' });
      expect((record.body as Loose).input[0].content[0].text).toBe('recorded');
      const masked = ((await (await fetch(`${sim.url}/_sim/codex/requests`)).json()) as Loose).requests[0];
      expect(masked.headers.authorization).not.toContain(login.accessToken);
      const revealed = ((await (await fetch(`${sim.url}/_sim/codex/requests?reveal=1`)).json()) as Loose).requests[0];
      expect(revealed.headers.authorization).toBe(`Bearer ${login.accessToken}`);
    });

    it('reports cached input tokens for a repeated prompt_cache_key, or what [[sim cached=N]] says', async () => {
      const first = [userMessage('cache me')];
      const key = `k-${Date.now()}`;
      const one = (await stream(codexBody(first, { prompt_cache_key: key }))).events.at(-1)!.data.response.usage;
      expect(one.input_tokens_details.cached_tokens).toBe(0);
      const two = (await stream(codexBody([...first, { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'ok' }] }, userMessage('more')], { prompt_cache_key: key }))).events.at(-1)!.data.response.usage;
      expect(two.input_tokens_details.cached_tokens).toBe(one.input_tokens);
      const forced = (await stream(codexBody([userMessage('x [[sim cached=3]]')]))).events.at(-1)!.data.response.usage;
      expect(forced.input_tokens_details.cached_tokens).toBe(3);
    });
  });
});
