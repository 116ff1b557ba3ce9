import { DomainError } from '../persistence/domain-error.js';

export type KeyErrorCode =
  | 'key_not_found'
  /** The user a new key is for does not exist in the tenant. */
  | 'user_not_found'
  /** A budget on a tenant admin key (it does not chat). */
  | 'budget_not_allowed'
  /** A presented tenant admin key is unknown, revoked or expired. */
  | 'invalid_admin_key'
  /** Only the operator may mint or change tenant admin keys. */
  | 'operator_only'
  /** A declared key hash already belongs to another user or tenant. */
  | 'key_owned_elsewhere';

/** Why a gateway key or tenant admin key could not be issued, changed or verified. */
export class KeyError extends DomainError<KeyErrorCode> {}
