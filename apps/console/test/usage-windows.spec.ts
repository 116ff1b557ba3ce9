import { describe, expect, it } from '@jest/globals';
import { usageWindowsOf } from '../src/lib/usage-windows';

const NOW = Date.parse('2026-11-20T12:00:00Z');

describe('usageWindowsOf', () => {
  it('is null for an account that reports none (ChatGPT logins, API keys today)', () => {
    expect(usageWindowsOf({ id: 'a', plan: 'plus', cooldowns: [] }, NOW)).toBeNull();
  });

  it('reads camelCase primary/secondary windows with plan and credits', () => {
    const usage = usageWindowsOf(
      {
        usage: {
          planType: 'plus',
          primary: { usedPercent: 42.5, windowMinutes: 300, resetsAt: '2026-11-20T14:00:00Z' },
          secondary: { usedPercent: 7, windowMinutes: 10080, resetAfterSeconds: 3600 },
          credits: { hasCredits: true, balance: '12.5', unlimited: false },
          observedAt: '2026-11-20T11:59:00Z',
        },
      },
      NOW,
    );
    expect(usage).toEqual({
      windows: [
        { name: 'primary', usedPercent: 42.5, length: '5 h', resetsAt: '2026-11-20T14:00:00.000Z' },
        { name: 'secondary', usedPercent: 7, length: '7 d', resetsAt: '2026-11-20T13:00:00.000Z' },
      ],
      plan: 'plus',
      credits: { balance: '12.5', unlimited: false, hasCredits: true },
      observedAt: '2026-11-20T11:59:00.000Z',
    });
  });

  it("reads the upstream's own snake_case shape (wham/usage) and unix-second reset times", () => {
    const usage = usageWindowsOf({ rate_limits: { plan_type: 'pro', rate_limit: { primary_window: { used_percent: 100, limit_window_seconds: 604800, reset_at: 1795000000 } } } }, NOW);
    expect(usage?.plan).toBe('pro');
    expect(usage?.windows).toEqual([{ name: 'primary', usedPercent: 100, length: '7 d', resetsAt: new Date(1795000000 * 1000).toISOString() }]);
  });

  it('reads a list of named windows', () => {
    const usage = usageWindowsOf({ usageWindows: [{ name: 'gpt-5.3-codex-sonic', used_percent: '3' }] }, NOW);
    expect(usage?.windows).toEqual([{ name: 'gpt-5.3-codex-sonic', usedPercent: 3, length: null, resetsAt: null }]);
  });
});
