import { describe, expect, it } from '@jest/globals';
import type { UsageSeries } from '@chatgate/contracts';
import { bucketsBetween, groupName, pivot } from '../src/lib/series';

const row = (bucket: string, key: string | null, requests: number, extra: Partial<UsageSeries['rows'][number]> = {}) => ({
  bucket,
  key,
  label: null,
  other: key === null,
  requests,
  errors: 0,
  promptTokens: requests * 10,
  completionTokens: requests,
  costMicroUsd: requests * 1000,
  costUsd: requests / 1000,
  ...extra,
});

describe('usage series', () => {
  it('lists every bucket of the range, with or without usage', () => {
    expect(bucketsBetween('2026-11-01T05:00:00.000Z', '2026-11-04T00:00:00.000Z', 'day')).toEqual(['2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z', '2026-11-03T00:00:00.000Z']);
    expect(bucketsBetween('2026-11-01T05:30:00.000Z', '2026-11-01T08:00:00.000Z', 'hour')).toHaveLength(3);
  });

  it('pivots rows into one value per group and bucket: busiest first, Others last, gaps as zero', () => {
    const series: UsageSeries = {
      by: 'user',
      granularity: 'day',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-04T00:00:00.000Z',
      rows: [
        row('2026-11-01T00:00:00.000Z', 'u1', 2, { label: 'alice' }),
        row('2026-11-01T00:00:00.000Z', null, 9),
        row('2026-11-03T00:00:00.000Z', 'u2', 5, { label: 'bob' }),
        row('2026-11-03T00:00:00.000Z', 'u1', 1, { label: 'alice' }),
      ],
    };
    const chart = pivot(series, 'requests');
    expect(chart.buckets).toHaveLength(3);
    expect(chart.groups.map((g) => g.name)).toEqual(['bob', 'alice', 'Others']);
    expect(chart.values).toEqual([
      [0, 0, 5],
      [2, 0, 1],
      [9, 0, 0],
    ]);
    expect(chart.groups[1].totals).toEqual({ requests: 3, errors: 0, promptTokens: 30, completionTokens: 3, costUsd: 0.003 });
    expect(pivot(series, 'tokens').values[0]).toEqual([0, 0, 55]);
  });

  it('names groups for people', () => {
    expect(groupName('user', { key: '', label: null, other: false })).toMatch(/No user/);
    expect(groupName('account', { key: '', label: null, other: false })).toMatch(/own token/);
    expect(groupName('upstream', { key: 'platform', label: null, other: false })).toBe('API keys');
    expect(groupName('upstream', { key: 'codex', label: null, other: false })).toBe('Codex logins');
    expect(groupName('upstream', { key: 'something-new', label: null, other: false })).toBe('something-new');
  });
});
