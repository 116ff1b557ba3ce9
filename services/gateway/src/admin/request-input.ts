import type { z } from 'zod';
import { IMPORT_MAX_CHARS, IMPORT_MAX_LINES } from '@chatgate/contracts';
import { ApiError } from '../errors/api-error.js';

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
  const input = (body ?? {}) as { text?: unknown; tokens?: unknown };
  let lines: string[];
  if (typeof input.text === 'string') lines = splitLines(input.text);
  else if (Array.isArray(input.tokens) && input.tokens.every((t) => typeof t === 'string')) lines = input.tokens as string[];
  else throw ApiError.invalidRequest("Send 'text' (tokens one a line) or 'tokens' (an array of tokens).", 'text');
  if (lines.length > IMPORT_MAX_LINES) throw tooLarge(`At most ${IMPORT_MAX_LINES} lines per import`);
  if (lines.reduce((n, l) => n + l.length, 0) > IMPORT_MAX_CHARS) throw tooLarge(`At most ${IMPORT_MAX_CHARS} characters per import`);
  return lines;
}
