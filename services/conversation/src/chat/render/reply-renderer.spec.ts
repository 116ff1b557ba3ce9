import { describe, expect, it } from '@jest/globals';
import type { UpstreamEvent } from '@chatgate/protocol';
import type { FileLinks } from '../../shared/files/file-links.js';
import { ReplyRenderer, type ReasoningInline } from './reply-renderer.js';

const links: FileLinks = {
  image: (pointer, messageId) => ({ url: `https://gw.example/v1/files/${pointer.replace(/\W+/g, '_')}.${messageId}` }),
  sandbox: (path, messageId) => (path.endsWith('.secret') ? { unavailable: 'not today' } : { url: `https://gw.example/v1/files/sandbox${path.replace(/\//g, '_')}.${messageId}` }),
};

const answer = (delta: string, messageId = 'a'): UpstreamEvent => ({ type: 'text', channel: 'answer', delta, messageId });
const reasoning = (delta: string): UpstreamEvent => ({ type: 'text', channel: 'reasoning', delta, messageId: 'r' });
const code = (delta: string, messageId = 'c'): UpstreamEvent => ({ type: 'tool_text', kind: 'code', language: 'python', delta, messageId });
const output = (delta: string, messageId = 'o'): UpstreamEvent => ({ type: 'tool_text', kind: 'output', language: '', delta, messageId });
const done = (kind: 'code' | 'output', messageId: string): UpstreamEvent => ({ type: 'tool_done', kind, messageId });
const finished: UpstreamEvent = { type: 'answer_finished', messageId: 'a', reason: 'stop' };

/** Feeds each batch as one decoder push and returns the content and reasoning the client gets. */
function render(batches: UpstreamEvent[][], inline: ReasoningInline = 'none') {
  const renderer = new ReplyRenderer(links, inline);
  let content = '';
  let thinking = '';
  for (const batch of batches) {
    for (const ev of renderer.render(batch)) {
      if (ev.type === 'text' && ev.channel === 'answer') content += ev.delta;
      if (ev.type === 'text' && ev.channel === 'reasoning') thinking += ev.delta;
    }
  }
  return { content, thinking };
}

describe('ReplyRenderer', () => {
  it('passes plain answer text through unchanged', () => {
    expect(render([[answer('Hello')], [answer(' world.')], [finished]]).content).toBe('Hello world.');
  });

  it('fences streamed code and its output, one blank line around each block', () => {
    const { content } = render([[code('x = 6 *')], [code(' 7\nprint(x)'), done('code', 'c')], [output('42\n'), done('output', 'o')], [answer('\n\nIt is 42.'), finished]]);
    expect(content).toBe('```python\nx = 6 * 7\nprint(x)\n```\n\n```Output\n42\n```\n\nIt is 42.');
  });

  it('closes a fence the upstream never closed before the answer', () => {
    expect(render([[answer('Let me run it.')], [code('print(1)')], [answer('Done.'), finished]]).content).toBe('Let me run it.\n\n```python\nprint(1)\n```\n\nDone.');
  });

  it('quotes browsing notes and pages, and links citation markers split across chunks', () => {
    const { content } = render([
      [{ type: 'browsing', note: 'Searching: tides', messageId: 'b' }],
      [{ type: 'citation', source: { marker: 'turn0search0', title: 'Tides [guide]', url: 'https://t.example/a b' } }],
      [{ type: 'quote', title: 'Tides', url: 'https://t.example', text: 'Line one.\nLine two.', messageId: 'q' }],
      [{ type: 'citation', source: { marker: '【1†source】', title: 'Moon', url: 'https://m.example' } }],
      [answer('Tides follow the moon【1'), answer('†source】 and \ue200cite\ue202turn0'), answer('search0\ue201.'), finished],
    ]);
    expect(content).toBe(
      '> Searching: tides\n\n> [Tides](https://t.example)\n> Line one.\n> Line two.\n\nTides follow the moon [Moon](https://m.example) and [Tides \\[guide\\]](https://t.example/a%20b).',
    );
  });

  it('drops unknown markers and stray private-use characters, and flushes an unfinished marker as text', () => {
    expect(render([[answer('A【9†source】 b\ue203c \ue200entity\ue202["city","Kraków"]\ue201 d【never closed'), finished]]).content).toBe('A bc Kraków d【never closed');
  });

  it('shows a generated image as a Markdown image when it is done, nothing while generating', () => {
    const { content } = render([[answer('Here it is:')], [{ type: 'image', pointer: 'sediment://file_1', width: 1, height: 1, messageId: 'img' }], [finished]]);
    expect(content).toBe('Here it is:\n\n![image](https://gw.example/v1/files/sediment_file_1.img)');
  });

  it('turns sandbox links into gateway links, or a note when they cannot be linked', () => {
    const { content } = render([[answer('Get [a.csv](sand'), answer('box:/mnt/data/a.csv) or [b](sandbox:/mnt/data/b.secret).'), finished]]);
    expect(content).toBe('Get [a.csv](https://gw.example/v1/files/sandbox_mnt_data_a.csv.a) or [b] _(The generated file is not linked: not today.)_.');
  });

  it('keeps a lone parenthesis and text that only looks like a marker start', () => {
    expect(render([[answer('f(x) = (s')], [answer('ame) thing'), finished]]).content).toBe('f(x) = (same) thing');
  });

  it('leaves reasoning on its channel by default', () => {
    expect(render([[reasoning('Thinking.')], [answer('Answer.'), finished]])).toEqual({ content: 'Answer.', thinking: 'Thinking.' });
  });

  it('copies reasoning inline in <think> tags or as a quote when configured', () => {
    expect(render([[reasoning('Step one.\n')], [reasoning('Step two.')], [answer('Answer.'), finished]], 'think_tags')).toEqual({
      content: '<think>\nStep one.\nStep two.\n</think>\n\nAnswer.',
      thinking: 'Step one.\nStep two.',
    });
    expect(render([[reasoning('Step one.\n\nStep')], [reasoning(' two.')], [answer('Answer.'), finished]], 'quote').content).toBe('> Step one.\n>\n> Step two.\n\nAnswer.');
  });

  it('renders an answer the same however it is split into chunks', () => {
    const text = 'Tides【1†source】 rise \ue200cite\ue202turn0search0\ue201; see [a.csv](sandbox:/mnt/data/a.csv) (or not)\ue203.';
    const sources: UpstreamEvent[] = [
      { type: 'citation', source: { marker: '【1†source】', title: 'Moon', url: 'https://m.example' } },
      { type: 'citation', source: { marker: 'turn0search0', title: 'Tides', url: 'https://t.example' } },
    ];
    const expected = 'Tides [Moon](https://m.example) rise [Tides](https://t.example); see [a.csv](https://gw.example/v1/files/sandbox_mnt_data_a.csv.a) (or not).';
    expect(render([sources, [answer(text), finished]]).content).toBe(expected);
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j += 7) {
        const pieces = [text.slice(0, i), text.slice(i, j), text.slice(j)];
        expect(render([sources, ...pieces.map((p) => [answer(p)]), [finished]]).content).toBe(expected);
      }
    }
  });

  it('renders tool traffic of the reasoning into the reasoning, spaced the same way', () => {
    const thinkingCode = (delta: string): UpstreamEvent => ({ ...code(delta, 't'), reasoning: true }) as UpstreamEvent;
    const batches: UpstreamEvent[][] = [
      [reasoning('Let me compute.')],
      [thinkingCode('print(6 * 7)'), { type: 'tool_done', kind: 'code', messageId: 't', reasoning: true }],
      [{ type: 'browsing', note: 'Searching: answers', messageId: 'b', reasoning: true }],
      [reasoning('\n\nIt is 42.')],
      [answer('42.'), finished],
    ];
    expect(render(batches)).toEqual({ content: '42.', thinking: 'Let me compute.\n\n```python\nprint(6 * 7)\n```\n\n> Searching: answers\n\nIt is 42.' });
    expect(render(batches, 'think_tags').content).toBe('<think>\nLet me compute.\n\n```python\nprint(6 * 7)\n```\n\n> Searching: answers\n\nIt is 42.\n</think>\n\n42.');
  });

  it('closes inline reasoning before an answer block, and an answer block before inline reasoning', () => {
    expect(render([[reasoning('Hmm.')], [code('x'), done('code', 'c')], [reasoning('More.')], [answer('Done.'), finished]], 'think_tags').content).toBe(
      '<think>\nHmm.\n</think>\n\n```python\nx\n```\n\n<think>\nMore.\n</think>\n\nDone.',
    );
  });
});
