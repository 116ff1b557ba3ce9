/** Request/reply, queue group `auth`: turn a caller's Bearer into who they are and which upstream to use. */
export const AUTH_RESOLVE_CREDENTIAL = 'chatgate.auth.credential.resolve.v1' as const;
/** Fan-out event (no queue group): every gateway replica drops the credential from its cache at once. */
export const AUTH_CREDENTIAL_REVOKED = 'chatgate.auth.credential.revoked.v1' as const;
/** Fan-out event: something every principal of a tenant carries changed (its model routing table); gateways drop the tenant's cached principals. */
export const AUTH_TENANT_PRINCIPALS_CHANGED = 'chatgate.auth.tenant.principals-changed.v1' as const;
