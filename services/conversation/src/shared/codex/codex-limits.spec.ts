import { describe, expect, it } from '@jest/globals';
import { codexLimitsOf } from './codex-limits.js';

const NOW = 1_800_000_000;

describe('x-codex-* limits', () => {
  it('reads both windows, the plan and the credits', () => {
    const limits = codexLimitsOf(
      {
        'x-codex-primary-used-percent': '42.5',
        'x-codex-primary-window-minutes': '300',
        'x-codex-primary-reset-at': String(NOW + 600),
        'x-codex-primary-reset-after-seconds': '600',
        'x-codex-secondary-used-percent': '7',
        'x-codex-secondary-window-minutes': '10080',
        'x-codex-secondary-reset-at': '',
        'x-codex-secondary-reset-after-seconds': '3600',
        'x-codex-plan-type': 'plus',
        'x-codex-credits-has-credits': 'false',
        'x-codex-credits-unlimited': 'false',
        'x-codex-credits-balance': '0',
        'x-request-id': 'r',
      },
      NOW,
    );
    expect(limits).toEqual({
      plan: 'plus',
      primary: { usedPercent: 42.5, windowMinutes: 300, resetAtSec: NOW + 600 },
      secondary: { usedPercent: 7, windowMinutes: 10080, resetAtSec: NOW + 3600 },
      credits: { hasCredits: false, unlimited: false, balance: 0 },
    });
  });

  it('takes a window of 0 minutes (how a plan without it is sent) as none', () => {
    const limits = codexLimitsOf({ 'x-codex-primary-used-percent': '100', 'x-codex-primary-window-minutes': '10080', 'x-codex-primary-reset-at': String(NOW), 'x-codex-secondary-used-percent': '0', 'x-codex-secondary-window-minutes': '0', 'x-codex-plan-type': 'free' }, NOW);
    expect(limits).toMatchObject({ plan: 'free', primary: { usedPercent: 100, windowMinutes: 10080 }, secondary: null, credits: null });
  });

  it('reads nothing from an answer without x-codex-* headers', () => {
    expect(codexLimitsOf({ 'content-type': 'text/html' }, NOW)).toBeNull();
  });
});
