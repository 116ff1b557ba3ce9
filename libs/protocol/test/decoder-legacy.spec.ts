import { describe, it, expect } from '@jest/globals';
import { ConversationStreamDecoder } from '../src/conversation-stream-decoder.js';
import { CONV, assistant, legacyAnswerFrame, legacyFinishedFrame, legacyToolThenAnswer } from './fixtures.js';
import { DONE, decode, plain, sse, textOf } from './helpers.js';

describe('ConversationStreamDecoder, legacy cumulative encoding', () => {
  it('decodes a tool call then the answer: only new text, once, with tail repeats ignored', () => {
    const decoder = new ConversationStreamDecoder();
    const events = decode(legacyToolThenAnswer, undefined, decoder);
    expect(events).toEqual([
      { type: 'conversation', conversationId: CONV },
      { type: 'text', channel: 'answer', delta: 'It', messageId: 'answer-3' },
      { type: 'text', channel: 'answer', delta: ' is 12 °C', messageId: 'answer-3' },
      { type: 'text', channel: 'answer', delta: ' in Kraków, ', messageId: 'answer-3' },
      { type: 'text', channel: 'answer', delta: 'partly cloudy ⛅.', messageId: 'answer-3' },
      { type: 'answer_finished', messageId: 'answer-3', reason: 'stop' },
      { type: 'title', title: 'Kraków weather' },
      { type: 'moderation', blocked: false, message: null },
      { type: 'complete' },
      { type: 'done' },
    ]);
    expect(decoder.encoding).toBe('legacy');
    expect(decoder.answerMessageId).toBe('answer-3');
    expect(decoder.conversationId).toBe(CONV);
  });

  it('tracks two interleaved messages by id', () => {
    const other = (text: string) => plain({ message: assistant('answer-9', { content_type: 'text', parts: [text] }), conversation_id: CONV, error: null });
    const events = decode(sse([legacyAnswerFrame('A'), other('X'), legacyAnswerFrame('AB'), other('XY'), legacyAnswerFrame('AB'), DONE]));
    expect(events.filter((e) => e.type === 'text').map((e) => (e.type === 'text' ? `${e.messageId}:${e.delta}` : ''))).toEqual([
      'answer-3:A',
      'answer-9:\n\nX',
      'answer-3:B',
      'answer-9:Y',
    ]);
  });

  it('a cut-off answer (max_tokens, end_turn false) finishes with length', () => {
    const events = decode(sse([legacyAnswerFrame('Once upon'), legacyFinishedFrame('Once upon a time', 'max_tokens'), DONE]));
    expect(textOf(events, 'answer')).toBe('Once upon a time');
    expect(events.filter((e) => e.type === 'answer_finished')).toEqual([{ type: 'answer_finished', messageId: 'answer-3', reason: 'length' }]);
  });

  it('legacy thoughts stream as reasoning from cumulative frames', () => {
    const thoughts = (list: unknown[]) => plain({ message: assistant('t-1', { content_type: 'thoughts', thoughts: list }), conversation_id: CONV, error: null });
    const events = decode(
      sse([
        thoughts([{ summary: 'Reading', content: 'The user', finished: false }]),
        thoughts([{ summary: 'Reading', content: 'The user asks X.', finished: true }]),
        thoughts([{ summary: 'Reading', content: 'The user asks X.', finished: true }, { summary: 'Answering', content: 'Say Y.', finished: true }]),
        legacyAnswerFrame('Y'),
        DONE,
      ]),
    );
    expect(textOf(events, 'reasoning')).toBe('**Reading**\nThe user asks X.\n\n**Answering**\nSay Y.');
    expect(textOf(events, 'answer')).toBe('Y');
  });

  it('reports a top-level error string once, with error_code when present', () => {
    const events = decode(
      sse([
        legacyAnswerFrame('Partial'),
        plain({ message: null, conversation_id: CONV, error: 'Something went wrong while generating the response.' }),
        plain({ message: null, conversation_id: CONV, error: 'Something went wrong while generating the response.' }),
        plain({ message: null, conversation_id: null, error: 'You have sent too many messages.', error_code: 'rate_limit_exceeded' }),
        DONE,
      ]),
    );
    expect(events.filter((e) => e.type === 'error')).toEqual([
      { type: 'error', message: 'Something went wrong while generating the response.', code: null },
      { type: 'error', message: 'You have sent too many messages.', code: 'rate_limit_exceeded' },
    ]);
  });

  it('a user echo, a hidden system message and tool output emit no text', () => {
    const events = decode(
      sse([
        plain({ message: { id: 'u', author: { role: 'user' }, content: { content_type: 'text', parts: ['hi'] }, recipient: 'all' }, conversation_id: CONV, error: null }),
        plain({ message: { id: 's', author: { role: 'system' }, content: { content_type: 'text', parts: ['sys'] }, metadata: { is_visually_hidden_from_conversation: true } }, conversation_id: CONV, error: null }),
        plain({ message: { id: 't', author: { role: 'tool', name: 'python' }, content: { content_type: 'execution_output', text: '42' }, recipient: 'all' }, conversation_id: CONV, error: null }),
        DONE,
      ]),
    );
    expect(events).toEqual([{ type: 'conversation', conversationId: CONV }, { type: 'done' }]);
  });
});
