import { describe, expect, it } from '@jest/globals';
import { splitIntoPieces } from './sentence-splitter.js';

describe('splitIntoPieces', () => {
  it('keeps short text whole and gives nothing for empty text', () => {
    expect(splitIntoPieces('Hello there. How are you?', 100)).toEqual(['Hello there. How are you?']);
    expect(splitIntoPieces('', 100)).toEqual([]);
  });

  it('packs whole sentences up to the limit, in order, losing nothing', () => {
    const text = 'One two three. Four five six! Seven eight nine? Ten eleven twelve.';
    const pieces = splitIntoPieces(text, 32);
    expect(pieces).toEqual(['One two three. Four five six! ', 'Seven eight nine? ', 'Ten eleven twelve.']);
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(32);
  });

  it('splits at sentence ends of other scripts', () => {
    const text = '今天天气很好。我们去公园吧！你觉得怎么样？';
    const pieces = splitIntoPieces(text, 10);
    expect(pieces).toEqual(['今天天气很好。', '我们去公园吧！', '你觉得怎么样？']);
  });

  it('cuts a sentence longer than the limit at a clause, else a word boundary', () => {
    const clause = 'first part of it, second part of it, third part of it, and the end.';
    const byClause = splitIntoPieces(clause, 40);
    expect(byClause.join('')).toBe(clause);
    expect(byClause[0]).toBe('first part of it, second part of it, ');
    const words = 'aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj';
    const byWord = splitIntoPieces(words, 12);
    expect(byWord.join('')).toBe(words);
    for (const piece of byWord) {
      expect(piece.length).toBeLessThanOrEqual(12);
      expect(piece).toMatch(/^\S.*(\s|\S)$/);
      expect(piece.startsWith(' ')).toBe(false);
    }
  });

  it('hard-cuts text without any boundary, never inside a surrogate pair', () => {
    const text = 'x'.repeat(9) + '😀' + 'y'.repeat(20);
    const pieces = splitIntoPieces(text, 10);
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(10);
      expect(piece).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    }
  });

  it('keeps every piece within the limit for long prose', () => {
    const text = Array.from({ length: 200 }, (_, i) => `Sentence number ${i} says something${i % 3 ? ', with a clause' : ''}.`).join(' ');
    const pieces = splitIntoPieces(text, 300);
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(300);
      // Each piece ends at the end of a sentence (a period, maybe followed by the space).
      expect(piece.trimEnd().endsWith('.')).toBe(true);
    }
  });
});
