import { describe, it, expect } from '@jest/globals';
import { ConversationStreamDecoder } from '../src/conversation-stream-decoder.js';
import { CONV, assistant, v1Reasoning, v1Tool } from './fixtures.js';
import { DONE, V1_HEADER, decode, delta, mergeText, plain, sse, textOf, type Frame } from './helpers.js';

/** A v1 stream that opens with one answer document, then `frames`. */
function answerStream(frames: Frame[], message: Record<string, unknown> = assistant('a1', { content_type: 'text', parts: [''] })): string {
  return sse([V1_HEADER, delta({ p: '', o: 'add', v: { message, conversation_id: CONV, error: null, error_code: null }, c: 0 }), ...frames]);
}

const finishPatch = (type?: string, endTurn = true): Frame =>
  delta({
    p: '',
    o: 'patch',
    v: [
      { p: '/message/status', o: 'replace', v: 'finished_successfully' },
      { p: '/message/end_turn', o: 'replace', v: endTurn },
      ...(type === undefined ? [] : [{ p: '/message/metadata', o: 'append', v: { finish_details: { type } } }]),
    ],
  });

describe('ConversationStreamDecoder, v1 delta encoding', () => {
  it('decodes the reference example exactly', () => {
    const body = sse([
      V1_HEADER,
      delta({ p: '', o: 'add', v: { message: assistant('m1', { content_type: 'text', parts: [''] }), conversation_id: 'c-1', error: null }, c: 0 }),
      delta({ p: '/message/content/parts/0', o: 'append', v: 'Hel' }),
      delta({ v: 'lo' }),
      finishPatch('stop'),
      plain({ type: 'message_stream_complete', conversation_id: 'c-1' }),
      DONE,
    ]);
    const decoder = new ConversationStreamDecoder();
    expect(decode(body, undefined, decoder)).toEqual([
      { type: 'conversation', conversationId: 'c-1' },
      { type: 'text', channel: 'answer', delta: 'Hel', messageId: 'm1' },
      { type: 'text', channel: 'answer', delta: 'lo', messageId: 'm1' },
      { type: 'answer_finished', messageId: 'm1', reason: 'stop' },
      { type: 'complete' },
      { type: 'done' },
    ]);
    expect(decoder.encoding).toBe('v1');
    expect(decoder.answerMessageId).toBe('m1');
    expect(decoder.conversationId).toBe('c-1');
  });

  it('decodes a 2026 reasoning turn: hidden docs silent, thoughts and recap as reasoning, final answer exact', () => {
    const decoder = new ConversationStreamDecoder();
    const events = decode(v1Reasoning, undefined, decoder);
    expect(mergeText(events)).toEqual([
      { type: 'conversation', conversationId: CONV },
      {
        type: 'text',
        channel: 'reasoning',
        delta: '**Choosing a greeting**\nこんにちは is the standard greeting.\n\n**Adding an emoji**\nA wave 👋 fits.',
        messageId: 'think-2',
      },
      { type: 'text', channel: 'reasoning', delta: '\n\nThought for 4 seconds', messageId: 'recap-3' },
      { type: 'text', channel: 'answer', delta: 'こんにちは! 👋 (Konnichiwa).', messageId: 'answer-4' },
      { type: 'answer_finished', messageId: 'answer-4', reason: 'stop' },
      { type: 'title', title: 'Japanese greeting' },
      { type: 'limits', limits: [{ feature: 'deep_research', remaining: 24, resetAfter: '2026-03-01T00:00:00Z' }] },
      { type: 'complete' },
      { type: 'done' },
    ]);
    // Deltas follow the stream's appends rather than arriving in one lump.
    expect(events.filter((e) => e.type === 'text' && e.channel === 'answer').map((e) => (e.type === 'text' ? e.delta : ''))).toEqual([
      'こんにちは',
      '! 👋',
      ' (Konnichiwa)',
      '.',
    ]);
    expect(decoder.answerMessageId).toBe('answer-4');
    expect(decoder.malformedFrames).toBe(0);
    expect(decoder.failedOperations).toBe(0);
  });

  it('keeps tool calls, tool output and non-final messages silent; a commentary preamble is reasoning', () => {
    const events = mergeText(decode(v1Tool));
    expect(events).toEqual([
      { type: 'conversation', conversationId: CONV },
      { type: 'text', channel: 'reasoning', delta: 'Checking the arithmetic.', messageId: 'pre-3' },
      { type: 'text', channel: 'answer', delta: 'The answer is **42**.', messageId: 'answer-4' },
      { type: 'answer_finished', messageId: 'answer-4', reason: 'stop' },
      { type: 'complete' },
      { type: 'done' },
    ]);
  });

  it('emits nothing for a hidden system document and a user echo', () => {
    const events = decode(
      sse([
        V1_HEADER,
        delta({
          p: '',
          o: 'add',
          v: {
            message: { id: 's', author: { role: 'system' }, content: { content_type: 'text', parts: ['You are ChatGPT'] }, metadata: { is_visually_hidden_from_conversation: true }, recipient: 'all' },
            conversation_id: CONV,
            error: null,
          },
          c: 0,
        }),
        delta({ p: '/message/content/parts/0', o: 'append', v: ' more hidden' }),
        delta({ v: { message: { id: 'u', author: { role: 'user' }, content: { content_type: 'text', parts: ['hello'] }, status: 'finished_successfully', end_turn: true, metadata: { finish_details: { type: 'stop' } }, recipient: 'all' }, conversation_id: CONV, error: null }, c: 1 }),
        DONE,
      ]),
    );
    expect(events).toEqual([{ type: 'conversation', conversationId: CONV }, { type: 'done' }]);
  });

  it('emits analysis-channel assistant text as reasoning and the final channel as the answer', () => {
    const body = sse([
      V1_HEADER,
      delta({ p: '', o: 'add', v: { message: assistant('an-1', { content_type: 'text', parts: [''] }, { channel: 'analysis' }), conversation_id: CONV, error: null }, c: 0 }),
      delta({ p: '/message/content/parts/0', o: 'append', v: 'User wants a haiku.' }),
      delta({ p: '', o: 'add', v: { message: assistant('an-2', { content_type: 'text', parts: [''] }, { channel: 'analysis' }), conversation_id: CONV, error: null }, c: 1 }),
      delta({ p: '/message/content/parts/0', o: 'append', v: 'Keep it 5-7-5.' }),
      delta({ p: '', o: 'add', v: { message: assistant('fin-3', { content_type: 'text', parts: [''] }, { channel: 'final' }), conversation_id: CONV, error: null }, c: 2 }),
      delta({ p: '/message/content/parts/0', o: 'append', v: 'Old pond' }),
      DONE,
    ]);
    const events = decode(body);
    expect(textOf(events, 'reasoning')).toBe('User wants a haiku.\n\nKeep it 5-7-5.');
    expect(textOf(events, 'answer')).toBe('Old pond');
  });

  describe('operations', () => {
    it('append to a string, sticky cursor for bare {v}', () => {
      const events = decode(answerStream([delta({ p: '/message/content/parts/0', o: 'append', v: 'a' }), delta({ v: 'b' }), delta({ v: 'c' })]));
      expect(events.filter((e) => e.type === 'text').map((e) => (e.type === 'text' ? e.delta : ''))).toEqual(['a', 'b', 'c']);
    });

    it('a frame naming only p keeps the last op; naming only o keeps the last p', () => {
      const events = decode(
        answerStream([
          delta({ p: '/message/content/parts/0', o: 'append', v: 'a' }),
          delta({ p: '/message/metadata', o: 'append', v: { x: 1 } }),
          delta({ p: '/message/content/parts/0', v: 'b' }), // op stays append
          delta({ o: 'append', v: 'c' }), // pointer stays parts/0
        ]),
      );
      expect(textOf(events, 'answer')).toBe('abc');
    });

    it('add into the parts array and append to an array and to an object', () => {
      const decoder = new ConversationStreamDecoder();
      const events = decode(
        answerStream(
          [
            delta({ p: '/message/content/parts/0', o: 'add', v: 'first' }),
            delta({ p: '/message/metadata/citations', o: 'append', v: [{ start_ix: 0 }] }),
            delta({ p: '/message/metadata', o: 'append', v: { finish_details: { type: 'max_tokens' } } }),
          ],
          assistant('a1', { content_type: 'text', parts: [] }),
        ),
        undefined,
        decoder,
      );
      expect(textOf(events, 'answer')).toBe('first');
      expect(events.at(-1)).toEqual({ type: 'answer_finished', messageId: 'a1', reason: 'length' });
      expect(decoder.failedOperations).toBe(0);
    });

    it('replace that grows emits the new suffix; one that shrinks emits nothing until it passes the emitted length', () => {
      const events = decode(
        answerStream([
          delta({ p: '/message/content/parts/0', o: 'append', v: 'Hello world' }),
          delta({ p: '/message/content/parts/0', o: 'replace', v: 'Hello' }),
          delta({ p: '/message/content/parts/0', o: 'append', v: ' wor' }),
          delta({ v: 'ld!' }),
          delta({ p: '/message/content/parts/0', o: 'replace', v: 'Hello world!!' }),
        ]),
      );
      expect(events.filter((e) => e.type === 'text').map((e) => (e.type === 'text' ? e.delta : ''))).toEqual(['Hello world', '!', '!']);
    });

    it('remove and truncate are applied without emitting text again', () => {
      const decoder = new ConversationStreamDecoder();
      const events = decode(
        answerStream([
          delta({ p: '/message/content/parts/0', o: 'append', v: 'abcdef' }),
          delta({ p: '/message/content/parts/0', o: 'truncate', v: 3 }),
          delta({ p: '/message/metadata/model_slug', o: 'add', v: 'gpt-5' }),
          delta({ p: '/message/metadata/model_slug', o: 'remove' }),
          delta({ p: '/message/content/parts/0', o: 'append', v: 'defg' }),
          delta({ p: '/message/content/parts/0', o: 'something_new', v: 'zzz' }),
        ]),
        undefined,
        decoder,
      );
      expect(textOf(events, 'answer')).toBe('abcdefg');
      expect(decoder.failedOperations).toBe(1); // the unknown op, ignored
    });

    it('patch with a non-empty parent pointer uses relative sub-paths', () => {
      const events = decode(
        answerStream([
          delta({
            p: '/message',
            o: 'patch',
            v: [
              { p: '/content/parts/0', o: 'append', v: 'Relative' },
              { p: '/status', o: 'replace', v: 'finished_successfully' },
              { p: '/end_turn', o: 'replace', v: true },
              { p: '/metadata', o: 'append', v: { finish_details: { type: 'interrupted' } } },
            ],
          }),
        ]),
      );
      expect(textOf(events, 'answer')).toBe('Relative');
      expect(events.at(-1)).toEqual({ type: 'answer_finished', messageId: 'a1', reason: 'interrupted' });
    });

    it('string appends outside the visible text emit nothing', () => {
      const events = decode(
        answerStream([
          delta({ p: '/message/content/parts/0', o: 'append', v: 'body' }),
          delta({ p: '/message/author/name', o: 'append', v: 'abcd' }),
          delta({ p: '/message/status', o: 'append', v: '_x' }),
          delta({ p: '/message/content/parts/0', o: 'append', v: '!' }),
        ]),
      );
      expect(events.filter((e) => e.type === 'text').map((e) => (e.type === 'text' ? e.delta : ''))).toEqual(['body', '!']);
    });

    it('stays linear on a long answer (no re-scan of the whole text per event)', () => {
      const streamOf = (n: number) => {
        let body = answerStream([delta({ p: '/message/content/parts/0', o: 'append', v: '' })]);
        for (let i = 0; i < n; i++) body += `event: delta\ndata: {"v":"t${i} "}\n\n`;
        return body;
      };
      // The best of three runs at n and at 4n: linear work grows about 4×, a re-scan per event 16×.
      // Compared with each other rather than with a wall-clock bound, so a loaded machine cannot fail it.
      const fastest = (n: number) => {
        const body = streamOf(n);
        let best = Infinity;
        for (let run = 0; run < 3; run++) {
          const started = performance.now();
          const events = decode(body, (i) => 1400 + (i % 7));
          best = Math.min(best, performance.now() - started);
          expect(events.filter((e) => e.type === 'text')).toHaveLength(n);
          expect(textOf(events, 'answer').endsWith(`t${n - 1} `)).toBe(true);
        }
        return best;
      };
      const small = fastest(10_000);
      const large = fastest(40_000);
      expect(large / small).toBeLessThan(9);
    });

    it('a bare {o: patch} uses absolute sub-paths even after the cursor moved deeper', () => {
      const events = decode(
        answerStream([
          delta({ p: '/message/content/parts/0', o: 'append', v: 'x' }),
          delta({ o: 'patch', v: [{ p: '/message/content/parts/0', o: 'append', v: 'y' }] }),
          delta({ v: [{ p: '/message/content/parts/0', o: 'append', v: 'z' }] }), // sticky patch
        ]),
      );
      expect(textOf(events, 'answer')).toBe('xyz');
    });
  });

  describe('documents', () => {
    const docFrame = (id: string, c: number, withP: boolean): Frame =>
      delta({ ...(withP ? { p: '', o: 'add' } : {}), v: { message: assistant(id, { content_type: 'text', parts: [''] }), conversation_id: CONV, error: null }, c });

    it('a new document (with or without p:"") takes later operations and resets the cursor', () => {
      const decoder = new ConversationStreamDecoder();
      const events = decode(
        sse([
          V1_HEADER,
          docFrame('d0', 0, true),
          delta({ p: '/message/content/parts/0', o: 'append', v: 'zero' }),
          docFrame('d1', 1, false),
          delta({ v: 'lost' }), // cursor was reset: nothing to continue
          delta({ p: '/message/content/parts/0', o: 'append', v: 'one' }),
          docFrame('d2', 2, true),
          delta({ v: 'lost too' }),
          delta({ p: '/message/content/parts/0', o: 'append', v: 'two' }),
          DONE,
        ]),
        undefined,
        decoder,
      );
      expect(mergeText(events).filter((e) => e.type === 'text')).toEqual([
        { type: 'text', channel: 'answer', delta: 'zero', messageId: 'd0' },
        { type: 'text', channel: 'answer', delta: '\n\none', messageId: 'd1' },
        { type: 'text', channel: 'answer', delta: '\n\ntwo', messageId: 'd2' },
      ]);
      expect(decoder.failedOperations).toBe(2);
      expect(decoder.answerMessageId).toBe('d2');
    });

    it('a document added with text already in it emits that text', () => {
      const events = decode(
        sse([V1_HEADER, delta({ v: { message: assistant('x', { content_type: 'text', parts: ['Ready-made'] }), conversation_id: CONV, error: null }, c: 0 })]),
      );
      expect(textOf(events, 'answer')).toBe('Ready-made');
    });

    it('works without the delta_encoding header and with typed events sent as event: delta', () => {
      const decoder = new ConversationStreamDecoder();
      const events = decode(
        sse([
          delta({ p: '', o: 'add', v: { message: assistant('x', { content_type: 'text', parts: ['hi'] }), conversation_id: CONV, error: null }, c: 0 }),
          delta({ type: 'title_generation', title: 'Greeting', conversation_id: CONV }),
        ]),
        undefined,
        decoder,
      );
      expect(decoder.encoding).toBe('v1');
      expect(events.slice(1)).toEqual([
        { type: 'text', channel: 'answer', delta: 'hi', messageId: 'x' },
        { type: 'title', title: 'Greeting' },
      ]);
    });
  });

  describe('finishing', () => {
    it.each([
      ['stop', 'stop'],
      ['max_tokens', 'length'],
      ['interrupted', 'interrupted'],
      ['something_else', 'stop'],
    ] as const)('finish_details %s → %s', (type, reason) => {
      const events = decode(answerStream([delta({ p: '/message/content/parts/0', o: 'append', v: 'x' }), finishPatch(type, type !== 'max_tokens')]));
      expect(events.filter((e) => e.type === 'answer_finished')).toEqual([{ type: 'answer_finished', messageId: 'a1', reason }]);
    });

    it('status finished + end_turn without finish_details finishes with stop once the next frame is about something else', () => {
      const events = decode(answerStream([delta({ p: '/message/content/parts/0', o: 'append', v: 'x' }), finishPatch(undefined), plain({ type: 'message_stream_complete' }), DONE]));
      expect(events.slice(-3)).toEqual([{ type: 'answer_finished', messageId: 'a1', reason: 'stop' }, { type: 'complete' }, { type: 'done' }]);
    });

    it('finish_details arriving in a later frame for the same document decides the reason', () => {
      const events = decode(
        answerStream([
          delta({ p: '/message/content/parts/0', o: 'append', v: 'x' }),
          finishPatch(undefined),
          delta({ p: '/message/metadata', o: 'append', v: { finish_details: { type: 'max_tokens' } } }),
          DONE,
        ]),
      );
      expect(events.filter((e) => e.type === 'answer_finished')).toEqual([{ type: 'answer_finished', messageId: 'a1', reason: 'length' }]);
    });

    it('a pending finish is flushed by end() when the stream just stops', () => {
      const events = decode(answerStream([finishPatch(undefined)]));
      expect(events.at(-1)).toEqual({ type: 'answer_finished', messageId: 'a1', reason: 'stop' });
    });

    it('emits answer_finished once even when the finish is repeated', () => {
      const events = decode(answerStream([finishPatch('stop'), finishPatch('stop'), delta({ p: '/message/metadata', o: 'append', v: { finish_details: { type: 'max_tokens' } } })]));
      expect(events.filter((e) => e.type === 'answer_finished')).toHaveLength(1);
    });

    it('an intermediate message (finished, end_turn false) does not finish the answer', () => {
      const events = decode(answerStream([delta({ p: '/message/content/parts/0', o: 'append', v: 'Let me check.' }), finishPatch(undefined, false), finishPatch('stop', false), DONE]));
      expect(events.filter((e) => e.type === 'answer_finished')).toEqual([]);
    });
  });

  describe('errors and typed events', () => {
    it('a document carrying error_code reports one error with its code', () => {
      const events = decode(
        sse([
          V1_HEADER,
          delta({
            p: '',
            o: 'add',
            v: { message: null, conversation_id: CONV, error: 'You have hit your limit for GPT-5 Thinking.', error_code: 'model_cap_exceeded' },
            c: 0,
          }),
          delta({ p: '/error_code', o: 'replace', v: 'model_cap_exceeded' }),
          DONE,
        ]),
      );
      expect(events).toEqual([
        { type: 'conversation', conversationId: CONV },
        { type: 'error', message: 'You have hit your limit for GPT-5 Thinking.', code: 'model_cap_exceeded' },
        { type: 'done' },
      ]);
    });

    it('error_code alone becomes the message', () => {
      const events = decode(sse([V1_HEADER, delta({ v: { message: null, conversation_id: CONV, error: null, error_code: 'rate_limit_exceeded' }, c: 0 })]));
      expect(events.filter((e) => e.type === 'error')).toEqual([{ type: 'error', message: 'rate_limit_exceeded', code: 'rate_limit_exceeded' }]);
    });

    it('an error patched onto the root of a document is reported after the text so far', () => {
      const events = decode(
        answerStream([
          delta({ p: '/message/content/parts/0', o: 'append', v: 'partial' }),
          delta({ o: 'patch', v: [{ p: '/error', o: 'replace', v: 'Something went wrong' }, { p: '/error_code', o: 'replace', v: 'internal' }] }),
        ]),
      );
      expect(events.slice(1)).toEqual([
        { type: 'text', channel: 'answer', delta: 'partial', messageId: 'a1' },
        { type: 'error', message: 'Something went wrong', code: 'internal' },
      ]);
    });

    it('an operation before any document still lands (root error)', () => {
      const events = decode(sse([V1_HEADER, delta({ p: '/error', o: 'replace', v: { message: 'boom', code: 'server_error' } })]));
      expect(events).toEqual([{ type: 'error', message: 'boom', code: 'server_error' }]);
    });

    it('moderation, handoff, limits, title; ignored types produce nothing', () => {
      const decoder = new ConversationStreamDecoder();
      const events = decode(
        sse([
          V1_HEADER,
          plain({ type: 'moderation', moderation_response: { flagged: true, blocked: true, moderation_id: 'modr-9' }, conversation_id: CONV }),
          plain({ type: 'moderation', moderation_response: { flagged: false, blocked: false, message: 'ok' } }),
          plain({ type: 'url_moderation', url_moderation_result: { full_url: 'https://x', is_safe: true } }),
          plain({ type: 'server_ste_metadata', metadata: { plan_type: 'pro' } }),
          plain({ type: 'message_marker', marker: 'last_token' }),
          plain({ type: 'some_future_type', payload: 1 }),
          plain({ type: 'conversation_detail_metadata', limits_progress: [{ feature_name: 'file_upload', remaining: null, reset_after: null }, 'junk'] }),
          plain({ type: 'stream_handoff', topic_id: 'conversations:abc', conversation_id: CONV }),
          plain({ type: 'title_generation', title: 'Hi', conversation_id: 'conv-other' }),
        ]),
        undefined,
        decoder,
      );
      expect(events).toEqual([
        { type: 'conversation', conversationId: CONV },
        { type: 'moderation', blocked: true, message: null },
        { type: 'moderation', blocked: false, message: 'ok' },
        { type: 'limits', limits: [{ feature: 'file_upload', remaining: null, resetAfter: null }] },
        { type: 'handoff' },
        { type: 'conversation', conversationId: 'conv-other' },
        { type: 'title', title: 'Hi' },
      ]);
      expect(decoder.conversationId).toBe('conv-other');
    });

    it('skips malformed JSON lines, counts them, and keeps decoding', () => {
      const decoder = new ConversationStreamDecoder();
      const body =
        sse([V1_HEADER, delta({ p: '', o: 'add', v: { message: assistant('a1', { content_type: 'text', parts: [''] }), conversation_id: CONV, error: null }, c: 0 })]) +
        'event: delta\ndata: {"p": "/message/content/parts/0", "o": "app\n\n' +
        'data: not json at all\n\n' +
        'data: 12\n\ndata: null\n\ndata: []\n\n' +
        sse([delta({ p: '/message/content/parts/0', o: 'append', v: 'still fine' }), DONE]);
      const events = decode(body, undefined, decoder);
      expect(decoder.malformedFrames).toBe(2);
      expect(events.slice(1)).toEqual([{ type: 'text', channel: 'answer', delta: 'still fine', messageId: 'a1' }, { type: 'done' }]);
    });

    it('never throws on odd shapes', () => {
      const decoder = new ConversationStreamDecoder();
      const odd = [
        { p: 5, o: 'append', v: 'x' },
        { o: 'patch', v: 'not-a-list' },
        { o: 'patch', v: [[], null, { p: '/x' }] },
        { p: '/message/content/parts/0/deeper', o: 'append', v: 'x' },
        { v: { message: { author: 'weird', content: 7 } }, c: 'x' },
        { p: '', o: 'add', v: null, c: 9 },
        { p: '/message', o: 'append', v: 'text onto nothing' },
        { type: 42 },
        { type: 'conversation_detail_metadata', limits_progress: 'no' },
        { message: 'not an object', error: { nested: true } },
      ];
      let events: unknown[] = [];
      expect(() => (events = decode(sse([V1_HEADER, ...odd.map(delta), DONE]), undefined, decoder))).not.toThrow();
      // Handled by the normal paths, not by the last-resort catch (which would count a malformed frame).
      expect(decoder.malformedFrames).toBe(0);
      expect(events.at(-1)).toEqual({ type: 'done' });
    });
  });
});
