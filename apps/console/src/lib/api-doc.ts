/**
 * What the console learns from the admin API's own OpenAPI document (`GET /admin/v1/openapi.json`):
 * which routes exist (pages for routes other work adds, such as the audit log, appear with them),
 * the values an enum allows (account kinds, upstream kinds) and the fields a body takes beyond the
 * ones the console has its own editors for (limits and allow-lists added later get a plain input).
 */
export type JsonSchema = Record<string, unknown>;

export interface OpenApiDoc {
  paths?: Record<string, Record<string, { parameters?: Array<{ name: string; in: string; schema?: JsonSchema }>; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export type FieldType = 'boolean' | 'integer' | 'number' | 'string' | 'enum' | 'strings' | 'json';

/** A body field the console has no editor of its own for. */
export interface ExtraField {
  name: string;
  type: FieldType;
  nullable: boolean;
  required: boolean;
  enumValues: string[];
  description: string | null;
}

const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

export function hasRoute(doc: OpenApiDoc | null, path: string, method = 'get'): boolean {
  return Boolean(doc?.paths?.[path]?.[method]);
}

function resolve(doc: OpenApiDoc, schema: JsonSchema | undefined): JsonSchema | undefined {
  const ref = schema?.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) return doc.components?.schemas?.[ref.slice('#/components/schemas/'.length)];
  return schema;
}

/** The variants of a schema that are not `null`, and whether `null` is one of them. */
function variants(schema: JsonSchema): { options: JsonSchema[]; nullable: boolean } {
  const list = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(list)) {
    const options = list.filter((s) => s.type !== 'null');
    return { options, nullable: options.length < list.length };
  }
  if (Array.isArray(schema.type)) {
    const types = schema.type as string[];
    return { options: [{ ...schema, type: types.find((t) => t !== 'null') }], nullable: types.includes('null') };
  }
  return { options: [schema], nullable: false };
}

/** The values an enum schema (or a union of constants) allows. */
export function enumValuesOf(schema: JsonSchema | undefined): string[] {
  if (!schema) return [];
  if (Array.isArray(schema.enum)) return schema.enum.filter((v): v is string => typeof v === 'string');
  if (typeof schema.const === 'string') return [schema.const];
  const { options } = variants(schema);
  return options.length > 1 || options[0] !== schema ? options.flatMap(enumValuesOf) : [];
}

export function fieldTypeOf(schema: JsonSchema): { type: FieldType; nullable: boolean; enumValues: string[] } {
  const { options, nullable } = variants(schema);
  if (options.length !== 1) return { type: 'json', nullable, enumValues: [] };
  const [s] = options;
  const values = enumValuesOf(s);
  if (values.length) return { type: 'enum', nullable, enumValues: values };
  switch (s.type) {
    case 'boolean':
    case 'integer':
    case 'number':
    case 'string':
      return { type: s.type, nullable, enumValues: [] };
    case 'array':
      return { type: isObject(s.items) && (s.items as JsonSchema).type === 'string' ? 'strings' : 'json', nullable, enumValues: [] };
    default:
      return { type: 'json', nullable, enumValues: [] };
  }
}

/** The JSON body schema of an operation (its first variant when the body is a union). */
export function bodySchemaOf(doc: OpenApiDoc | null, path: string, method: string): JsonSchema | null {
  if (!doc) return null;
  const content = doc.paths?.[path]?.[method]?.requestBody?.content;
  const schema = resolve(doc, content?.['application/json']?.schema);
  if (!schema) return null;
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  return Array.isArray(union) ? (resolve(doc, union[0]) ?? null) : schema;
}

/** Body fields of an operation other than `known`, in the document's order. */
export function extraFieldsOf(doc: OpenApiDoc | null, path: string, method: string, known: readonly string[]): ExtraField[] {
  const schema = doc ? bodySchemaOf(doc, path, method) : null;
  const properties = isObject(schema?.properties) ? (schema!.properties as Record<string, JsonSchema>) : {};
  const required = new Set(Array.isArray(schema?.required) ? (schema!.required as string[]) : []);
  return Object.entries(properties)
    .filter(([name]) => !known.includes(name))
    .map(([name, raw]) => {
      const field = resolve(doc!, raw) ?? {};
      const description = typeof field.description === 'string' ? field.description : null;
      return { name, ...fieldTypeOf(field), required: required.has(name) && field.default === undefined, description };
    });
}

/** The allowed values of a query parameter (an enum), or `[]` when the document does not list them. */
export function queryEnumOf(doc: OpenApiDoc | null, path: string, method: string, name: string): string[] {
  const parameter = doc?.paths?.[path]?.[method]?.parameters?.find((p) => p.name === name && p.in === 'query');
  return enumValuesOf(parameter?.schema);
}

/** The allowed values of a property of a named component, e.g. `ModelRoute`'s upstream. */
export function propertyEnumOf(doc: OpenApiDoc | null, schemaName: string, property: string): string[] {
  const schema = doc?.components?.schemas?.[schemaName];
  const prop = isObject(schema?.properties) ? (schema!.properties as Record<string, JsonSchema>)[property] : undefined;
  return enumValuesOf(doc ? resolve(doc, prop) : undefined);
}

/** An input's text as the value a field takes; `undefined` leaves the field out of the body. */
export function parseFieldInput(field: Pick<ExtraField, 'type' | 'nullable'>, text: string): { value?: unknown; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return field.nullable ? { value: null } : {};
  switch (field.type) {
    case 'integer':
    case 'number': {
      const n = Number(trimmed);
      if (!Number.isFinite(n) || (field.type === 'integer' && !Number.isInteger(n))) return { error: `expects ${field.type === 'integer' ? 'a whole number' : 'a number'}` };
      return { value: n };
    }
    case 'strings':
      return { value: trimmed.split(/[\n,]/).map((s) => s.trim()).filter(Boolean) };
    case 'json':
      try {
        return { value: JSON.parse(trimmed) };
      } catch {
        return { error: 'expects JSON' };
      }
    case 'boolean':
      return { value: trimmed === 'true' };
    default:
      return { value: trimmed };
  }
}

/** A value as an input shows it (the reverse of parseFieldInput). */
export function formatFieldValue(field: Pick<ExtraField, 'type'>, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (field.type === 'strings' && Array.isArray(value)) return value.join(', ');
  if (field.type === 'json') return JSON.stringify(value);
  return String(value);
}
