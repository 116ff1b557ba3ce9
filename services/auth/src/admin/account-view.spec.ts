import { describe, expect, it } from '@jest/globals';
import type { UpstreamAccountEntity } from '../accounts/upstream-account.entity.js';
import { accountLabel, liveCooldowns, toAccountView, tokenHint, UNREADABLE, UNREADABLE_HINT, viewStatus } from './account-view.js';

const NOW = Date.UTC(2025, 0, 1);
const ACCESS = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyIsImV4cCI6OTk5OTk5OTk5OX0.c2lnbmF0dXJlLXNpZ25hdHVyZS14OVFr';
const REFRESH = 'rt_' + 'R'.repeat(40) + 'tail';
const SESSION = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..' + 'S'.repeat(1200) + '.end';

function row(patch: Partial<UpstreamAccountEntity> = {}): UpstreamAccountEntity {
  return {
    id: '6f1c2d3e-0000-4000-8000-000000000001',
    tenantId: 't',
    kind: 'chatgpt',
    name: null,
    baseUrl: null,
    apiStyle: null,
    apiVersion: null,
    organization: null,
    models: null,
    identityKey: 'a@b|acc',
    email: 'a@b.test',
    chatgptAccountId: 'acc',
    chatgptUserId: 'user-1',
    plan: 'plus',
    workspaces: [{ id: 'acc', plan: 'plus', structure: 'personal' }],
    accessTokenEnc: 'v1:sealed',
    accessTokenExpiresAt: new Date(NOW + 86_400_000),
    refreshTokenEnc: 'v1:sealed',
    sessionTokenEnc: null,
    status: 'active',
    lastRefreshAt: null,
    lastErrorMessage: null,
    lastErrorAt: null,
    cooldowns: {},
    limits: null,
    limitedUntil: null,
    deviceId: 'dev',
    createdAt: new Date(NOW - 1000),
    updatedAt: new Date(NOW),
    ...patch,
  };
}

describe('token hints', () => {
  it('show the first six and last four characters, never more', () => {
    expect(tokenHint(ACCESS)).toEqual({ hint: 'eyJhbG…OVFr' });
    expect(tokenHint(REFRESH)).toEqual({ hint: 'rt_RRR…tail' });
    for (const token of [ACCESS, REFRESH, SESSION]) {
      const { hint } = tokenHint(token)!;
      expect(hint.replace('…', '').length).toBe(10);
      expect(token).not.toBe(hint);
    }
  });

  it('show nothing of a short secret, and say so for one the key cannot open', () => {
    expect(tokenHint('short-token!')).toEqual({ hint: '***' });
    expect(tokenHint(null)).toBeNull();
    expect(tokenHint(UNREADABLE)).toEqual({ hint: UNREADABLE_HINT });
  });
});

describe('account view', () => {
  it('never carries a whole token', () => {
    const view = toAccountView(row({ sessionTokenEnc: 'v1:sealed' }), { access: ACCESS, refresh: REFRESH, session: SESSION }, NOW);
    const json = JSON.stringify(view);
    for (const token of [ACCESS, REFRESH, SESSION]) expect(json).not.toContain(token);
    expect(json).not.toContain(ACCESS.split('.')[1]);
    expect(view.tokens).toEqual({
      access: { hint: 'eyJhbG…OVFr', expiresAt: new Date(NOW + 86_400_000).toISOString() },
      refresh: { hint: 'rt_RRR…tail' },
      session: { hint: 'eyJhbG….end' },
    });
  });

  it('derives cooling from cool-downs still running, whatever the stored flag says', () => {
    expect(viewStatus('active', { 'gpt-4o': NOW + 1 }, NOW)).toBe('cooling');
    expect(viewStatus('cooling', { 'gpt-4o': NOW - 1 }, NOW)).toBe('active');
    expect(viewStatus('cooling', {}, NOW)).toBe('active');
    expect(viewStatus('disabled', { 'gpt-4o': NOW + 1 }, NOW)).toBe('disabled');
    expect(viewStatus('needs_token', {}, NOW)).toBe('needs_token');
  });

  it('lists only running cool-downs, soonest first', () => {
    expect(liveCooldowns({ o1: NOW + 5000, 'gpt-4o': NOW + 1000, old: NOW - 1 }, NOW)).toEqual([
      { model: 'gpt-4o', until: NOW + 1000 },
      { model: 'o1', until: NOW + 5000 },
    ]);
    const view = toAccountView(row({ cooldowns: { 'gpt-4o': NOW + 1000 }, status: 'cooling' }), { access: ACCESS, refresh: null, session: null }, NOW);
    expect(view.status).toBe('cooling');
    expect(view.cooldowns).toEqual([{ model: 'gpt-4o', until: new Date(NOW + 1000).toISOString() }]);
  });

  it('shows the last error with its time', () => {
    const view = toAccountView(row({ lastErrorMessage: 'rate_limited: slow down', lastErrorAt: new Date(NOW) }), { access: ACCESS, refresh: null, session: null }, NOW);
    expect(view.lastError).toEqual({ message: 'rate_limited: slow down', at: new Date(NOW).toISOString() });
  });

  it('labels an account by email, else by the hint of the token that needs replacing', () => {
    expect(accountLabel(row(), { access: ACCESS, refresh: REFRESH, session: null })).toBe('a@b.test');
    expect(accountLabel(row({ email: null }), { access: ACCESS, refresh: REFRESH, session: null })).toBe('rt_RRR…tail');
    expect(accountLabel(row({ email: null }), { access: null, refresh: null, session: null })).toBe(row().id);
  });
});
