import { describe, expect, it } from '@jest/globals';
import { listingFor, slugsOf } from './model-listing.js';
import { ModelTable } from '@chatgate/contracts';

describe('model listing', () => {
  const table = new ModelTable('gpt-4o');
  const FREE = ['auto', 'gpt-4o-mini', 'text-davinci-002-render-sha', 'gpt-4o'];
  const PLUS = [...FREE, 'gpt-4', 'o1', 'o3-mini', 'gpt-4-5', 'gpt-5'];

  it('reads the slugs of an upstream models answer and ignores anything else', () => {
    expect(slugsOf({ models: [{ slug: 'gpt-4o', title: 'GPT-4o' }, { title: 'no slug' }, { slug: '' }, { slug: 'o3' }] })).toEqual(['gpt-4o', 'o3']);
    expect(slugsOf({ detail: 'nope' })).toEqual([]);
    expect(slugsOf(null)).toEqual([]);
  });

  it('lists the offered slugs that route to themselves, then the aliases whose target is offered', () => {
    const ids = listingFor(FREE, table).map((m) => m.id);
    expect(ids).toEqual(['auto', 'gpt-4o-mini', 'gpt-4o', 'gpt-3.5-turbo']);
    const plus = listingFor(PLUS, table);
    expect(plus.map((m) => m.id)).toEqual(expect.arrayContaining(['gpt-4', 'o1', 'o3-mini', 'gpt-3.5-turbo']));
    // gpt-4-5 and gpt-5 would be routed elsewhere by the table: listing them would be a lie.
    expect(plus.map((m) => m.id)).not.toContain('gpt-4-5');
    expect(plus.map((m) => m.id)).not.toContain('gpt-5');
    expect(plus.find((m) => m.id === 'gpt-3.5-turbo')).toEqual({ id: 'gpt-3.5-turbo', upstreamSlug: 'text-davinci-002-render-sha', ownedBy: 'chatgpt' });
  });

  it('lists what MODEL_MAP routes to an offered slug', () => {
    const custom = new ModelTable('gpt-4o', JSON.stringify({ 'gpt-5': 'gpt-5', 'my-fast': 'gpt-4o-mini' }));
    const ids = listingFor(PLUS, custom).map((m) => m.id);
    expect(ids).toContain('gpt-5');
    expect(ids).toContain('my-fast');
    expect(listingFor(FREE, custom).map((m) => m.id)).not.toContain('gpt-5');
  });
});
