import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import * as packaged from 'gpt-tokenizer';
import packagedRanks from 'gpt-tokenizer/bpeRanks/o200k_base';
import { o200k, o200kRanks } from './o200k.js';

describe('o200k from the rank file', () => {
  it('holds the same ranks as the package module, and counts, encodes and decodes the same', () => {
    const texts = [
      readFileSync(new URL('../../../../../README.md', import.meta.url), 'utf8'),
      readFileSync(new URL('../../../../../ARCHITECTURE.md', import.meta.url), 'utf8'),
      '\uFEFFusing namespace std; ünïcödé… 日本語のテキスト 😀👍🏽 ﷽ \u200d\r\n\t  42 3.14159',
      'Warm-up: the tokenizer counts this once at start.',
    ];
    for (const text of texts) {
      expect(o200k.encode(text)).toEqual(packaged.encode(text));
      expect(o200k.countTokens(text)).toBe(packaged.countTokens(text));
      expect(o200k.decode(packaged.encode(text))).toBe(text);
    }
    expect(o200k.vocabularySize).toBe(packaged.vocabularySize);
    // Every rank the same: a string where the package has one, the same bytes where it has bytes.
    expect(o200kRanks()).toEqual(packagedRanks);
  });
});
