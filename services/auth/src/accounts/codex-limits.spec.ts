import { describe, expect, it } from '@jest/globals';
import { bindingPercent, exhaustedUntil, headroomBand, type CodexLimits } from './codex-limits.js';

const NOW = 1_800_000_000_000;
const sec = (ms: number) => Math.floor(ms / 1000);
const limits = (primary: number | null, secondary: number | null, resetInSec = 3600): CodexLimits => ({
  observedAt: NOW - 1000,
  plan: 'plus',
  primary: primary === null ? null : { usedPercent: primary, windowMinutes: 300, resetAtSec: sec(NOW) + resetInSec },
  secondary: secondary === null ? null : { usedPercent: secondary, windowMinutes: 10080, resetAtSec: sec(NOW) + 7 * 86400 },
  credits: null,
});

describe('Codex limits', () => {
  it('binds on the window closest to its limit, a window past its reset counting 0', () => {
    expect(bindingPercent(limits(10, 95), NOW)).toBe(95);
    expect(bindingPercent(limits(80, 20), NOW)).toBe(80);
    expect(bindingPercent(limits(80, 20, -5), NOW)).toBe(20);
    expect(bindingPercent(null, NOW)).toBe(0);
    expect(headroomBand(limits(5, 9), NOW)).toBe(0);
    expect(headroomBand(limits(35, 12), NOW)).toBe(3);
  });

  it('holds an account until the reset of a full window, or its usage-limit hold', () => {
    expect(exhaustedUntil(limits(40, 60), null, NOW, 300_000)).toBeNull();
    expect(exhaustedUntil(limits(100, 60), null, NOW, 300_000)).toBe((sec(NOW) + 3600) * 1000);
    expect(exhaustedUntil(limits(100, 60, -1), null, NOW, 300_000)).toBeNull();
    expect(exhaustedUntil(limits(10, 10), NOW + 5000, NOW, 300_000)).toBe(NOW + 5000);
    expect(exhaustedUntil(limits(10, 10), NOW - 5000, NOW, 300_000)).toBeNull();
    const unknownReset: CodexLimits = { ...limits(null, null), primary: { usedPercent: 100, windowMinutes: 300, resetAtSec: null } };
    expect(exhaustedUntil(unknownReset, null, NOW, 300_000)).toBe(NOW - 1000 + 300_000);
  });
});
