import { z } from 'zod';
import { oneLine } from '../common/client-text.js';

export const OPENAI_PLATFORM_BASE_URL = 'https://api.openai.com/v1';

/** A base URL as stored: http(s), no query, fragment or credentials, no trailing slash. */
export const platformBaseUrlSchema = oneLine(z.string().trim().max(500))
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash && !url.username && !url.password;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without query, fragment or credentials, e.g. https://api.openai.com/v1')
  .transform((value) => value.replace(/\/+$/, ''));

/**
 * An API-key account's settings. Azure OpenAI: `api_style: azure` sends the key as `api-key` and
 * adds `api-version` when given; any other OpenAI-compatible server (vLLM, Ollama, a proxy) is
 * `openai` style with its own base URL.
 */
export const apiKeyFieldsSchema = z.object({
  base_url: platformBaseUrlSchema.default(OPENAI_PLATFORM_BASE_URL),
  name: oneLine(z.string().trim().min(1).max(200)).optional(),
  /** Model names or globs this key serves; absent: any model the routing table sends to the platform. */
  models: z.array(oneLine(z.string().trim().min(1).max(200))).max(500).optional(),
  organization: oneLine(z.string().trim().min(1).max(200)).optional(),
  api_style: z.enum(['openai', 'azure']).default('openai'),
  api_version: oneLine(z.string().trim().min(1).max(50)).optional(),
});
export type ApiKeyFields = z.infer<typeof apiKeyFieldsSchema>;

/** The key itself: printable, no whitespace (a pasted line break would end up in a header). */
export const apiKeySecretSchema = z
  .string()
  .trim()
  .min(8, 'is too short to be an API key')
  .max(1000)
  .regex(/^[\x21-\x7e]+$/, 'must be printable characters without spaces');

/** `POST /admin/v1/accounts/import` with `api_keys`: API-key accounts, one result each. */
export const apiKeyAccountInputSchema = apiKeyFieldsSchema.extend({ key: apiKeySecretSchema });
export type ApiKeyAccountInput = z.infer<typeof apiKeyAccountInputSchema>;
export const IMPORT_MAX_API_KEYS = 200;
