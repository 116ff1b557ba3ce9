import { DomainError } from '../persistence/domain-error.js';

export type AccountErrorCode =
  /** No such account in the tenant. */
  | 'account_not_found'
  /** An API key, or a login with only an access token: nothing to refresh. */
  | 'not_refreshable'
  | 'account_disabled'
  /** The upstream refused the refresh credential: a new token is needed. */
  | 'needs_token'
  /** The refresh failed for now (the upstream, the network): try again later. */
  | 'refresh_failed'
  /** The entered token is not one, or the upstream refused it. */
  | 'invalid_token'
  /** The upstream could not be reached to check an entered token: the same token may work later. */
  | 'upstream_unavailable'
  /** An API key's base URL is, or resolves to, a private, loopback, link-local or metadata address. */
  | 'base_url_refused';

/** Why an upstream account could not be entered, found or refreshed. Messages never hold a token. */
export class AccountError extends DomainError<AccountErrorCode> {
  static notFound(accountId: string): AccountError {
    // The id is the caller's own input, echoed only when it looks like an id (never a pasted token).
    const shown = /^[0-9a-f-]{36}$/i.test(accountId) ? ` ${accountId}` : '';
    return new AccountError('account_not_found', `No upstream account${shown} in this tenant.`, 'id');
  }

  /** `reason` names the kind of address (service-kit's AddressRefusedError), never the address. */
  static baseUrlRefused(reason: string): AccountError {
    return new AccountError(
      'base_url_refused',
      `base_url refused: ${reason}. API keys may reach public addresses only; the operator can allow-list a trusted host:port (PLATFORM_ALLOW_HOSTS).`,
      'base_url',
    );
  }

  /** The same refusal about another field (the admin route names the one its caller filled). */
  about(param: string): AccountError {
    return new AccountError(this.code, this.message, param);
  }

  /** Whether the same token may work later (the upstream could not be reached). */
  get transient(): boolean {
    return this.code === 'upstream_unavailable';
  }
}
