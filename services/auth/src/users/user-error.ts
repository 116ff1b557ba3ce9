import { DomainError } from '../persistence/domain-error.js';

export type UserErrorCode = 'user_not_found' | 'user_exists' | 'unknown_account';

/** Why a user could not be found, created or given accounts. */
export class UserError extends DomainError<UserErrorCode> {}
