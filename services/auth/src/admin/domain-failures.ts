import { AccountError, type AccountErrorCode } from '../accounts/account-error.js';
import { KeyError, type KeyErrorCode } from '../keys/key-error.js';
import { unhandled, type DomainError } from '../persistence/domain-error.js';
import { TenantError, type TenantErrorCode } from '../tenants/tenant-error.js';
import { UserError, type UserErrorCode } from '../users/user-error.js';
import { AdminFailure } from './admin-failure.js';

/*
 * What each domain refusal is on the admin API. The switches are exhaustive: a code added to a
 * module's union and not given a status here fails to compile. The admin code is the domain code.
 */

function accountStatus(code: AccountErrorCode): number {
  switch (code) {
    case 'account_not_found':
      return 404;
    case 'not_refreshable':
    case 'account_disabled':
    case 'needs_token':
      return 409;
    case 'invalid_token':
    case 'base_url_refused':
      return 400;
    case 'refresh_failed':
      return 502;
    case 'upstream_unavailable':
      return 503;
    default:
      return unhandled(code);
  }
}

function userStatus(code: UserErrorCode): number {
  switch (code) {
    case 'user_not_found':
      return 404;
    case 'user_exists':
      return 409;
    case 'unknown_account':
      return 400;
    default:
      return unhandled(code);
  }
}

function keyStatus(code: KeyErrorCode): number {
  switch (code) {
    case 'key_not_found':
    case 'user_not_found':
      return 404;
    case 'budget_not_allowed':
      return 400;
    case 'invalid_admin_key':
      return 401;
    case 'operator_only':
      return 403;
    case 'key_owned_elsewhere':
      return 409;
    default:
      return unhandled(code);
  }
}

function tenantStatus(code: TenantErrorCode): number {
  switch (code) {
    case 'tenant_not_found':
      return 404;
    case 'operator_only':
      return 403;
    case 'tenant_exists':
    case 'default_tenant':
    case 'tenant_not_empty':
      return 409;
    default:
      return unhandled(code);
  }
}

/** A budget on an admin key was always answered as a malformed request. */
const ADMIN_CODES: Partial<Record<string, string>> = { budget_not_allowed: 'invalid_request' };

/** The admin failure of a domain error, or null when `err` is none of the domains'. */
export function adminFailureOf(err: unknown): AdminFailure | null {
  const from = (e: DomainError<string>, status: number) => AdminFailure.of(status, ADMIN_CODES[e.code] ?? e.code, e.message, e.param);
  if (err instanceof AccountError) return from(err, accountStatus(err.code));
  if (err instanceof UserError) return from(err, userStatus(err.code));
  if (err instanceof KeyError) return from(err, keyStatus(err.code));
  if (err instanceof TenantError) return from(err, tenantStatus(err.code));
  return null;
}
