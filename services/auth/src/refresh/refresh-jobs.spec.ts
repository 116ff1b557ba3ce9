import { describe, expect, it } from '@jest/globals';
import { refreshQueuePrefix } from './refresh-connection.js';
import { refreshJobId } from './refresh-jobs.js';
import { toPassView } from './pass-view.js';
import { stallAfterMs } from './refresh-pass.service.js';
import type { RefreshPassEntity } from './refresh-pass.entity.js';

describe('refresh jobs', () => {
  it('derives one job id per account that BullMQ accepts as a custom id', () => {
    const id = refreshJobId('0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(id).toBe('account-0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(id).not.toContain(':');
    expect(String(parseInt(id, 10))).not.toBe(id);
  });

  it('keys the queue by the database, so deployments sharing a Redis never take each other’s jobs', () => {
    expect(refreshQueuePrefix({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/chatgate' })).toBe('chatgate:chatgate');
    expect(refreshQueuePrefix({ DATABASE_URL: 'postgres://u:secret@db:5432/chatgate_test_ab12' })).toBe('chatgate:chatgate_test_ab12');
    expect(refreshQueuePrefix({ DATABASE_URL: 'postgres://u:secret@db:5432/x' })).not.toContain('secret');
  });
});

describe('pass view', () => {
  const pass = (over: Partial<RefreshPassEntity>): RefreshPassEntity =>
    ({ id: 'p', forced: true, trigger: 'admin', status: 'running', total: 10, done: 3, failed: 2, startedAt: new Date(0), finishedAt: null, scheduleDay: null, updatedAt: new Date(0), ...over }) as RefreshPassEntity;

  it('shows what is left while running and nothing once finished', () => {
    expect(toPassView(pass({})).remaining).toBe(5);
    expect(toPassView(pass({ status: 'finished', done: 8, failed: 2 })).remaining).toBe(0);
    // A pass closed after stalling reports its leftovers as failed, not as remaining.
    expect(toPassView(pass({ status: 'finished', done: 3, failed: 7 })).remaining).toBe(0);
  });
});

describe('stalled passes', () => {
  it('are closed after 15 minutes without progress, or later when a retry may still be waiting', () => {
    expect(stallAfterMs({ REFRESH_BACKOFF_MS: 5000, REFRESH_ATTEMPTS: 5 })).toBe(15 * 60_000);
    // Backoffs 60, 120, 240, 480 s: the last wait is 8 minutes, so a pass is given 16.
    expect(stallAfterMs({ REFRESH_BACKOFF_MS: 60_000, REFRESH_ATTEMPTS: 5 })).toBe(16 * 60_000);
    expect(stallAfterMs({ REFRESH_BACKOFF_MS: 60_000, REFRESH_ATTEMPTS: 30 })).toBe(24 * 3600_000);
  });
});
