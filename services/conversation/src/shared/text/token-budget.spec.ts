import { describe, expect, it } from '@jest/globals';
import { countTokens } from 'gpt-tokenizer';
import { prefixWithin, TokenBudget } from './token-budget.js';

const TEXT = 'The quick brown fox jumps over the lazy dog, then naps in the warm afternoon sun while bees hum. '.repeat(4);

/** Feeds `text` in pieces of `size` characters; returns what went out. */
function feed(budget: TokenBudget, text: string, size: number): string {
  let out = '';
  for (let i = 0; i < text.length && !budget.exhausted; i += size) out += budget.take('answer', text.slice(i, i + size));
  return out;
}

describe('TokenBudget', () => {
  it.each([1, 5, 13, 40])('cuts to exactly the limit, whatever the delta size (%i chars)', (size) => {
    for (const limit of [1, 7, 30, 64]) {
      const budget = new TokenBudget(limit);
      const out = feed(budget, TEXT, size);
      expect(budget.exhausted).toBe(true);
      expect(TEXT.startsWith(out)).toBe(true);
      expect(countTokens(out)).toBe(limit);
    }
  });

  it('lets a reply under the limit through untouched', () => {
    const budget = new TokenBudget(10_000);
    expect(feed(budget, TEXT, 7)).toBe(TEXT);
    expect(budget.exhausted).toBe(false);
  });

  it('counts reasoning against the same limit', () => {
    const budget = new TokenBudget(20);
    const reasoning = 'Thinking about foxes and dogs for a while.';
    expect(budget.take('reasoning', reasoning)).toBe(reasoning);
    const out = feed(budget, TEXT, 9);
    expect(countTokens(reasoning) + countTokens(out)).toBe(20);
  });

  it('leaves reasoning out of the limit of a model that does not reason', () => {
    const budget = new TokenBudget(20, false);
    const reasoning = 'Thinking about foxes and dogs for a while. '.repeat(5);
    expect(budget.take('reasoning', reasoning)).toBe(reasoning);
    const out = feed(budget, TEXT, 9);
    expect(countTokens(out)).toBe(20);
    expect(budget.exhausted).toBe(true);
    expect(budget.take('reasoning', 'more')).toBe('');
  });

  it('never splits a character in two', () => {
    const emoji = '😀'.repeat(30);
    const cut = prefixWithin(emoji, 5, 0);
    expect(emoji.startsWith(cut)).toBe(true);
    expect(cut.length % 2).toBe(0);
    expect(countTokens(cut)).toBeLessThanOrEqual(5);
  });
});
