import { describe, expect, it } from '@jest/globals';
import { inputItemsPage, withItemIds } from './stored-answers.js';

describe('stored responses: input items', () => {
  const items = withItemIds([
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'one' }] },
    { role: 'assistant', content: 'two' },
    { type: 'function_call_output', call_id: 'c1', output: 'three' },
    { id: 'msg_kept', type: 'message', role: 'user', content: 'four' },
  ]);

  it('gives every item an id in the shape of its type, keeping the ids it had', () => {
    expect(items.map((i) => String(i.id).split('_')[0])).toEqual(['msg', 'msg', 'fco', 'msg']);
    expect(items[3].id).toBe('msg_kept');
    expect(items[1].type).toBe('message');
  });

  it('pages them as OpenAI lists them: newest first by default, after an id, a limit, has_more', () => {
    const first = inputItemsPage(items, { limit: '2' });
    expect(first).toMatchObject({ ok: true, body: { object: 'list', first_id: 'msg_kept', has_more: true } });
    const body = (first as { body: { data: Array<{ id: string }>; last_id: string } }).body;
    expect(body.data).toHaveLength(2);
    const next = inputItemsPage(items, { limit: '2', after: body.last_id });
    expect(next).toMatchObject({ ok: true, body: { last_id: items[0].id, has_more: false } });
    expect(inputItemsPage(items, { order: 'asc' })).toMatchObject({ ok: true, body: { first_id: items[0].id, last_id: 'msg_kept' } });
  });

  it('refuses a bad limit, order or cursor with a 400 naming it', () => {
    expect(inputItemsPage(items, { limit: '500' })).toMatchObject({ ok: false, failure: { status: 400, error: { param: 'limit' } } });
    expect(inputItemsPage(items, { order: 'up' })).toMatchObject({ ok: false, failure: { status: 400, error: { param: 'order' } } });
    expect(inputItemsPage(items, { after: 'msg_nope' })).toMatchObject({ ok: false, failure: { status: 400, error: { param: 'after' } } });
  });
});
