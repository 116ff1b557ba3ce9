import { z } from 'zod';
import type { UsageKind } from '../usage/usage-event.schema.js';

/**
 * The OpenAI platform API paths a `platform` relay job may name, relative to an API key's base URL
 * (`https://api.openai.com/v1` + `/chat/completions`). The gateway builds them from its routes and
 * the worker refuses anything else, so a job can never reach another path of the key's account.
 */
export const platformPathSchema = z.enum([
  '/chat/completions',
  '/completions',
  '/embeddings',
  '/images/generations',
  '/audio/speech',
  '/models',
  '/responses',
  '/responses/compact',
  '/responses/input_tokens',
]);
export type PlatformRelayPath = z.infer<typeof platformPathSchema>;

/** What a request to each path is counted as in usage (the models listing and token counting are not counted). */
export const PLATFORM_USAGE_KIND = {
  '/chat/completions': 'chat',
  '/completions': 'completion',
  '/embeddings': 'embedding',
  '/images/generations': 'image',
  '/audio/speech': 'speech',
  '/models': null,
  '/responses': 'chat',
  '/responses/compact': 'chat',
  '/responses/input_tokens': null,
} as const satisfies Record<PlatformRelayPath, UsageKind | null>;

/**
 * A stored response on the key that made it: `GET`/`DELETE /responses/{id}`, `POST /responses/{id}/cancel`,
 * `GET /responses/{id}/input_items`. The worker sends it only to the key its records say holds the
 * response, and only for the caller who made it.
 */
export const STORED_RESPONSE_PATH = /^\/responses\/(?!compact$|input_tokens$)([A-Za-z0-9_-]{1,200})(\/cancel|\/input_items)?$/;

export type StoredResponseView = 'response' | 'cancel' | 'input_items';

/** The id and view a stored-response path names (and the methods each view takes), or null. */
export function storedResponsePathOf(method: string, path: string): { id: string; view: StoredResponseView; method: 'GET' | 'POST' | 'DELETE' } | null {
  const match = STORED_RESPONSE_PATH.exec(path);
  if (!match) return null;
  const view: StoredResponseView = match[2] === '/cancel' ? 'cancel' : match[2] === '/input_items' ? 'input_items' : 'response';
  const allowed = view === 'cancel' ? ['POST'] : view === 'input_items' ? ['GET'] : ['GET', 'DELETE'];
  if (!allowed.includes(method)) return null;
  return { id: match[1], view, method: method as 'GET' | 'POST' | 'DELETE' };
}
