import { describe, expect, it } from '@jest/globals';
import { AccountError } from '../accounts/account-error.js';
import { KeyError } from '../keys/key-error.js';
import { TenantError } from '../tenants/tenant-error.js';
import { UserError } from '../users/user-error.js';
import { adminFailureOf } from './domain-failures.js';

describe('domain errors on the admin API', () => {
  it("keep the domain's code, message and field, with the status of each code", () => {
    expect(adminFailureOf(AccountError.notFound('6f1c2d3e-0000-4000-8000-000000000001'))?.failure).toEqual({
      status: 404,
      error: { message: 'No upstream account 6f1c2d3e-0000-4000-8000-000000000001 in this tenant.', type: 'invalid_request_error', param: 'id', code: 'account_not_found' },
    });
    const status = (err: unknown) => adminFailureOf(err)?.failure.status;
    expect(status(new AccountError('upstream_unavailable', 'later'))).toBe(503);
    expect(adminFailureOf(new AccountError('upstream_unavailable', 'later'))?.failure.error.type).toBe('server_error');
    expect(status(new AccountError('refresh_failed', 'x'))).toBe(502);
    expect(status(new AccountError('invalid_token', 'x'))).toBe(400);
    expect(status(new UserError('user_exists', 'x', 'name'))).toBe(409);
    expect(status(new UserError('unknown_account', 'x', 'chatgpt_list.0'))).toBe(400);
    expect(status(new KeyError('operator_only', 'x'))).toBe(403);
    expect(status(new KeyError('invalid_admin_key', 'x'))).toBe(401);
    expect(status(new TenantError('tenant_not_empty', 'x'))).toBe(409);
  });

  it('answers a budget on an admin key as a malformed request, as before', () => {
    expect(adminFailureOf(new KeyError('budget_not_allowed', 'no budget', 'budget'))?.failure).toMatchObject({ status: 400, error: { code: 'invalid_request', param: 'budget' } });
  });

  it('leaves anything else to the runner (an internal error with an incident id)', () => {
    expect(adminFailureOf(new Error('boom'))).toBeNull();
  });

  it('a mirror login names the field its caller filled', () => {
    const err = new AccountError('invalid_token', 'refused').about('access_token');
    expect(adminFailureOf(err)?.failure.error).toMatchObject({ code: 'invalid_token', param: 'access_token' });
  });
});
