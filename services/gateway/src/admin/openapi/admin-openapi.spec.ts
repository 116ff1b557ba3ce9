import { describe, expect, it } from '@jest/globals';
import { buildAdminOpenApi } from './admin-openapi.js';
import { ADMIN_API_ROUTES } from './admin-api.routes.js';

type Json = Record<string, unknown>;

function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') found.push(v);
      else refs(v, found);
    }
  }
  return found;
}

describe('admin OpenAPI document', () => {
  const doc = buildAdminOpenApi('');

  it('is OpenAPI 3.1 and lists every admin route', () => {
    expect(doc.openapi).toBe('3.1.0');
    const paths = doc.paths as Record<string, Json>;
    for (const route of ADMIN_API_ROUTES) expect(paths[route.path]?.[route.method]).toBeDefined();
  });

  it('takes its shapes from the contracts: every reference resolves, and the account view has no token field', () => {
    const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
    for (const ref of refs(doc)) expect(schemas[ref.replace('#/components/schemas/', '')]).toBeDefined();
    const view = schemas.AccountView as { properties: Record<string, Json>; $id?: string };
    expect(Object.keys(view.properties)).toEqual(expect.arrayContaining(['id', 'status', 'tokens', 'cooldowns']));
    expect(view.$id).toBeUndefined();
    const tokens = JSON.stringify(view.properties.tokens);
    expect(tokens).toContain('hint');
    expect(tokens).not.toMatch(/accessToken|refreshToken|sessionToken/);
  });

  it('describes the list query and the import body', () => {
    const list = (doc.paths as Record<string, Record<string, Json>>)['/admin/v1/accounts'].get;
    expect((list.parameters as Json[]).map((p) => p.name)).toEqual(['status', 'kind', 'page', 'limit']);
    const kind = (list.parameters as Json[]).find((p) => p.name === 'kind') as { schema: { enum: string[] } };
    expect(kind.schema.enum).toEqual(expect.arrayContaining(['chatgpt', 'api_key']));
    const limit = (list.parameters as Json[]).find((p) => p.name === 'limit') as { schema: Json; required: boolean };
    expect(limit.required).toBe(false);
    expect(limit.schema.maximum).toBe(200);
    const importBody = JSON.stringify((doc.paths as Record<string, Record<string, Json>>)['/admin/v1/accounts/import'].post.requestBody);
    expect(importBody).toContain('"text"');
    expect(importBody).toContain('"tokens"');
  });

  it('describes tenants, users, keys and usage from their contracts', () => {
    const paths = doc.paths as Record<string, Record<string, Json>>;
    expect(Object.keys(paths['/admin/v1/users/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(paths['/admin/v1/users'].post.responses as Json)).toContain('201');
    expect(JSON.stringify(paths['/admin/v1/users'].post.requestBody)).toContain('chatgpt_list');
    expect((paths['/admin/v1/tenants/{id}'].delete.parameters as Json[]).map((p) => p.name)).toEqual(['id', 'cascade']);
    // The usage range takes ISO 8601 or epoch ms (the query's input side, before its transform).
    const usage = paths['/admin/v1/usage'].get.parameters as Array<{ name: string; schema: Json }>;
    expect(usage.map((p) => p.name)).toEqual(expect.arrayContaining(['user', 'model', 'from', 'to', 'granularity', 'page', 'limit']));
    expect(JSON.stringify(usage.find((p) => p.name === 'from')!.schema)).toContain('date-time');
    const schemas = (doc.components as { schemas: Record<string, { properties?: Json }> }).schemas;
    expect(Object.keys(schemas.KeyCreated.properties!)).toContain('key');
    expect(Object.keys(schemas.Key.properties!)).not.toContain('key');
  });

  it('describes the usage series the console charts, and the refresh pass history', () => {
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const series = paths['/admin/v1/usage/series'].get.parameters as Array<{ name: string; required: boolean; schema: Json }>;
    expect(series.map((p) => p.name)).toEqual(['by', 'tenant', 'user', 'account', 'model', 'kind', 'from', 'to', 'granularity', 'groups']);
    expect(series.find((p) => p.name === 'by')).toEqual(expect.objectContaining({ required: true, schema: expect.objectContaining({ enum: ['user', 'model', 'account', 'upstream', 'kind'] }) }));
    const schemas = (doc.components as { schemas: Record<string, { properties?: Json }> }).schemas;
    expect(Object.keys(schemas.UsageSeriesRow.properties!)).toEqual(expect.arrayContaining(['bucket', 'key', 'label', 'other', 'requests', 'costUsd']));
    expect(Object.keys(schemas.RefreshPasses.properties!)).toEqual(['current', 'latest', 'history']);
  });

  it('names the prefix as the server', () => {
    expect(buildAdminOpenApi('proxy').servers).toEqual([{ url: '/proxy' }]);
  });
});
