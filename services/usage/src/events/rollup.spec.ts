import { describe, expect, it } from '@jest/globals';
import type { UsageEvent } from '@chatgate/contracts';
import { hourOf, rollup } from './rollup.js';

const H = 3_600_000;
const base = Date.UTC(2026, 10, 22, 10, 0, 0);
const ev = (id: string, at: number, extra: Partial<UsageEvent> = {}): UsageEvent => ({
  requestId: id, tenantId: 't', userId: 'u', userName: 'alice', credentialId: 'c', accountId: 'a', accountLabel: 'a@x', model: 'gpt-4o', kind: 'chat',
  promptTokens: 10, completionTokens: 5, estimated: true, outcome: 'ok', status: 200, latencyMs: 1, at, ...extra,
});

describe('rollup bucketing', () => {
  it('puts an instant in its UTC hour, the last millisecond included', () => {
    expect(hourOf(base)).toBe(base);
    expect(hourOf(base + H - 1)).toBe(base);
    expect(hourOf(base + H)).toBe(base + H);
  });

  it('sums per (tenant, user, account, model, kind, hour) and counts errors and cancels', () => {
    const rows = rollup([
      ev('1', base + 1),
      ev('2', base + H - 1, { outcome: 'error', completionTokens: 0 }),
      ev('3', base + H, { outcome: 'cancelled' }),
      ev('4', base + 5, { model: 'o3-mini' }),
      ev('5', base + 6, { userId: null, userName: null, accountId: null, accountLabel: null }),
    ]);
    expect(rows).toHaveLength(4);
    const first = rows.find((r) => r.hour === base && r.model === 'gpt-4o' && r.userKey === 'u')!;
    expect(first).toMatchObject({ requests: 2, errors: 1, cancelled: 0, promptTokens: 20, completionTokens: 5, userName: 'alice', accountLabel: 'a@x' });
    expect(rows.find((r) => r.hour === base + H)).toMatchObject({ requests: 1, cancelled: 1 });
    expect(rows.find((r) => r.userKey === '')).toMatchObject({ accountKey: '', requests: 1 });
  });
});
