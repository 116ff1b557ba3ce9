import { describe, it, expect } from '@jest/globals';
import { splitChunks, wordChunks } from './chunking.js';
import { parsePrompt } from './directives.js';

describe('chunking', () => {
  it('keeps spaces attached so the chunks join back to the text', () => {
    expect(wordChunks('  Hello big  world ')).toEqual(['  Hello ', 'big  ', 'world ']);
    expect(wordChunks('你好 world')).toEqual(['你', '好 ', 'world']);
  });

  it('splits into exactly N chunks when the text allows, never inside a code point', () => {
    const text = 'ab 😀😀 cd';
    for (let n = 1; n <= 12; n++) {
      const chunks = splitChunks(text, n);
      expect(chunks.join('')).toBe(text);
      expect(chunks).toHaveLength(Math.min(n, Array.from(text).length));
      for (const c of chunks) expect(c).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    }
    expect(splitChunks('')).toEqual([]);
  });
});

describe('directives', () => {
  it('parses and strips [[sim ...]] anywhere in the prompt', () => {
    expect(parsePrompt('a [[sim words=5 chunks=2]] b [[sim fail=stall after=0 delay=10 ttfb=5 clears_in=9 reasoning=1]]')).toEqual({
      stripped: 'a b',
      directives: { words: 5, chunks: 2, fail: 'stall', after: 0, delay: 10, ttfb: 5, clearsIn: 9, reasoning: true },
    });
    expect(parsePrompt('  plain prompt ')).toEqual({ stripped: 'plain prompt', directives: {} });
    expect(parsePrompt('x [[sim fail=bogus words=-1 other=1]]').directives).toEqual({});
  });
});
