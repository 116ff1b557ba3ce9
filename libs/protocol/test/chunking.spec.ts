import { describe, it, expect } from '@jest/globals';
import { legacyToolThenAnswer, v1Reasoning, v1Tool } from './fixtures.js';
import { bytes, decode, mergeText, prng } from './helpers.js';

/** Streams are equal in meaning when their events match after joining adjacent text deltas. */
const streams: Array<[string, string]> = [
  ['v1 reasoning', v1Reasoning],
  ['v1 tool', v1Tool],
  ['legacy tool then answer', legacyToolThenAnswer],
  ['v1 reasoning, CRLF', v1Reasoning.replace(/\n/g, '\r\n')],
  ['legacy, CR', legacyToolThenAnswer.replace(/\n/g, '\r')],
];

describe('chunking does not change decoding', () => {
  it.each(streams)('%s: byte-by-byte equals whole buffer', (_name, body) => {
    const whole = decode(body);
    expect(whole.length).toBeGreaterThan(3);
    const byByte = decode(body, () => 1);
    expect(mergeText(byByte)).toEqual(mergeText(whole));
  });

  it.each(streams)('%s: random chunk sizes equal whole buffer', (_name, body) => {
    const expected = mergeText(decode(body));
    const random = prng(0xc0ffee);
    for (let run = 0; run < 25; run++) {
      expect(mergeText(decode(body, () => 1 + Math.floor(random() * 40)))).toEqual(expected);
    }
  });

  it('v1 reasoning: two chunks split at every byte position equal whole buffer', () => {
    const all = bytes(v1Reasoning);
    const expected = mergeText(decode(all));
    for (let cut = 1; cut < all.length; cut++) {
      expect(mergeText(decode(all, (i) => (i === 0 ? cut : all.length)))).toEqual(expected);
    }
  });

  it('CRLF and LF line endings decode to the same events', () => {
    expect(decode(v1Reasoning.replace(/\n/g, '\r\n'))).toEqual(decode(v1Reasoning));
  });
});
