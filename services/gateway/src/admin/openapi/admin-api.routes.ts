import { z } from 'zod';
import {
  accountDeletedSchema,
  accountListQuerySchema,
  accountListSchema,
  accountViewSchema,
  importAccountsBodySchema,
  importAccountsResultSchema,
  refreshPassesSchema,
  startRefreshPassBodySchema,
  startRefreshPassResultSchema,
} from '@chatgate/contracts';

export interface AdminApiRoute {
  method: 'get' | 'post' | 'delete';
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

/**
 * The `/admin/v1` routes as OpenAPI describes them: every shape comes from the contract schemas
 * the controllers and auth validate against; only paths and words are written here. The e2e test
 * checks that each path listed here answers.
 */
export const ADMIN_API_ROUTES: AdminApiRoute[] = [
  { method: 'get', path: '/admin/v1/accounts', operationId: 'listAccounts', summary: 'List the upstream accounts, newest first (tokens shown only as masked hints).', query: accountListQuerySchema, response: accountListSchema, errors: [400] },
  {
    method: 'post',
    path: '/admin/v1/accounts/import',
    operationId: 'importAccounts',
    summary: 'Enter many tokens (access, refresh or session; `token,workspace id` for a Team workspace), one a line; answers per line what happened.',
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
  { method: 'get', path: '/admin/v1/refresh/passes', operationId: 'getRefreshPasses', summary: 'The refresh pass running now (progress) and the most recent one (result).', response: refreshPassesSchema, errors: [] },
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
];
