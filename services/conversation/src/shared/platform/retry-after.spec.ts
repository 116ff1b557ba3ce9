import { describe, expect, it } from '@jest/globals';
import { retryAfterSeconds } from './retry-after.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('retryAfterSeconds', () => {
  it('reads seconds, rounding a fraction up', () => {
    expect(retryAfterSeconds({ 'retry-after': '20' }, NOW)).toBe(20);
    expect(retryAfterSeconds({ 'retry-after': '0.4' }, NOW)).toBe(1);
  });

  it('prefers retry-after-ms (OpenAI) over retry-after', () => {
    expect(retryAfterSeconds({ 'retry-after-ms': '1500', 'retry-after': '20' }, NOW)).toBe(2);
  });

  it('reads an HTTP date as the seconds until then, a past date as 0', () => {
    expect(retryAfterSeconds({ 'retry-after': new Date(NOW + 90_000).toUTCString() }, NOW)).toBe(90);
    expect(retryAfterSeconds({ 'retry-after': new Date(NOW - 90_000).toUTCString() }, NOW)).toBe(0);
  });

  it('is undefined when absent or unreadable, so the default cool-down applies', () => {
    expect(retryAfterSeconds({}, NOW)).toBeUndefined();
    expect(retryAfterSeconds({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
    expect(retryAfterSeconds({ 'retry-after': '-5' }, NOW)).toBeUndefined();
    expect(retryAfterSeconds({ 'retry-after': 'Xyz, not a date' }, NOW)).toBeUndefined();
  });
});
