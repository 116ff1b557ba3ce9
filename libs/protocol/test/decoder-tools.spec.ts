import { describe, expect, it } from '@jest/globals';
import { ConversationStreamDecoder } from '../src/conversation-stream-decoder.js';
import type { UpstreamEvent } from '../src/types.js';
import { CONV, assistant, legacyToolThenAnswer, v1Tool } from './fixtures.js';
import { DONE, V1_HEADER, decode, delta, mergeText, plain, sse } from './helpers.js';

const withTools = () => new ConversationStreamDecoder({ tools: true });
const doc = (message: Record<string, unknown>) => ({ message, conversation_id: CONV, error: null, error_code: null });
const tool = (id: string, name: string, content: Record<string, unknown>, metadata: Record<string, unknown> = {}, status = 'finished_successfully') => ({
  id,
  author: { role: 'tool', name, metadata: {} },
  content,
  status,
  end_turn: null,
  metadata,
  recipient: 'all',
  channel: null,
});
/** Tool events only (and the answer text), merged, without the bookkeeping events. */
const toolEvents = (events: UpstreamEvent[]) => mergeTools(events.filter((e) => !['conversation', 'complete', 'done', 'answer_finished'].includes(e.type)));

function mergeTools(events: UpstreamEvent[]): UpstreamEvent[] {
  const out: UpstreamEvent[] = [];
  for (const e of mergeText(events)) {
    const last = out[out.length - 1];
    if (e.type === 'tool_text' && last?.type === 'tool_text' && last.messageId === e.messageId) out[out.length - 1] = { ...last, delta: last.delta + e.delta };
    else out.push(e);
  }
  return out;
}

describe('ConversationStreamDecoder with tools', () => {
  it('without the option, tool traffic stays silent (the default)', () => {
    expect(decode(v1Tool).some((e) => e.type === 'tool_text' || e.type === 'browsing')).toBe(false);
  });

  it('streams code and its output in v1, each closed once, before the answer', () => {
    expect(toolEvents(decode(v1Tool, undefined, withTools()))).toEqual([
      { type: 'tool_text', kind: 'code', language: 'python', delta: 'print(6 * 7)', messageId: 'code-1' },
      { type: 'tool_done', kind: 'code', messageId: 'code-1' },
      { type: 'tool_text', kind: 'output', language: '', delta: '42\n', messageId: 'out-2' },
      { type: 'tool_done', kind: 'output', messageId: 'out-2' },
      { type: 'text', channel: 'reasoning', delta: 'Checking the arithmetic.', messageId: 'pre-3' },
      { type: 'text', channel: 'answer', delta: 'The answer is **42**.', messageId: 'answer-4' },
    ]);
  });

  it('gives the same events whatever the chunking', () => {
    const whole = toolEvents(decode(v1Tool, undefined, withTools()));
    expect(toolEvents(decode(v1Tool, () => 7, withTools()))).toEqual(whole);
  });

  it('notes a legacy browser search once and the browsing display status once', () => {
    const events = toolEvents(decode(legacyToolThenAnswer, undefined, withTools()));
    expect(events.filter((e) => e.type === 'browsing')).toEqual([
      { type: 'browsing', note: 'Searching: weather Kraków', messageId: 'call-1' },
      { type: 'browsing', note: 'Browsed the web', messageId: 'tool-2' },
    ]);
  });

  it('reads web.run queries, search-result references, quotes and content references', () => {
    const body = sse([
      V1_HEADER,
      delta({ p: '', o: 'add', v: doc(assistant('q-1', { content_type: 'code', language: 'unknown', text: '{"search_query":[{"q":"tide tables"},{"q":"moon"}]}' }, { recipient: 'web.run', status: 'finished_successfully' })), c: 0 }),
      delta({
        v: doc(
          tool('r-2', 'web.run', { content_type: 'tether_browsing_display', result: '', summary: null }, {
            finished_text: 'Searched 2 sites',
            search_result_groups: [{ domain: 'a.example', entries: [{ url: 'https://a.example/t', title: 'Tides', ref_id: { turn_index: 0, ref_type: 'search', ref_index: 0 } }] }],
          }),
        ),
        c: 1,
      }),
      delta({ v: doc(tool('q-3', 'web.run', { content_type: 'tether_quote', url: 'https://a.example/t', domain: 'a.example', title: 'Tides', text: 'High at noon.' })), c: 2 }),
      delta({ p: '', o: 'add', v: doc(assistant('a-4', { content_type: 'text', parts: [''] })), c: 3 }),
      delta({ p: '/message/content/parts/0', o: 'append', v: 'High tide is at noon \ue200cite\ue202turn0search0\ue201.' }),
      delta({
        p: '',
        o: 'patch',
        v: [
          { p: '/message/metadata', o: 'append', v: { content_references: [{ matched_text: '\ue200cite\ue202turn0search0\ue201', items: [{ title: 'Tides', url: 'https://a.example/t' }] }] } },
          { p: '/message/status', o: 'replace', v: 'finished_successfully' },
          { p: '/message/end_turn', o: 'replace', v: true },
        ],
      }),
      DONE,
    ]);
    expect(toolEvents(decode(body, undefined, withTools()))).toEqual([
      { type: 'browsing', note: 'Searching: tide tables; moon', messageId: 'q-1' },
      { type: 'citation', source: { marker: 'turn0search0', title: 'Tides', url: 'https://a.example/t' } },
      { type: 'browsing', note: 'Searched 2 sites', messageId: 'r-2' },
      { type: 'quote', title: 'Tides', url: 'https://a.example/t', text: 'High at noon.', messageId: 'q-3' },
      { type: 'text', channel: 'answer', delta: 'High tide is at noon \ue200cite\ue202turn0search0\ue201.', messageId: 'a-4' },
      { type: 'citation', source: { marker: '\ue200cite\ue202turn0search0\ue201', title: 'Tides', url: 'https://a.example/t' } },
    ]);
  });

  it('names legacy citations by the text they span, once, only when the marker is there', () => {
    const marker = '【3†source】';
    const citation = { start_ix: 9, end_ix: 9 + marker.length, metadata: { title: 'Docs', url: 'https://d.example' } };
    const frame = (text: string, citations: unknown[]) =>
      plain({ message: assistant('a-1', { content_type: 'text', parts: [text] }, { metadata: { citations } }), conversation_id: CONV, error: null });
    const events = decode(sse([frame('See also ', [citation]), frame(`See also ${marker}`, [citation]), frame(`See also ${marker} x`, [citation]), DONE]), undefined, withTools());
    expect(events.filter((e) => e.type === 'citation')).toEqual([{ type: 'citation', source: { marker, title: 'Docs', url: 'https://d.example' } }]);
  });

  it('emits a generated image only when its tool message finishes, once', () => {
    const pointer = { content_type: 'image_asset_pointer', asset_pointer: 'sediment://file_abc', width: 1024, height: 768, metadata: { generation: { gen_id: 'g1' } } };
    const body = sse([
      V1_HEADER,
      delta({ p: '', o: 'add', v: doc(tool('img-1', 't2uay3k.sj1i4kz', { content_type: 'multimodal_text', parts: [] }, { image_gen_async: true }, 'in_progress')), c: 0 }),
      delta({ p: '/message/metadata', o: 'append', v: { generation: { progress: 40 } } }),
      delta({ p: '', o: 'patch', v: [{ p: '/message/content/parts', o: 'append', v: [pointer] }, { p: '/message/status', o: 'replace', v: 'finished_successfully' }] }),
      delta({ p: '/message/metadata', o: 'append', v: { done: true } }),
      DONE,
    ]);
    expect(toolEvents(decode(body, undefined, withTools()))).toEqual([{ type: 'image', pointer: 'sediment://file_abc', width: 1024, height: 768, messageId: 'img-1' }]);
  });

  it('reports an asynchronous image task that finishes without its image, once', () => {
    const body = sse([
      V1_HEADER,
      delta({ p: '', o: 'add', v: doc(tool('img-1', 't2uay3k.sj1i4kz', { content_type: 'multimodal_text', parts: [] }, { image_gen_async: true, async_task_type: 'image_gen' }, 'in_progress')), c: 0 }),
      delta({ p: '', o: 'patch', v: [{ p: '/message/content/parts', o: 'append', v: ['Processing image'] }, { p: '/message/status', o: 'replace', v: 'finished_successfully' }] }),
      delta({ p: '/message/metadata', o: 'append', v: { async_task_id: 'task_1' } }),
      DONE,
    ]);
    expect(toolEvents(decode(body, undefined, withTools()))).toEqual([{ type: 'image_pending', messageId: 'img-1' }]);
  });

  it('marks tool traffic of the reasoning (analysis channel) as such', () => {
    const body = sse([
      V1_HEADER,
      delta({ p: '', o: 'add', v: doc(assistant('c-1', { content_type: 'code', language: 'python', text: 'print(1)' }, { recipient: 'python', channel: 'analysis', status: 'finished_successfully' })), c: 0 }),
      delta({ v: doc({ ...tool('o-2', 'python', { content_type: 'execution_output', text: '1\n' }), channel: 'analysis' }), c: 1 }),
      DONE,
    ]);
    expect(toolEvents(decode(body, undefined, withTools()))).toEqual([
      { type: 'tool_text', kind: 'code', language: 'python', delta: 'print(1)', messageId: 'c-1', reasoning: true },
      { type: 'tool_done', kind: 'code', messageId: 'c-1', reasoning: true },
      { type: 'tool_text', kind: 'output', language: '', delta: '1\n', messageId: 'o-2', reasoning: true },
      { type: 'tool_done', kind: 'output', messageId: 'o-2', reasoning: true },
    ]);
  });
});
