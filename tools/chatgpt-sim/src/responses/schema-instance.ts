// A minimal, deterministic instance of a JSON Schema: what the simulated model answers for
// `text.format: json_schema` and passes as a function call's arguments. Strings carry the seed
// (the prompt), so an answer visibly depends on the request; every property is filled (strict
// structured output requires all of them). Covers what SDK helpers generate (zod → JSON Schema:
// $ref/$defs, anyOf with null for optional, enums, formats, bounds); `pattern` is not honoured.
type Schema = Record<string, unknown>;

const MAX_DEPTH = 12;

const FORMATS: Record<string, string> = {
  'date-time': '2024-01-01T00:00:00Z',
  date: '2024-01-01',
  time: '00:00:00Z',
  email: 'user@example.com',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  uuid: '00000000-0000-4000-8000-000000000000',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  hostname: 'example.com',
};

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function resolveRef(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#')) return {};
  let node: unknown = root;
  for (const key of ref.slice(1).split('/').filter(Boolean)) {
    node = isSchema(node) ? node[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return isSchema(node) ? node : {};
}

function typeOf(schema: Schema): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return (type.find((t) => t !== 'null') ?? type[0]) as string | undefined;
  if (isSchema(schema.properties)) return 'object';
  if (schema.items !== undefined || Array.isArray(schema.prefixItems)) return 'array';
  return undefined;
}

function numberFor(schema: Schema, integer: boolean): number {
  const num = (key: string) => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined);
  const step = integer ? 1 : 0.5;
  const low = num('minimum') ?? (num('exclusiveMinimum') !== undefined ? num('exclusiveMinimum')! + step : undefined);
  const high = num('maximum') ?? (num('exclusiveMaximum') !== undefined ? num('exclusiveMaximum')! - step : undefined);
  let value = 1;
  if (low !== undefined && value < low) value = low;
  if (high !== undefined && value > high) value = high;
  if (integer) value = Math.ceil(value);
  const multiple = num('multipleOf');
  if (multiple !== undefined && multiple > 0) value = Math.ceil(value / multiple) * multiple;
  return value;
}

function stringFor(schema: Schema, seed: string): string {
  if (typeof schema.format === 'string' && FORMATS[schema.format]) return FORMATS[schema.format];
  let text = seed === '' ? 'alpha' : seed;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
  while (Array.from(text).length < min) text += ` ${seed || 'alpha'}`;
  if (max !== undefined) text = Array.from(text).slice(0, max).join('');
  return text;
}

function instance(schema: Schema, root: Schema, seed: string, depth: number): unknown {
  if (depth > MAX_DEPTH) return null;
  if (typeof schema.$ref === 'string') return instance({ ...resolveRef(root, schema.$ref), ...without(schema, '$ref') }, root, seed, depth + 1);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = Array.isArray(schema[key]) ? (schema[key] as unknown[]).filter(isSchema) : [];
    if (branches.length > 0) {
      // Optional fields come as anyOf [X, null]: answer X, the more telling choice.
      const pick = branches.find((b) => b.type !== 'null') ?? branches[0];
      return instance({ ...without(schema, key), ...pick }, root, seed, depth + 1);
    }
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const merged: Schema = without(schema, 'allOf');
    for (const part of schema.allOf.filter(isSchema)) {
      const resolved = typeof part.$ref === 'string' ? resolveRef(root, part.$ref) : part;
      Object.assign(merged, resolved, { properties: { ...(merged.properties as Schema), ...(resolved.properties as Schema) } });
    }
    return instance(merged, root, seed, depth + 1);
  }
  switch (typeOf(schema)) {
    case 'object': {
      const properties = isSchema(schema.properties) ? schema.properties : {};
      const out: Record<string, unknown> = {};
      for (const [name, sub] of Object.entries(properties)) out[name] = instance(isSchema(sub) ? sub : {}, root, seed, depth + 1);
      return out;
    }
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : Number.POSITIVE_INFINITY;
      const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems.filter(isSchema) : [];
      const count = Math.min(Math.max(min, 1, prefix.length), max);
      const items = isSchema(schema.items) ? schema.items : {};
      return Array.from({ length: count }, (_, i) => instance(prefix[i] ?? items, root, seed, depth + 1));
    }
    case 'string':
      return stringFor(schema, seed);
    case 'integer':
      return numberFor(schema, true);
    case 'number':
      return numberFor(schema, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return stringFor(schema, seed);
  }
}

function without(schema: Schema, key: string): Schema {
  const copy = { ...schema };
  delete copy[key];
  return copy;
}

/** A value valid under `schema` (within the limits above), strings seeded by `seed`. */
export function schemaInstance(schema: unknown, seed: string): unknown {
  const root = isSchema(schema) ? schema : {};
  return instance(root, root, seed, 0);
}
