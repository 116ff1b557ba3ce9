import { describe, expect, it } from '@jest/globals';
import { ACCOUNT_LIMITS, accountLimitsEventSchema } from '@chatgate/contracts';
import { CodexLimitsReporter, LIMITS_REPORT_INTERVAL_MS } from './codex-limits.reporter.js';
import type { CodexLimits } from './codex-limits.js';

const limits = (used: number): CodexLimits => ({
  plan: 'plus',
  primary: { usedPercent: used, windowMinutes: 300, resetAtSec: 1_800_000_300 },
  secondary: null,
  credits: { hasCredits: false, unlimited: false, balance: 0 },
});

describe('CodexLimitsReporter', () => {
  it('tells auth an account limits in the contract shape, at most once per interval unless they changed or a limit was hit', () => {
    const sent: Array<{ subject: string; data: unknown }> = [];
    const reporter = new CodexLimitsReporter({ publish: (subject: string, data?: Uint8Array | string) => void sent.push({ subject, data: JSON.parse(new TextDecoder().decode(data as Uint8Array)) }) } as never);
    reporter.observed('a1', limits(10), { now: 1000 });
    reporter.observed('a1', limits(10), { now: 2000 });
    reporter.observed('a2', limits(10), { now: 2000 });
    reporter.observed('a1', limits(11), { now: 2500 });
    reporter.observed('a1', limits(11), { now: 2600, force: true });
    reporter.observed('a1', limits(11), { now: 2600 + LIMITS_REPORT_INTERVAL_MS });
    reporter.observed('a1', null, { now: 99_999 });
    expect(sent.map((s) => [s.subject, (s.data as { accountId: string }).accountId, (s.data as { observedAt: number }).observedAt])).toEqual([
      [ACCOUNT_LIMITS, 'a1', 1000],
      [ACCOUNT_LIMITS, 'a2', 2000],
      [ACCOUNT_LIMITS, 'a1', 2500],
      [ACCOUNT_LIMITS, 'a1', 2600],
      [ACCOUNT_LIMITS, 'a1', 2600 + LIMITS_REPORT_INTERVAL_MS],
    ]);
    expect(accountLimitsEventSchema.parse(sent[0].data)).toEqual({ accountId: 'a1', observedAt: 1000, plan: 'plus', primary: limits(10).primary, credits: limits(10).credits });
  });
});
