import { describe, expect, it } from '@jest/globals';
import { callerIdentity, identifiersOfToken, rewriteForCaller } from './account-identity.js';

const REAL = { accountId: '7f3c2a10-aaaa-4bbb-8ccc-123456789abc', userId: 'user-RealUser123456', email: 'owner@corp.example' };
const caller = callerIdentity({ id: 'gateway-user-1', name: 'alice' });
const none = { accountIds: [], userIds: [], emails: [], names: [] };

function jwt(claims: object): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256' })}.${part(claims)}.sig`;
}

describe('account identity rewrite', () => {
  it('gives each caller stable stand-ins shaped like upstream ids', () => {
    expect(callerIdentity({ id: 'gateway-user-1', name: 'alice' })).toEqual(caller);
    expect(caller.accountId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(caller.userId).toMatch(/^user-[0-9a-f]{24}$/);
    expect(caller.email).toBe('alice@chatgate.invalid');
    expect(callerIdentity({ id: 'x', name: 'bob@team.example' }).email).toBe('bob@team.example');
    expect(callerIdentity({ id: 'other', name: 'alice' }).accountId).not.toBe(caller.accountId);
  });

  it("reads an access token's identifying claims without trusting them", () => {
    const token = jwt({ 'https://api.openai.com/profile': { email: REAL.email }, 'https://api.openai.com/auth': { chatgpt_account_id: REAL.accountId, chatgpt_user_id: REAL.userId } });
    expect(identifiersOfToken(token)).toEqual({ accountIds: [REAL.accountId], userIds: [REAL.userId], emails: [REAL.email], names: [] });
    expect(identifiersOfToken('not-a-jwt')).toEqual(none);
  });

  it('replaces me with the caller and drops the profile', () => {
    const me = { object: 'user', id: REAL.userId, email: REAL.email, name: 'owner', picture: 'https://x/p.png', phone_number: '+1', mfa_flag_enabled: false, orgs: { data: [{ id: 'org-x', description: `Personal org for ${REAL.email}` }] } };
    const out = rewriteForCaller('/backend-api/me', me, none, caller);
    expect(out).toEqual({ object: 'user', id: caller.userId, email: caller.email, name: 'alice', picture: null, phone_number: null, mfa_flag_enabled: false, orgs: { object: 'list', data: [] } });
  });

  it('keeps the plan of accounts/check and replaces every account id, keys included', () => {
    const entry = { account: { account_id: REAL.accountId, account_user_id: `${REAL.userId}__${REAL.accountId}`, plan_type: 'plus', name: 'Corp' }, entitlement: { subscription_id: 'sub_1', has_active_subscription: true }, features: ['x'] };
    const out = rewriteForCaller('/backend-api/accounts/check/v4-2023-04-27', { accounts: { [REAL.accountId]: entry, default: entry }, account_ordering: [REAL.accountId] }, none, caller) as {
      accounts: Record<string, typeof entry>;
      account_ordering: string[];
    };
    expect(Object.keys(out.accounts).sort()).toEqual([caller.accountId, 'default'].sort());
    expect(out.account_ordering).toEqual([caller.accountId]);
    expect(out.accounts.default.account).toEqual({ account_id: caller.accountId, account_user_id: `${caller.userId}__${caller.accountId}`, plan_type: 'plus', name: null });
    expect(out.accounts.default.entitlement).toEqual({ subscription_id: null, has_active_subscription: true });
    expect(JSON.stringify(out)).not.toMatch(new RegExp(`${REAL.accountId}|${REAL.userId}`));
  });

  it('replaces known identifiers anywhere else, inside longer strings too, but a short name only where it is the whole string', () => {
    const known = { accountIds: [REAL.accountId], userIds: [REAL.userId], emails: [REAL.email], names: ['owner'] };
    const out = rewriteForCaller('/backend-api/models', { models: [{ slug: 'gpt-4o', note: `for ${REAL.email} in ${REAL.accountId}` }], who: 'owner', text: 'the owner of the house' }, known, caller);
    expect(out).toEqual({ models: [{ slug: 'gpt-4o', note: `for ${caller.email} in ${caller.accountId}` }], who: 'alice', text: 'the owner of the house' });
  });
});
