import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { invalidValue, missingParameter, notAnObject } from '@chatgate/contracts';
import { ApiError } from '../errors/api-error.js';

/** One header's value (the first when repeated), trimmed; undefined when absent or empty. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

/** `ChatGPT-Account-Id`: the Team workspace a credential is resolved with. */
export function workspaceOf(req: FastifyRequest): string | undefined {
  return headerValue(req.headers['chatgpt-account-id']);
}

/** `messages.0.content` → `messages[0].content`, as OpenAI names params. */
export function paramPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/**
 * A JSON object body checked against an OpenAI request schema. Anything but an object is a 400
 * `invalid_body`; the first problem found is a 400 naming the field: `missing_required_parameter`
 * when it is absent, else `invalid_value` with the schema's words.
 */
export function parseRequestBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw ApiError.fromBus(notAnObject());
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = paramPath(issue.path);
  throw ApiError.fromBus(valueAt(body, issue.path) === undefined ? missingParameter(param) : invalidValue(param, issue.message));
}
