import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import * as packaged from 'gpt-tokenizer';
import packagedRanks from 'gpt-tokenizer/bpeRanks/o200k_base';
import { o200k, o200kRanks } from './o200k.js';

/** Text from a seeded generator: ASCII, Latin, CJK, emoji, BOMs, lone surrogates, whitespace runs. */
function randomTexts(count: number): string[] {
  let seed = 42;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pools = ['abcdefghij KLMNOP  0123456789.,;:!?\'"()[]{}<>-_=+*/\\\n\r\t', 'ünïcödéàçßøæ œ€£¥', '日本語のテキスト中文한국어', '😀👍🏽🇫🇷👨‍👩‍👧', '\uFEFF\uFEFFusing namespace', '\uD800\uDFFF\uDC00x\uD83D', '     \n\n\t '];
  return Array.from({ length: count }, () => {
    let text = '';
    const length = Math.floor(next() * 200);
    for (let i = 0; i < length; i++) {
      const pool = [...pools[Math.floor(next() * pools.length)]];
      text += pool[Math.floor(next() * pool.length)];
    }
    return text;
  });
}

describe('o200k with compact ranks', () => {
  it('holds the same ranks as the package module', () => {
    expect(o200kRanks()).toEqual(packagedRanks);
    expect(o200k.vocabularySize).toBe(packaged.vocabularySize);
  });

  it('encodes, counts and decodes as the package does', () => {
    const texts = [
      readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8'),
      readFileSync(new URL('../../../../ARCHITECTURE.md', import.meta.url), 'utf8'),
      '\uFEFFusing namespace std; ünïcödé… 日本語のテキスト 😀👍🏽 ﷽ \u200d\r\n\t  42 3.14159',
      'lone \uD800 surrogates \uDC00 and pairs 😀',
      ...randomTexts(2000),
    ];
    for (const text of texts) {
      const tokens = packaged.encode(text);
      expect(o200k.encode(text)).toEqual(tokens);
      expect(o200k.countTokens(text)).toBe(tokens.length);
      expect(o200k.decode(tokens)).toBe(packaged.decode(tokens));
    }
    // Every token on its own decodes to the same text or bytes (the package's streaming decoder is shared
    // by both, so partial sequences are compared here, at the token level).
    type Core = { tryDecodeToken(rank: number): string | Uint8Array | undefined };
    const mine = (o200k as unknown as { bytePairEncodingCoreProcessor: Core }).bytePairEncodingCoreProcessor;
    const theirs = (packaged.default as unknown as { bytePairEncodingCoreProcessor: Core }).bytePairEncodingCoreProcessor;
    for (let rank = 0; rank < 200_020; rank += 7) expect(mine.tryDecodeToken(rank)).toEqual(theirs.tryDecodeToken(rank));
    // Special tokens are refused alike.
    expect(() => o200k.encode('a <|endoftext|>')).toThrow('Disallowed special token found: <|endoftext|>');
    expect(() => packaged.encode('a <|endoftext|>')).toThrow('Disallowed special token found: <|endoftext|>');
  });
});
