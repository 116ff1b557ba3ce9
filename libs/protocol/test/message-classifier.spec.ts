import { describe, it, expect } from '@jest/globals';
import { classifyMessage } from '../src/message-classifier.js';

function msg(over: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}, content: Record<string, unknown> = { content_type: 'text', parts: ['x'] }) {
  return { id: 'm', author: { role: 'assistant' }, content, recipient: 'all', channel: null, metadata, ...over };
}

describe('classifyMessage', () => {
  it.each([
    ['plain assistant text', msg(), 'answer'],
    ['final channel', msg({ channel: 'final' }), 'answer'],
    ['recipient absent', msg({ recipient: undefined }), 'answer'],
    ['multimodal text', msg({}, {}, { content_type: 'multimodal_text', parts: [{ content_type: 'image_asset_pointer' }, 'caption'] }), 'answer'],
    ['analysis channel', msg({ channel: 'analysis' }), 'reasoning'],
    ['commentary channel', msg({ channel: 'commentary' }), 'reasoning'],
    ['thinking preamble', msg({}, { is_thinking_preamble_message: true }), 'reasoning'],
    ['thoughts', msg({}, {}, { content_type: 'thoughts', thoughts: [] }), 'reasoning'],
    ['reasoning recap', msg({}, {}, { content_type: 'reasoning_recap', content: 'Thought for 3s' }), 'reasoning'],
    ['code to python', msg({ recipient: 'python' }, {}, { content_type: 'code', text: 'print(1)' }), 'tool'],
    ['text to web.run', msg({ recipient: 'web.run' }), 'tool'],
    ['commentary to a tool', msg({ recipient: 'bio', channel: 'commentary' }), 'tool'],
    ['tool role', msg({ author: { role: 'tool', name: 'python' } }, {}, { content_type: 'execution_output', text: '42' }), 'tool'],
    ['tool image', msg({ author: { role: 'tool', name: 'dalle.text2im' } }, {}, { content_type: 'multimodal_text', parts: [] }), 'tool'],
    ['visually hidden assistant', msg({}, { is_visually_hidden_from_conversation: true }), 'hidden'],
    ['hidden system', msg({ author: { role: 'system' } }, { is_visually_hidden_from_conversation: true }), 'hidden'],
    ['system', msg({ author: { role: 'system' } }), 'hidden'],
    ['user echo', msg({ author: { role: 'user' } }), 'user'],
    ['unknown channel', msg({ channel: 'something-new' }), 'hidden'],
    ['unknown content type', msg({}, {}, { content_type: 'model_editable_context', model_set_context: '' }), 'hidden'],
    ['not an object', 'text', 'hidden'],
    ['null', null, 'hidden'],
    ['no author', { content: { content_type: 'text', parts: ['x'] } }, 'hidden'],
  ])('%s → %s', (_name, message, expected) => {
    expect(classifyMessage(message)).toBe(expected);
  });
});
