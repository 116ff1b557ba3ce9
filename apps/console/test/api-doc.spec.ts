import { describe, expect, it } from '@jest/globals';
import { extraFieldsOf, hasRoute, parseFieldInput, queryEnumOf, type OpenApiDoc } from '../src/lib/api-doc';

const doc: OpenApiDoc = {
  paths: {
    '/admin/v1/accounts': { get: { parameters: [{ name: 'kind', in: 'query', schema: { type: 'string', enum: ['chatgpt', 'api_key', 'codex'] } }] } },
    '/admin/v1/users': {
      post: {
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['name', 'models'],
                properties: {
                  name: { type: 'string' },
                  models: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }], description: 'Models the user may use.' },
                  rpm: { type: 'integer', minimum: 1 },
                  tier: { type: 'string', enum: ['a', 'b'] },
                  flags: { type: 'object' },
                },
              },
            },
          },
        },
      },
    },
  },
};

describe('what the console reads from the OpenAPI document', () => {
  it('knows which routes exist', () => {
    expect(hasRoute(doc, '/admin/v1/users', 'post')).toBe(true);
    expect(hasRoute(doc, '/admin/v1/audit')).toBe(false);
    expect(hasRoute(null, '/admin/v1/users', 'post')).toBe(false);
  });

  it('reads a query enum', () => {
    expect(queryEnumOf(doc, '/admin/v1/accounts', 'get', 'kind')).toEqual(['chatgpt', 'api_key', 'codex']);
  });

  it('lists body fields it has no editor for, typed', () => {
    expect(extraFieldsOf(doc, '/admin/v1/users', 'post', ['name'])).toEqual([
      { name: 'models', type: 'strings', nullable: true, required: true, enumValues: [], description: 'Models the user may use.' },
      { name: 'rpm', type: 'integer', nullable: false, required: false, enumValues: [], description: null },
      { name: 'tier', type: 'enum', nullable: false, required: false, enumValues: ['a', 'b'], description: null },
      { name: 'flags', type: 'json', nullable: false, required: false, enumValues: [], description: null },
    ]);
  });

  it('parses what is typed into body values', () => {
    expect(parseFieldInput({ type: 'strings', nullable: true }, 'gpt-4o, o3\n gpt-5 ')).toEqual({ value: ['gpt-4o', 'o3', 'gpt-5'] });
    expect(parseFieldInput({ type: 'strings', nullable: true }, '  ')).toEqual({ value: null });
    expect(parseFieldInput({ type: 'integer', nullable: false }, '')).toEqual({});
    expect(parseFieldInput({ type: 'integer', nullable: false }, '1.5').error).toMatch(/whole number/);
    expect(parseFieldInput({ type: 'json', nullable: false }, '{"a":1}')).toEqual({ value: { a: 1 } });
    expect(parseFieldInput({ type: 'json', nullable: false }, '{').error).toMatch(/JSON/);
  });
});
