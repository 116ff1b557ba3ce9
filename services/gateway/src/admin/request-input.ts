import { z } from 'zod';
import { accountEntryKindSchema, apiKeyAccountInputSchema, IMPORT_MAX_API_KEYS, IMPORT_MAX_CHARS, IMPORT_MAX_LINES, type AccountEntryKind, type ApiKeyAccountInput } from '@chatgate/contracts';
import { ApiError } from '../shared/errors/api-error.js';

/**
 * A body or query checked against its contract schema; the first problem becomes a 400 naming
 * the field. zod's messages describe the expectation, never the value, so no token is echoed.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path.join('.') || null;
  throw ApiError.invalidRequest(param ? `Invalid '${param}': ${issue?.message}` : `Invalid request: ${issue?.message}`, param);
}

/** Pasted text into lines, numbered as an editor numbers them (LF, CRLF or CR). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

const tooLarge = (what: string) => ApiError.invalidRequest(`${what}; split the import into several requests.`, null, 'import_too_large');

/**
 * The lines of an import, from `{text}` or `{tokens: [...]}` (one element, one line). Bounded so
 * that one request stays well within a bus message.
 */
export function importLinesOf(body: unknown): string[] {
  const input = (body ?? {}) as { text?: unknown; tokens?: unknown; api_keys?: unknown };
  let lines: string[];
  if (typeof input.text === 'string') lines = splitLines(input.text);
  else if (Array.isArray(input.tokens) && input.tokens.every((t) => typeof t === 'string')) lines = input.tokens as string[];
  else if (input.api_keys !== undefined && input.text === undefined && input.tokens === undefined) lines = [];
  else throw ApiError.invalidRequest("Send 'text' (tokens one a line), 'tokens' (an array of tokens) or 'api_keys'.", 'text');
  if (lines.length > IMPORT_MAX_LINES) throw tooLarge(`At most ${IMPORT_MAX_LINES} lines per import`);
  if (lines.reduce((n, l) => n + l.length, 0) > IMPORT_MAX_CHARS) throw tooLarge(`At most ${IMPORT_MAX_CHARS} characters per import`);
  return lines;
}

const apiKeysSchema = z.object({ api_keys: z.array(apiKeyAccountInputSchema).min(1).max(IMPORT_MAX_API_KEYS).optional() });

/** The `api_keys` of an import (API-key accounts with their settings), validated here so a bad one is a 400 naming its field. */
export function importApiKeysOf(body: unknown): ApiKeyAccountInput[] | undefined {
  const input = (body ?? {}) as { api_keys?: unknown };
  if (input.api_keys === undefined) return undefined;
  return parseInput(apiKeysSchema, { api_keys: input.api_keys }).api_keys;
}

const kindSchema = z.object({ kind: accountEntryKindSchema.optional() });

/** What the bare tokens of an import are (`chatgpt` or `codex`), validated here so a wrong one is a 400 naming `kind`. */
export function importKindOf(body: unknown): AccountEntryKind | undefined {
  return parseInput(kindSchema, { kind: (body as { kind?: unknown } | null)?.kind }).kind;
}
