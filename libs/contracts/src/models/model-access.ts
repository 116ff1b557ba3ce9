import { z } from 'zod';
import type { BusError } from '../common/openai-error.js';
import { limitFailure } from '../failures/limit-failures.js';
import { modelMatches } from '../routing/route-model.js';

/** One pattern of an allow-list: a model name or a glob (`*` any run, `?` one character, case-insensitive), as routing tables write them. */
export const modelPatternSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9*?._:/@+-]+$/, 'a model name or glob: letters, digits, . _ : / @ + - and the wildcards * ?');

export const MODEL_ALLOW_LIST_MAX = 100;
/** The models a user or key may use; null (or absent) allows every model. An empty list allows none. */
export const modelAllowListSchema = z.array(modelPatternSchema).max(MODEL_ALLOW_LIST_MAX);

/** An allow-list as the principal carries it: whose it is and its patterns. */
export const principalAllowListSchema = z.object({ scope: z.enum(['user', 'key']), patterns: modelAllowListSchema });
export type PrincipalAllowList = z.infer<typeof principalAllowListSchema>;

/** A key's request and token rate limits: requests and tokens (prompt + completion) per minute; null: none. */
export const keyRateLimitSchema = z.object({
  rpm: z.number().int().positive().max(10_000_000).nullable(),
  tpm: z.number().int().positive().max(1_000_000_000).nullable(),
});
export type KeyRateLimit = z.infer<typeof keyRateLimitSchema>;

/**
 * Whether every allow-list that applies (the user's, the key's) lets the model through. `model` is
 * the model the request really reaches (the mapping table's slug for a chat on a ChatGPT account, the
 * name otherwise), so a name that only looks allowed gets nothing it is not allowed.
 */
export function modelAllowed(lists: readonly PrincipalAllowList[] | undefined, model: string): PrincipalAllowList | null {
  for (const list of lists ?? []) if (!list.patterns.some((p) => modelMatches(p, model))) return list;
  return null;
}

/** 403 naming the model (and the upstream model it reached, when that differs) and whose list refused it. */
export function modelNotAllowed(requested: string, reached: string, refusedBy: PrincipalAllowList['scope']): BusError {
  const reaches = reached.toLowerCase() === requested.toLowerCase() ? '' : ` (it reaches '${reached}')`;
  return limitFailure('model_not_allowed', `The model '${requested}'${reaches} is not allowed for this ${refusedBy === 'key' ? 'API key' : 'user'}. Ask an administrator to add it to the ${refusedBy}'s allowed_models.`, {
    param: 'model',
  });
}
