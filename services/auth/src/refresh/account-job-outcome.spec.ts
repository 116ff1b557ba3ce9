import { describe, expect, it } from '@jest/globals';
import type { PoolAccount } from '../accounts/pool-account.js';
import { accountJobOutcome } from './account-job-outcome.js';

const account = { id: 'a' } as PoolAccount;

describe('accountJobOutcome', () => {
  it('counts a refresh as done', () => {
    expect(accountJobOutcome({ ok: true, account }, 0, 5)).toEqual({ kind: 'done' });
    expect(accountJobOutcome({ ok: true, account }, 4, 5)).toEqual({ kind: 'done' });
  });

  it('never retries a dead credential, even on the first attempt', () => {
    expect(accountJobOutcome({ ok: false, dead: true, message: 'invalid_grant' }, 0, 5)).toEqual({ kind: 'dead', reason: 'invalid_grant' });
  });

  it('retries a transient failure until the last attempt, then counts it failed', () => {
    const transient = { ok: false as const, dead: false, message: 'upstream 500' };
    expect(accountJobOutcome(transient, 0, 5).kind).toBe('retry');
    expect(accountJobOutcome(transient, 3, 5).kind).toBe('retry');
    expect(accountJobOutcome(transient, 4, 5)).toEqual({ kind: 'exhausted', reason: 'upstream 500' });
    expect(accountJobOutcome(transient, 0, 1).kind).toBe('exhausted');
  });
});
