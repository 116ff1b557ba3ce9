import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { AdminApi, ApiError, apiBaseOf } from './api/client';
import type { TenantList, TenantView } from './api/types';
import type { OpenApiDoc } from './lib/api-doc';

/** Tenant admin keys start so (as the gateway reads them); anything else is the operator's password. */
const TENANT_ADMIN_KEY_PREFIX = 'cga_';

export type Role = 'operator' | 'tenant_admin';

export interface Session {
  role: Role;
  /** Acting on `tenant` (the operator's choice; a tenant admin's own). */
  api: AdminApi;
  /** Every tenant for the operator (the first 200); the tenant admin's own. */
  tenants: TenantView[];
  tenant: TenantView;
  /** The admin API's OpenAPI document; null when it could not be read (pages then use their built-in knowledge). */
  doc: OpenApiDoc | null;
}

export interface SessionActions {
  session: Session;
  chooseTenant: (tenantId: string) => void;
  reloadTenants: () => Promise<void>;
  signOut: (reason?: string) => void;
}

export const SessionContext = createContext<SessionActions | null>(null);

export function useSession(): SessionActions {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in console');
  return value;
}

/** The operator acts on the default tenant unless told otherwise (as the API does without the header). */
export function defaultTenantOf(tenants: TenantView[]): TenantView | undefined {
  return tenants.find((t) => t.slug === 'default') ?? tenants[0];
}

/**
 * Signs in by asking for the tenants (both kinds of admin may): a wrong credential is refused there
 * with the API's own words. The OpenAPI document is read alongside; without it the console still works.
 */
export async function signIn(credential: string, onUnauthorized: (error: ApiError) => void): Promise<Session> {
  const role: Role = credential.startsWith(TENANT_ADMIN_KEY_PREFIX) ? 'tenant_admin' : 'operator';
  const base = new AdminApi({ base: apiBaseOf(location.pathname), credential });
  const [tenants, doc] = await Promise.all([base.get<TenantList>('admin/v1/tenants', { limit: 200 }), base.get<OpenApiDoc>('admin/v1/openapi.json').catch(() => null)]);
  const tenant = defaultTenantOf(tenants.data);
  if (!tenant) throw new ApiError(404, 'This credential reaches no tenant.');
  // Only after the credential worked: a 401 later (a revoked key) signs the console out.
  const api = new AdminApi({ base: apiBaseOf(location.pathname), credential, onUnauthorized, tenant: role === 'operator' ? tenant.slug : null });
  return { role, api, tenants: tenants.data, tenant, doc };
}
