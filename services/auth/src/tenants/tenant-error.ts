import { DomainError } from '../persistence/domain-error.js';

export type TenantErrorCode = 'tenant_not_found' | 'tenant_exists' | 'operator_only' | 'default_tenant' | 'tenant_not_empty';

/** Why a tenant could not be seen, created, renamed or deleted. */
export class TenantError extends DomainError<TenantErrorCode> {}
