import { z } from 'zod';
import {
  accountDeletedSchema,
  accountListSchema,
  accountViewSchema,
  auditEntrySchema,
  auditListSchema,
  deadLetterPageSchema,
  systemHealthSchema,
  deadLetterViewSchema,
  importAccountsResultSchema,
  importLineResultSchema,
  keyCreatedSchema,
  keyListSchema,
  keyViewSchema,
  openAIErrorSchema,
  refreshPassesSchema,
  refreshPassViewSchema,
  startRefreshPassResultSchema,
  tenantDeletedSchema,
  tenantListSchema,
  tenantViewSchema,
  upstreamAccountStatusSchema,
  usagePageSchema,
  usageRowSchema,
  usageSeriesRowSchema,
  usageSeriesSchema,
  userDeletedSchema,
  userListSchema,
  userViewSchema,
  wireLimitSchema,
} from '@chatgate/contracts';
import { ADMIN_API_ROUTES, type AdminApiRoute } from './admin-api.routes.js';

type JsonSchema = Record<string, unknown>;

const errorEnvelopeSchema = z.object({ error: openAIErrorSchema });

/** Contract schemas that get a name under `components.schemas`; anything nested in them and named here becomes a `$ref`. */
const COMPONENTS: Array<[z.ZodType, string]> = [
  [accountViewSchema, 'AccountView'],
  [accountListSchema, 'AccountList'],
  [accountDeletedSchema, 'AccountDeleted'],
  [importLineResultSchema, 'ImportLineResult'],
  [importAccountsResultSchema, 'ImportAccountsResult'],
  [upstreamAccountStatusSchema, 'UpstreamAccountStatus'],
  [refreshPassViewSchema, 'RefreshPass'],
  [refreshPassesSchema, 'RefreshPasses'],
  [startRefreshPassResultSchema, 'StartRefreshPassResult'],
  [tenantViewSchema, 'Tenant'],
  [tenantListSchema, 'TenantList'],
  [tenantDeletedSchema, 'TenantDeleted'],
  [wireLimitSchema, 'Limit'],
  [userViewSchema, 'User'],
  [userListSchema, 'UserList'],
  [userDeletedSchema, 'UserDeleted'],
  [keyViewSchema, 'Key'],
  [keyCreatedSchema, 'KeyCreated'],
  [keyListSchema, 'KeyList'],
  [usageRowSchema, 'UsageRow'],
  [usagePageSchema, 'UsagePage'],
  [usageSeriesRowSchema, 'UsageSeriesRow'],
  [usageSeriesSchema, 'UsageSeries'],
  [deadLetterViewSchema, 'DeadLetter'],
  [deadLetterPageSchema, 'DeadLetterPage'],
  [auditEntrySchema, 'AuditEntry'],
  [auditListSchema, 'AuditList'],
  [systemHealthSchema, 'SystemHealth'],
  [errorEnvelopeSchema, 'Error'],
];

const ERROR_WORDS: Record<number, string> = {
  400: 'The request is malformed; `param` names the field.',
  401: 'The admin credential (ADMIN_PASSWORD, or a tenant admin key) is missing or wrong.',
  403: "The admin API is disabled (no ADMIN_PASSWORD), or the action is the operator's only.",
  // Another tenant's objects answer 404 too: a tenant admin learns nothing of them.
  404: "No such object in the admin's tenant.",
  409: 'The object is not in a state that allows this, or the name is taken (`code` says which).',
  429: 'Too many wrong passwords from this address; `retry-after` says when to try again.',
  502: 'The upstream failed.',
  503: 'The authentication service did not answer.',
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** zod's per-document keys do not belong inside an OpenAPI document. */
function bare(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

function operation(route: AdminApiRoute, names: Map<z.ZodType, string>): JsonSchema {
  const parameters: JsonSchema[] = [];
  for (const name of route.path.match(/\{(\w+)\}/g) ?? []) {
    parameters.push({ name: name.slice(1, -1), in: 'path', required: true, schema: { type: 'string', format: 'uuid' } });
  }
  for (const [name, field] of Object.entries(route.query?.shape ?? {})) {
    const fieldSchema = field as z.ZodType;
    parameters.push({ name, in: 'query', required: !fieldSchema.safeParse(undefined).success, schema: bare(z.toJSONSchema(fieldSchema, { io: 'input' }) as JsonSchema) });
  }
  const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
  const responseName = names.get(route.response);
  const success = json(responseName ? ref(responseName) : bare(z.toJSONSchema(route.response) as JsonSchema));
  const responses: Record<string, unknown> = {};
  for (const [status, description] of Object.entries(route.success ?? { 200: 'OK' })) responses[status] = { description, content: success };
  for (const status of [...new Set([...route.errors, 401, 403, 429, 503])].sort((a, b) => a - b)) responses[status] = { description: ERROR_WORDS[status] ?? 'Error', content: json(ref('Error')) };
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(parameters.length ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: !route.body.safeParse({}).success, content: json(bare(z.toJSONSchema(route.body, { io: 'input' }) as JsonSchema)) } } : {}),
    responses,
  };
}

/**
 * OpenAPI 3.1 (whose schemas are JSON Schema 2020-12, what zod emits) for `/admin/v1`, generated
 * from the contract schemas, so the document cannot drift from what the routes validate.
 */
export function buildAdminOpenApi(prefix: string): JsonSchema {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of COMPONENTS) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, JsonSchema> };
  const schemas = Object.fromEntries(Object.entries(generated.schemas).map(([id, schema]) => [id, bare(schema)]));
  const names = new Map(COMPONENTS);

  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of ADMIN_API_ROUTES) (paths[route.path] ??= {})[route.method] = operation(route, names);

  return {
    openapi: '3.1.0',
    info: { title: 'chatgate admin API', version: '1', description: "Tenants, users, keys, upstream accounts and usage, as far as the admin's tenant reaches (every tenant for the operator). Errors use OpenAI's envelope." },
    servers: [{ url: prefix ? `/${prefix}` : '/' }],
    security: [{ adminPassword: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: { adminPassword: { type: 'http', scheme: 'bearer', description: 'ADMIN_PASSWORD (the operator), or a tenant admin key `cga_…`' } },
    },
  };
}
