import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { boundedArray } from './bounded-array.js';

describe('boundedArray', () => {
  const list = z.object({ items: boundedArray(z.object({ n: z.number() }), { min: 1, max: 1000 }) });

  it('passes a good list through', () => {
    expect(list.parse({ items: [{ n: 1 }, { n: 2 }] })).toEqual({ items: [{ n: 1 }, { n: 2 }] });
  });

  it('reports the first bad item only, with its path', () => {
    const result = list.safeParse({ items: [{ n: 1 }, 'x', { n: 'y' }, 3, 4] });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toHaveLength(1);
    expect(result.error!.issues[0].path).toEqual(['items', 1]);
  });

  it('refuses a list over its bounds before reading any item: one issue for half a million bad ones', () => {
    const result = list.safeParse({ items: new Array(500_000).fill(1) });
    expect(result.error!.issues).toHaveLength(1);
    expect(result.error!.issues[0].path).toEqual(['items']);
    expect(list.safeParse({ items: [] }).error!.issues).toHaveLength(1);
  });
});

describe('boundedArray, not a list', () => {
  it('says an array was expected', () => {
    const result = z.object({ items: boundedArray(z.number(), { max: 3 }) }).safeParse({ items: 'hello' });
    expect(result.error!.issues).toHaveLength(1);
    expect(result.error!.issues[0]).toMatchObject({ path: ['items'], code: 'invalid_type' });
  });
});
