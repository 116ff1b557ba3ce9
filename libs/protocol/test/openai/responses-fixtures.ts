/**
 * Responses event sequences as the upstreams send them, written after the reference
 * (upstream-codex.md §4.1: event list, the function-call sequence, the empty-output quirk, the
 * usage shape) and OpenAI's streaming-events reference (field names and order of each event). The
 * "codex fixture style" ones have the sparse shape openai/codex's own test helpers send
 * (`codex-rs/core/tests/common/responses.rs`: no sequence_number, output_index or item_id).
 */
type Event = Record<string, unknown> & { type: string };

/** SSE text of events the way the backend writes them: an `event:` line, then `data:`. */
export function sseOf(events: Event[]): string {
  return events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
}

/** Adds a sequence_number (0, 1, …) to each event, as the real backend does. */
function numbered(events: Event[]): Event[] {
  return events.map(({ type, ...rest }, i) => ({ type, sequence_number: i, ...rest }));
}

const baseResponse = (id: string, status: string, extra: Record<string, unknown> = {}) => ({
  id,
  object: 'response',
  created_at: 1767225600,
  status,
  error: null,
  incomplete_details: null,
  instructions: 'You are a helpful assistant.',
  model: 'gpt-5.5',
  output: [],
  parallel_tool_calls: true,
  reasoning: { effort: 'medium', summary: 'auto' },
  store: false,
  tool_choice: 'auto',
  tools: [],
  usage: null,
  ...extra,
});

export const REASONING_ID = 'rs_6806bfca0b2481918a5748308061a2600d3ce51bdffd5476';
export const MESSAGE_ID = 'msg_6806bfcb6f1c8191a6d54bc0d8fba9cb0d3ce51bdffd5476';

/** Reasoning (two summary parts) then a text answer; `response.completed` has an empty output (store=false quirk). */
export const TEXT_WITH_REASONING: Event[] = numbered([
  { type: 'response.created', response: baseResponse('resp_up_1', 'in_progress') },
  { type: 'response.in_progress', response: baseResponse('resp_up_1', 'in_progress') },
  { type: 'response.output_item.added', output_index: 0, item: { id: REASONING_ID, type: 'reasoning', summary: [], encrypted_content: null } },
  { type: 'response.reasoning_summary_part.added', item_id: REASONING_ID, output_index: 0, summary_index: 0, part: { type: 'summary_text', text: '' } },
  { type: 'response.reasoning_summary_text.delta', item_id: REASONING_ID, output_index: 0, summary_index: 0, delta: '**Responding to a greeting**' },
  { type: 'response.reasoning_summary_text.delta', item_id: REASONING_ID, output_index: 0, summary_index: 0, delta: '\n\nThe user said hello.' },
  { type: 'response.reasoning_summary_text.done', item_id: REASONING_ID, output_index: 0, summary_index: 0, text: '**Responding to a greeting**\n\nThe user said hello.' },
  { type: 'response.reasoning_summary_part.done', item_id: REASONING_ID, output_index: 0, summary_index: 0, part: { type: 'summary_text', text: '**Responding to a greeting**\n\nThe user said hello.' } },
  { type: 'response.reasoning_summary_part.added', item_id: REASONING_ID, output_index: 0, summary_index: 1, part: { type: 'summary_text', text: '' } },
  { type: 'response.reasoning_summary_text.delta', item_id: REASONING_ID, output_index: 0, summary_index: 1, delta: 'Greet back.' },
  { type: 'response.reasoning_summary_text.done', item_id: REASONING_ID, output_index: 0, summary_index: 1, text: 'Greet back.' },
  { type: 'response.reasoning_summary_part.done', item_id: REASONING_ID, output_index: 0, summary_index: 1, part: { type: 'summary_text', text: 'Greet back.' } },
  {
    type: 'response.output_item.done',
    output_index: 0,
    item: {
      id: REASONING_ID,
      type: 'reasoning',
      summary: [
        { type: 'summary_text', text: '**Responding to a greeting**\n\nThe user said hello.' },
        { type: 'summary_text', text: 'Greet back.' },
      ],
      encrypted_content: 'gAAAAABo-encrypted-reasoning==',
    },
  },
  { type: 'response.output_item.added', output_index: 1, item: { id: MESSAGE_ID, type: 'message', status: 'in_progress', content: [], role: 'assistant' } },
  { type: 'response.content_part.added', item_id: MESSAGE_ID, output_index: 1, content_index: 0, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } },
  { type: 'response.output_text.delta', item_id: MESSAGE_ID, output_index: 1, content_index: 0, delta: 'Hello! ', logprobs: [], obfuscation: 'x1' },
  { type: 'response.output_text.delta', item_id: MESSAGE_ID, output_index: 1, content_index: 0, delta: 'How can I help?', logprobs: [], obfuscation: 'x2' },
  { type: 'response.output_text.done', item_id: MESSAGE_ID, output_index: 1, content_index: 0, text: 'Hello! How can I help?', logprobs: [] },
  { type: 'response.content_part.done', item_id: MESSAGE_ID, output_index: 1, content_index: 0, part: { type: 'output_text', annotations: [], logprobs: [], text: 'Hello! How can I help?' } },
  {
    type: 'response.output_item.done',
    output_index: 1,
    item: { id: MESSAGE_ID, type: 'message', status: 'completed', content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'Hello! How can I help?' }], role: 'assistant' },
  },
  {
    type: 'response.completed',
    response: baseResponse('resp_up_1', 'completed', {
      output: [],
      usage: { input_tokens: 37, input_tokens_details: { cached_tokens: 12 }, output_tokens: 64, output_tokens_details: { reasoning_tokens: 40 }, total_tokens: 101 },
    }),
  },
]);

export const CALL_ITEM_1 = 'fc_68a0b7f2c9d08190a1b2c3d4e5f6a7b80011223344556677';
export const CALL_ITEM_2 = 'fc_68a0b7f2c9d08190a1b2c3d4e5f6a7b80011223344556688';

/**
 * Two parallel function calls, streamed as the reference describes (added with empty arguments,
 * argument deltas keyed by item_id, arguments.done, output_item.done with the full arguments), after
 * a short preamble message; completed with an empty output and cached/reasoning tokens.
 */
export const PARALLEL_TOOL_CALLS: Event[] = numbered([
  { type: 'response.created', response: baseResponse('resp_up_2', 'in_progress') },
  { type: 'response.output_item.added', output_index: 0, item: { id: 'msg_pre', type: 'message', status: 'in_progress', content: [], role: 'assistant' } },
  { type: 'response.content_part.added', item_id: 'msg_pre', output_index: 0, content_index: 0, part: { type: 'output_text', annotations: [], text: '' } },
  { type: 'response.output_text.delta', item_id: 'msg_pre', output_index: 0, content_index: 0, delta: 'Checking both cities.' },
  { type: 'response.output_item.done', output_index: 0, item: { id: 'msg_pre', type: 'message', status: 'completed', content: [{ type: 'output_text', annotations: [], text: 'Checking both cities.' }], role: 'assistant' } },
  { type: 'response.output_item.added', output_index: 1, item: { id: CALL_ITEM_1, type: 'function_call', status: 'in_progress', arguments: '', call_id: 'call_paris', name: 'get_weather' } },
  { type: 'response.function_call_arguments.delta', item_id: CALL_ITEM_1, output_index: 1, delta: '{"city":' },
  { type: 'response.function_call_arguments.delta', item_id: CALL_ITEM_1, output_index: 1, delta: '"Paris"}' },
  { type: 'response.function_call_arguments.done', item_id: CALL_ITEM_1, output_index: 1, arguments: '{"city":"Paris"}' },
  { type: 'response.output_item.done', output_index: 1, item: { id: CALL_ITEM_1, type: 'function_call', status: 'completed', arguments: '{"city":"Paris"}', call_id: 'call_paris', name: 'get_weather' } },
  { type: 'response.output_item.added', output_index: 2, item: { id: CALL_ITEM_2, type: 'function_call', status: 'in_progress', arguments: '', call_id: 'call_tokyo', name: 'get_weather' } },
  { type: 'response.function_call_arguments.delta', item_id: CALL_ITEM_2, output_index: 2, delta: '{"city":"To' },
  // The last argument delta never came: output_item.done is authoritative (reference §4.1 "safe practice").
  { type: 'response.function_call_arguments.done', item_id: CALL_ITEM_2, output_index: 2, arguments: '{"city":"Tokyo"}' },
  { type: 'response.output_item.done', output_index: 2, item: { id: CALL_ITEM_2, type: 'function_call', status: 'completed', arguments: '{"city":"Tokyo"}', call_id: 'call_tokyo', name: 'get_weather' } },
  {
    type: 'response.completed',
    response: baseResponse('resp_up_2', 'completed', {
      output: [],
      usage: { input_tokens: 120, input_tokens_details: { cached_tokens: 64 }, output_tokens: 48, output_tokens_details: { reasoning_tokens: 16 }, total_tokens: 168 },
    }),
  },
]);

/** The sparse shape of Codex's own test fixtures: only `.done` items, no indices, null usage details. */
export const CODEX_FIXTURE_STYLE: Event[] = [
  { type: 'response.created', response: { id: 'resp_sparse' } },
  { type: 'response.output_item.done', item: { type: 'reasoning', id: 'rs_sparse', summary: [{ type: 'summary_text', text: 'Thinking briefly.' }], encrypted_content: 'enc==' } },
  { type: 'response.output_item.done', item: { type: 'message', role: 'assistant', id: 'msg_sparse', content: [{ type: 'output_text', text: 'Done.' }] } },
  { type: 'response.output_item.done', item: { type: 'function_call', call_id: 'call_sparse', name: 'shell', arguments: '{"command":["ls"]}' } },
  { type: 'response.completed', response: { id: 'resp_sparse', usage: { input_tokens: 10, input_tokens_details: null, output_tokens: 5, output_tokens_details: null, total_tokens: 15 } } },
];

/** Cut by max_output_tokens: `response.incomplete`, the message item left incomplete. */
export const INCOMPLETE_MAX_TOKENS: Event[] = numbered([
  { type: 'response.created', response: baseResponse('resp_up_3', 'in_progress') },
  { type: 'response.output_item.added', output_index: 0, item: { id: 'msg_cut', type: 'message', status: 'in_progress', content: [], role: 'assistant' } },
  { type: 'response.content_part.added', item_id: 'msg_cut', output_index: 0, content_index: 0, part: { type: 'output_text', annotations: [], text: '' } },
  { type: 'response.output_text.delta', item_id: 'msg_cut', output_index: 0, content_index: 0, delta: 'Once upon a' },
  {
    type: 'response.incomplete',
    response: baseResponse('resp_up_3', 'incomplete', {
      incomplete_details: { reason: 'max_output_tokens' },
      output: [],
      usage: { input_tokens: 9, input_tokens_details: { cached_tokens: 0 }, output_tokens: 16, output_tokens_details: { reasoning_tokens: 12 }, total_tokens: 25 },
    }),
  },
]);

/** An in-stream failure (reference §3.3: `response.failed` with `response.error.code`). */
export const FAILED_RATE_LIMIT: Event[] = numbered([
  { type: 'response.created', response: baseResponse('resp_up_4', 'in_progress') },
  { type: 'response.output_item.added', output_index: 0, item: { id: 'msg_f', type: 'message', status: 'in_progress', content: [], role: 'assistant' } },
  { type: 'response.content_part.added', item_id: 'msg_f', output_index: 0, content_index: 0, part: { type: 'output_text', annotations: [], text: '' } },
  { type: 'response.output_text.delta', item_id: 'msg_f', output_index: 0, content_index: 0, delta: 'Partial' },
  {
    type: 'response.failed',
    response: baseResponse('resp_up_4', 'failed', { error: { code: 'rate_limit_exceeded', message: 'Rate limit reached. Please try again in 11.054s.' } }),
  },
]);

/** An `error` event as api.openai.com sends it mid-stream (the error nested; reference: Effect-TS PR #7262's capture). */
export const ERROR_EVENT: Event[] = [
  { type: 'response.created', sequence_number: 0, response: baseResponse('resp_up_5', 'in_progress') },
  { type: 'error', sequence_number: 1, error: { type: 'insufficient_quota', code: 'usage_not_included', message: 'Your plan does not include this model.', param: null } },
];
