/**
 * Hand-written upstream streams following docs/reference upstream-chatgpt.md §3.
 * Objects are serialised by `sse()`; the shapes are what the reference describes.
 */
import { DONE, V1_HEADER, delta, plain, sse, type Frame } from './helpers.js';

export const CONV = 'conv-6790a1b2';

function doc(message: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { message, conversation_id: CONV, error: null, error_code: null, ...extra };
}

export function assistant(id: string, content: Record<string, unknown>, more: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    author: { role: 'assistant', name: null, metadata: {} },
    create_time: 1767225600.5,
    update_time: null,
    content,
    status: 'in_progress',
    end_turn: null,
    weight: 1,
    metadata: {},
    recipient: 'all',
    channel: null,
    ...more,
  };
}

/** A 2026-style v1 reasoning turn: hidden system doc, user echo, thoughts, recap, final answer. */
export const v1ReasoningFrames: Frame[] = [
  V1_HEADER,
  plain({ type: 'resume_conversation_token', kind: 'topic', token: 'eyJhbGciOiJIUzI1NiJ9.e30.x', conversation_id: CONV }),
  delta({
    p: '',
    o: 'add',
    v: doc({
      id: 'sys-0',
      author: { role: 'system', name: null, metadata: {} },
      content: { content_type: 'text', parts: [''] },
      status: 'finished_successfully',
      end_turn: true,
      weight: 0,
      metadata: { is_visually_hidden_from_conversation: true },
      recipient: 'all',
      channel: null,
    }),
    c: 0,
  }),
  plain({
    type: 'input_message',
    input_message: { id: 'user-1', author: { role: 'user' }, content: { content_type: 'text', parts: ['Say hi in Japanese'] } },
    conversation_id: CONV,
  }),
  delta({
    v: doc({
      id: 'user-1',
      author: { role: 'user', name: null, metadata: {} },
      content: { content_type: 'text', parts: ['Say hi in Japanese'] },
      status: 'finished_successfully',
      end_turn: null,
      metadata: {},
      recipient: 'all',
      channel: null,
    }),
    c: 1,
  }),
  plain({ type: 'message_marker', conversation_id: CONV, message_id: 'user-1', marker: 'user_visible_token', event: 'first' }),
  delta({
    p: '',
    o: 'add',
    v: doc(assistant('think-2', { content_type: 'thoughts', thoughts: [], source_analysis_msg_id: 'a-1' })),
    c: 2,
  }),
  delta({ p: '/message/content/thoughts', o: 'append', v: [{ summary: 'Choosing a greeting', content: '', chunks: [], finished: false }] }),
  delta({ p: '/message/content/thoughts/0/content', o: 'append', v: 'こんにちは is the ' }),
  delta({ v: 'standard greeting.' }),
  delta({ p: '/message/content/thoughts', o: 'append', v: [{ summary: 'Adding an emoji', content: 'A wave 👋 fits.', chunks: [], finished: true }] }),
  plain({ type: 'message_marker', conversation_id: CONV, message_id: 'think-2', marker: 'cot_token', event: 'last' }),
  delta({
    p: '',
    o: 'patch',
    v: [
      { p: '/message/content/thoughts/0/finished', o: 'replace', v: true },
      { p: '/message/status', o: 'replace', v: 'finished_successfully' },
      { p: '/message/end_turn', o: 'replace', v: false },
    ],
  }),
  delta({
    v: doc(assistant('recap-3', { content_type: 'reasoning_recap', content: 'Thought for 4 seconds' }, { status: 'finished_successfully' })),
    c: 3,
  }),
  delta({
    p: '',
    o: 'add',
    v: doc(assistant('answer-4', { content_type: 'text', parts: [''] }, { channel: 'final', metadata: { model_slug: 'gpt-5-thinking' } })),
    c: 4,
  }),
  plain({ type: 'message_marker', conversation_id: CONV, message_id: 'answer-4', marker: 'final_channel_token', event: 'first' }),
  delta({ p: '/message/content/parts/0', o: 'append', v: 'こんにちは' }),
  delta({ v: '! 👋' }),
  delta({ v: ' (Konnichiwa)' }),
  delta({
    o: 'patch',
    v: [
      { p: '/message/content/parts/0', o: 'append', v: '.' },
      { p: '/message/status', o: 'replace', v: 'finished_successfully' },
      { p: '/message/end_turn', o: 'replace', v: true },
      { p: '/message/metadata', o: 'append', v: { finish_details: { type: 'stop', stop_tokens: [200002] }, is_complete: true } },
    ],
  }),
  plain({ type: 'title_generation', title: 'Japanese greeting', conversation_id: CONV }),
  plain({ type: 'server_ste_metadata', metadata: { plan_type: 'plus', model_slug: 'gpt-5-thinking', tool_name: null, turn_use_case: 'text' }, conversation_id: CONV }),
  plain({ type: 'conversation_detail_metadata', limits_progress: [{ feature_name: 'deep_research', remaining: 24, reset_after: '2026-03-01T00:00:00Z' }], conversation_id: CONV }),
  plain({ type: 'message_stream_complete', conversation_id: CONV }),
  DONE,
];

export const v1Reasoning = sse(v1ReasoningFrames);

/** A v1 turn that runs python: code call, tool output, a preamble, then the answer. */
export const v1ToolFrames: Frame[] = [
  V1_HEADER,
  delta({ p: '', o: 'add', v: doc(assistant('code-1', { content_type: 'code', language: 'unknown', text: '' }, { recipient: 'python' })), c: 0 }),
  delta({ p: '/message/content/text', o: 'append', v: 'print(6 *' }),
  delta({ v: ' 7)' }),
  delta({
    p: '',
    o: 'patch',
    v: [
      { p: '/message/status', o: 'replace', v: 'finished_successfully' },
      { p: '/message/end_turn', o: 'replace', v: false },
      { p: '/message/metadata', o: 'append', v: { finish_details: { type: 'stop', stop_tokens: [200007] } } },
    ],
  }),
  delta({
    v: doc({
      id: 'out-2',
      author: { role: 'tool', name: 'python', metadata: {} },
      content: { content_type: 'execution_output', text: '42\n' },
      status: 'finished_successfully',
      end_turn: null,
      metadata: { aggregate_result: { status: 'success' } },
      recipient: 'all',
      channel: null,
    }),
    c: 1,
  }),
  delta({
    v: doc(assistant('pre-3', { content_type: 'text', parts: ['Checking the arithmetic.'] }, { channel: 'commentary', metadata: { is_thinking_preamble_message: true } })),
    c: 2,
  }),
  delta({ p: '', o: 'add', v: doc(assistant('answer-4', { content_type: 'text', parts: [''] })), c: 3 }),
  delta({ p: '/message/content/parts/0', o: 'append', v: 'The answer is ' }),
  delta({ v: '**42**.' }),
  delta({
    p: '',
    o: 'patch',
    v: [
      { p: '/message/status', o: 'replace', v: 'finished_successfully' },
      { p: '/message/end_turn', o: 'replace', v: true },
      { p: '/message/metadata', o: 'append', v: { finish_details: { type: 'stop' } } },
    ],
  }),
  plain({ type: 'message_stream_complete', conversation_id: CONV }),
  DONE,
];

export const v1Tool = sse(v1ToolFrames);

/** Legacy cumulative frames: `data: {message, conversation_id, error}`. */
function legacy(message: Record<string, unknown>): Frame {
  return plain({ message, conversation_id: CONV, error: null });
}

const browse = (text: string, status = 'in_progress'): Frame =>
  legacy(assistant('call-1', { content_type: 'code', language: 'unknown', text }, { recipient: 'browser', status }));
const toolOut = (text: string): Frame =>
  legacy({
    id: 'tool-2',
    author: { role: 'tool', name: 'browser', metadata: {} },
    content: { content_type: 'tether_browsing_display', result: text, summary: null },
    status: 'finished_successfully',
    end_turn: null,
    metadata: { initial_text: 'Browsing', finished_text: 'Browsed the web' },
    recipient: 'all',
  });
const answer = (text: string, more: Record<string, unknown> = {}): Frame =>
  legacy(assistant('answer-3', { content_type: 'text', parts: [text] }, { metadata: { model_slug: 'gpt-4o', citations: [] }, ...more }));
const finished = (text: string, type = 'stop'): Frame =>
  answer(text, {
    status: 'finished_successfully',
    end_turn: type === 'stop',
    metadata: { model_slug: 'gpt-4o', citations: [], finish_details: { type, stop_tokens: [100260] } },
  });

/** A tool call, its output, then the answer growing cumulatively, with tail repeats. */
export const legacyToolThenAnswerFrames: Frame[] = [
  browse('search("weather'),
  browse('search("weather Kraków")'),
  browse('search("weather Kraków")', 'finished_successfully'),
  toolOut('【0†Weather in Kraków】'),
  answer('It'),
  answer('It is 12 °C'),
  answer('It is 12 °C in Kraków, '),
  answer('It is 12 °C in Kraków, partly cloudy ⛅.'),
  finished('It is 12 °C in Kraków, partly cloudy ⛅.'),
  // The upstream repeats the finished message; none of this is new text.
  finished('It is 12 °C in Kraków, partly cloudy ⛅.'),
  finished('It is 12 °C in Kraków, partly cloudy ⛅.'),
  plain({ type: 'title_generation', title: 'Kraków weather', conversation_id: CONV }),
  plain({ type: 'moderation', moderation_response: { flagged: false, blocked: false, moderation_id: 'modr-1' }, conversation_id: CONV, message_id: 'answer-3' }),
  plain({ type: 'message_stream_complete', conversation_id: CONV }),
  DONE,
];

export const legacyToolThenAnswer = sse(legacyToolThenAnswerFrames);
export const legacyFinishedFrame = finished;
export const legacyAnswerFrame = answer;
