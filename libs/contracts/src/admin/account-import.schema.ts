import { z } from 'zod';
import { apiKeyAccountInputSchema, IMPORT_MAX_API_KEYS } from './api-key-account.schema.js';

/** Bounds one import so that its request stays well under the bus's 1 MB message limit. */
export const IMPORT_MAX_LINES = 500;
export const IMPORT_MAX_CHARS = 768 * 1024;

/**
 * What a bare token of an import is: a ChatGPT web login's (default) or a Codex login's (a refresh
 * token issued to Codex's client looks like a web one, `rt_…`, so only this tells them apart). A
 * pasted `codex login` auth file (JSON) and a Codex access token (`at-…`) are Codex logins either
 * way; `sk-…` lines are API keys.
 */
export const accountEntryKindSchema = z.enum(['chatgpt', 'codex']);
export type AccountEntryKind = z.infer<typeof accountEntryKindSchema>;

/**
 * `POST /admin/v1/accounts/import`: tokens one a line, as text or as an array (one element, one
 * entry). Blank lines are ignored and `#` lines are comments. A line `sk-… [base URL]` is an API
 * key (base URL default `https://api.openai.com/v1`); a JSON object (a `codex login` auth file,
 * over as many lines as it takes) is one Codex login; `kind` says what bare tokens are; `api_keys`
 * gives API keys with all their settings (results numbered after the lines, in order).
 */
export const importAccountsBodySchema = z.union([
  z.object({ text: z.string().max(IMPORT_MAX_CHARS), kind: accountEntryKindSchema.optional(), api_keys: z.array(apiKeyAccountInputSchema).max(IMPORT_MAX_API_KEYS).optional() }),
  z.object({ tokens: z.array(z.string()).max(IMPORT_MAX_LINES), kind: accountEntryKindSchema.optional(), api_keys: z.array(apiKeyAccountInputSchema).max(IMPORT_MAX_API_KEYS).optional() }),
  z.object({ api_keys: z.array(apiKeyAccountInputSchema).min(1).max(IMPORT_MAX_API_KEYS) }),
]);
export type ImportAccountsBody = z.infer<typeof importAccountsBodySchema>;

export const importLineStatusSchema = z.enum(['created', 'updated', 'skipped', 'error']);

export const importLineResultSchema = z.object({
  /** 1-based line number in the text (an auth file's first line), or position in the array. Blank lines get no result. */
  line: z.number().int().min(1),
  status: importLineStatusSchema,
  accountId: z.string().optional(),
  email: z.string().nullable().optional(),
  /** For `skipped`: a comment line, or a token already given on an earlier line. */
  reason: z.enum(['comment', 'duplicate']).optional(),
  /** For `error`: why, in words; never the token (at most its masked hint). */
  error: z.string().optional(),
});
export type ImportLineResult = z.infer<typeof importLineResultSchema>;

export const importAccountsResultSchema = z.object({
  results: z.array(importLineResultSchema),
  counts: z.object({ created: z.number().int(), updated: z.number().int(), skipped: z.number().int(), error: z.number().int() }),
  /** Usable accounts of the tenant after the import. */
  usableCount: z.number().int(),
});
export type ImportAccountsResult = z.infer<typeof importAccountsResultSchema>;
