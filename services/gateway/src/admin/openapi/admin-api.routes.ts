import { z } from 'zod';
import {
  accountDeletedSchema,
  accountListQuerySchema,
  accountListSchema,
  accountViewSchema,
  auditListQuerySchema,
  auditListSchema,
  createKeyBodySchema,
  createTenantBodySchema,
  createUserBodySchema,
  deadLetterPageSchema,
  deadLetterQuerySchema,
  deleteTenantQuerySchema,
  importAccountsBodySchema,
  keyCreatedSchema,
  keyListQuerySchema,
  keyListSchema,
  keyViewSchema,
  modelRoutesViewSchema,
  setModelRoutesBodySchema,
  importAccountsResultSchema,
  refreshPassesSchema,
  renameTenantBodySchema,
  startRefreshPassBodySchema,
  startRefreshPassResultSchema,
  systemHealthSchema,
  tenantDeletedSchema,
  tenantListQuerySchema,
  tenantListSchema,
  tenantViewSchema,
  updateKeyBodySchema,
  updateUserBodySchema,
  spendPageSchema,
  spendQuerySchema,
  usagePageSchema,
  usageQuerySchema,
  usageSeriesQuerySchema,
  usageSeriesSchema,
  userDeletedSchema,
  userListQuerySchema,
  userListSchema,
  userViewSchema,
} from '@chatgate/contracts';

export interface AdminApiRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI path template, relative to the API prefix. */
  path: string;
  operationId: string;
  summary: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The success answer: a schema from contracts (its component name is in admin-openapi.ts). */
  response: z.ZodType;
  /** Success statuses with what they mean; default `{200: 'OK'}`. */
  success?: Record<number, string>;
  /** Error statuses worth naming besides 401/403/429, which every route can answer. */
  errors: number[];
}

/** Nest answers a `@Post()` that creates with 201. */
const CREATED = { 201: 'Created.' };

/** Tenants, users and keys (answered by auth over the bus); listed apart to keep the main table readable. */
const TENANCY_ROUTES: AdminApiRoute[] = [
  { method: 'get', path: '/admin/v1/tenants', operationId: 'listTenants', summary: 'Every tenant for the operator; its own for a tenant admin.', query: tenantListQuerySchema, response: tenantListSchema, errors: [400] },
  { method: 'post', path: '/admin/v1/tenants', operationId: 'createTenant', summary: 'Create a tenant (operator only). 409 when the slug is taken.', body: createTenantBodySchema, response: tenantViewSchema, success: CREATED, errors: [400, 409] },
  { method: 'get', path: '/admin/v1/tenants/{id}', operationId: 'getTenant', summary: 'Show one tenant.', response: tenantViewSchema, errors: [404] },
  { method: 'patch', path: '/admin/v1/tenants/{id}', operationId: 'renameTenant', summary: 'Rename a tenant (operator only).', body: renameTenantBodySchema, response: tenantViewSchema, errors: [400, 404] },
  {
    method: 'delete',
    path: '/admin/v1/tenants/{id}',
    operationId: 'deleteTenant',
    summary: 'Delete a tenant (operator only). 409 for the default tenant, or one that still has users, keys or accounts unless `cascade=true`.',
    query: deleteTenantQuerySchema,
    response: tenantDeletedSchema,
    errors: [400, 404, 409],
  },
  { method: 'get', path: '/admin/v1/users', operationId: 'listUsers', summary: "The tenant's users, newest first; filter by status or a name fragment.", query: userListQuerySchema, response: userListSchema, errors: [400] },
  {
    method: 'post',
    path: '/admin/v1/users',
    operationId: 'createUser',
    summary: 'Create a user with their limits, budget, allowed models (globs) and the accounts they may use. 409 when the name is taken.',
    body: createUserBodySchema,
    response: userViewSchema,
    success: CREATED,
    errors: [400, 409],
  },
  { method: 'get', path: '/admin/v1/users/{id}', operationId: 'getUser', summary: 'Show one user.', response: userViewSchema, errors: [404] },
  { method: 'patch', path: '/admin/v1/users/{id}', operationId: 'updateUser', summary: 'Change the fields given, nothing else.', body: updateUserBodySchema, response: userViewSchema, errors: [400, 404, 409] },
  { method: 'delete', path: '/admin/v1/users/{id}', operationId: 'deleteUser', summary: 'Delete the user and their keys.', response: userDeletedSchema, errors: [404] },
  { method: 'get', path: '/admin/v1/keys', operationId: 'listKeys', summary: 'Gateway keys of users and tenant admin keys, shown by their prefix only.', query: keyListQuerySchema, response: keyListSchema, errors: [400] },
  {
    method: 'post',
    path: '/admin/v1/keys',
    operationId: 'createKey',
    summary:
      'Create a user key (`sk-cg-…`, with its own budget, allowed models and `rpm`/`tpm` if wanted) or a tenant admin key (`cga_…`). The one answer that carries the whole key: it is stored only as a hash.',
    body: createKeyBodySchema,
    response: keyCreatedSchema,
    success: CREATED,
    errors: [400, 404],
  },
  {
    method: 'patch',
    path: '/admin/v1/keys/{id}',
    operationId: 'updateKey',
    summary:
      "Change a key's name, expiry, budget (`{amountUsd, period: day|month|none}` or null), allowed models (globs, or null) or rates (`rpm`, `tpm`, or null); every gateway replica re-reads it.",
    body: updateKeyBodySchema,
    response: keyViewSchema,
    errors: [400, 404],
  },
  { method: 'post', path: '/admin/v1/keys/{id}/revoke', operationId: 'revokeKey', summary: 'Revoke a key; every gateway replica refuses it from then on.', response: keyViewSchema, errors: [404] },
];

/**
 * The `/admin/v1` routes as OpenAPI describes them: every shape comes from the contract schemas
 * the controllers and auth validate against; only paths and words are written here. The e2e test
 * checks that each path listed here answers.
 */
export const ADMIN_API_ROUTES: AdminApiRoute[] = [
  { method: 'get', path: '/admin/v1/accounts', operationId: 'listAccounts', summary: 'List the upstream accounts, newest first (tokens shown only as masked hints); filter by status and kind.', query: accountListQuerySchema, response: accountListSchema, errors: [400] },
  {
    method: 'post',
    path: '/admin/v1/accounts/import',
    operationId: 'importAccounts',
    summary:
      'Enter many tokens (access, refresh or session; `token,workspace id` for a Team workspace), one a line, `sk-…` API keys, and Codex logins (a pasted `codex login` auth file over its lines, an `at-` Codex access token, or bare tokens with `kind: codex`); answers per entry what happened.',
    body: importAccountsBodySchema,
    response: importAccountsResultSchema,
    errors: [400],
  },
  { method: 'get', path: '/admin/v1/accounts/{id}', operationId: 'getAccount', summary: 'Show one account.', response: accountViewSchema, errors: [404] },
  { method: 'post', path: '/admin/v1/accounts/{id}/disable', operationId: 'disableAccount', summary: 'Take the account out of the pool.', response: accountViewSchema, errors: [404] },
  { method: 'post', path: '/admin/v1/accounts/{id}/enable', operationId: 'enableAccount', summary: 'Put a disabled account back into the pool.', response: accountViewSchema, errors: [404] },
  {
    method: 'post',
    path: '/admin/v1/accounts/{id}/refresh',
    operationId: 'refreshAccount',
    summary: 'Refresh the access token now. 409 when the account is disabled, has nothing to refresh with, or its refresh credential is dead; 502 when the upstream failed.',
    response: accountViewSchema,
    errors: [404, 409, 502],
  },
  { method: 'delete', path: '/admin/v1/accounts/{id}', operationId: 'deleteAccount', summary: 'Delete the account and its tokens.', response: accountDeletedSchema, errors: [404] },
  { method: 'get', path: '/admin/v1/refresh/passes', operationId: 'getRefreshPasses', summary: 'The refresh pass running now (progress), the most recent one (result) and the recent ones, newest first (history).', response: refreshPassesSchema, errors: [] },
  {
    method: 'post',
    path: '/admin/v1/refresh/passes',
    operationId: 'startRefreshPass',
    summary: 'Start a refresh pass (forced by default: every account with a refresh or session token) unless one is running.',
    body: startRefreshPassBodySchema,
    response: startRefreshPassResultSchema,
    success: { 202: 'Started; it runs on after the answer.', 200: 'Not started: a pass is running (`pass`).' },
    errors: [400],
  },
  { method: 'get', path: '/admin/v1/routes', operationId: 'getModelRoutes', summary: "The tenant's model routing table: which models go to API-key accounts (`platform`) and which to ChatGPT logins; first match wins.", response: modelRoutesViewSchema, errors: [] },
  {
    method: 'post',
    path: '/admin/v1/routes',
    operationId: 'setModelRoutes',
    summary: "Replace the tenant's model routing table (`routes: null` goes back to the default); cached credentials of the tenant are re-resolved.",
    body: setModelRoutesBodySchema,
    response: modelRoutesViewSchema,
    errors: [400],
  },
  ...TENANCY_ROUTES,
  {
    method: 'get',
    path: '/admin/v1/spend',
    operationId: 'listSpend',
    summary: 'Spend (the price table applied to each request when stored) totalled per tenant, user, credential or account, costliest first; the range defaults to the current UTC month.',
    query: spendQuerySchema,
    response: spendPageSchema,
    errors: [400],
  },
  { method: 'get', path: '/admin/v1/usage', operationId: 'listUsage', summary: 'Usage rows per hour or UTC day, filtered by tenant, user, account, model and kind; the range defaults to the last 24 hours.', query: usageQuerySchema, response: usagePageSchema, errors: [400] },
  {
    method: 'get',
    path: '/admin/v1/audit',
    operationId: 'listAudit',
    summary:
      'Every admin change, newest first: who (the operator or a tenant admin key), what (action, target, the fields asked; never a secret), when and from which address. Filter by tenant (slug or id), actor (`operator` or a key id), action and time range. A tenant admin sees its own tenant.',
    query: auditListQuerySchema,
    response: auditListSchema,
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/admin/v1/usage/series',
    operationId: 'getUsageSeries',
    summary:
      "Usage per hour or UTC day split `by` user, model, account, upstream kind (`chatgpt`, `platform`, …) or request kind, for charts: the `groups` busiest groups by name, the rest summed per bucket (`other: true`). The range defaults to the last 7 days; at most 31 days per hour, 400 per day. An operator's series spans every tenant unless `tenant` names one.",
    query: usageSeriesQuerySchema,
    response: usageSeriesSchema,
    errors: [400],
  },
  {
    method: 'get',
    path: '/admin/v1/usage/dead-letters',
    operationId: 'listUsageDeadLetters',
    summary: 'Usage events the usage service could not store (not a usage event, or a row Postgres refused), newest first: the payload as received, why, when first and last seen and how often. A tenant admin sees those naming its tenant.',
    query: deadLetterQuerySchema,
    response: deadLetterPageSchema,
    errors: [400],
  },
  {
    method: 'get',
    path: '/admin/v1/health/services',
    operationId: 'getSystemHealth',
    summary: "Every service's own health report over the bus (instance, uptime, memory, each dependency's round trip and error), or why it did not answer. The operator only; `/health/services` shows anyone up or not per service.",
    response: systemHealthSchema,
    errors: [],
  },
];
