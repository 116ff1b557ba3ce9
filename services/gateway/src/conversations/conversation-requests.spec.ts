import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../shared/errors/api-error.js';
import { feedbackAction, genTitleAction, getAction, hideAllAction, listAction, updateAction } from './conversation-requests.js';

function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('conversation management requests', () => {
  it('reads the list query with the upstream defaults and its limit of 100', () => {
    expect(listAction({})).toEqual({ op: 'list', offset: 0, limit: 28 });
    expect(listAction({ offset: '20', limit: '100' })).toEqual({ op: 'list', offset: 20, limit: 100 });
    const tooMany = refusal(() => listAction({ limit: '101' }));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ type: 'invalid_request_error', param: 'limit' });
    expect(refusal(() => listAction({ offset: 'x' })).body.param).toBe('offset');
  });

  it('takes a title or a hide, nothing else', () => {
    expect(updateAction('c', { title: '  New name ' })).toEqual({ op: 'update', conversationId: 'c', patch: { title: 'New name' } });
    expect(updateAction('c', { is_visible: false })).toEqual({ op: 'update', conversationId: 'c', patch: { is_visible: false } });
    for (const body of [{}, { is_visible: true }, { title: '' }, null]) expect(refusal(() => updateAction('c', body)).status).toBe(400);
    expect(hideAllAction({ is_visible: false })).toEqual({ op: 'hide_all' });
    expect(refusal(() => hideAllAction({})).status).toBe(400);
  });

  it('needs a message id to title and a known rating to rate', () => {
    expect(genTitleAction('c', { message_id: 'm' })).toEqual({ op: 'gen_title', conversationId: 'c', messageId: 'm' });
    expect(refusal(() => genTitleAction('c', {})).body.param).toBe('message_id');
    expect(feedbackAction({ message_id: 'm', conversation_id: 'c', rating: 'thumbsUp' })).toEqual({ op: 'feedback', conversationId: 'c', messageId: 'm', rating: 'thumbsUp' });
    expect(refusal(() => feedbackAction({ message_id: 'm', conversation_id: 'c', rating: 'meh' })).body.param).toBe('rating');
  });

  it('refuses ids and titles that would carry control characters into the records', () => {
    expect(getAction('c-1')).toEqual({ op: 'get', conversationId: 'c-1' });
    expect(refusal(() => getAction('c\u0000')).body).toMatchObject({ param: 'conversation_id', code: 'invalid_value' });
    expect(refusal(() => updateAction('c\n', { title: 'x' })).body.param).toBe('conversation_id');
    expect(refusal(() => updateAction('c', { title: 'new\u0000title' })).body.param).toBe('title');
    expect(refusal(() => genTitleAction('c', { message_id: 'm\u0085' })).body.param).toBe('message_id');
    expect(refusal(() => feedbackAction({ message_id: 'm', conversation_id: 'x'.repeat(201), rating: 'thumbsUp' })).body.param).toBe('conversation_id');
  });
});
