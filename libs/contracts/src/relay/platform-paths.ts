import { z } from 'zod';
import type { UsageKind } from '../usage/usage-event.schema.js';

/**
 * The OpenAI platform API paths a `platform` relay job may name, relative to an API key's base URL
 * (`https://api.openai.com/v1` + `/chat/completions`). The gateway builds them from its routes and
 * the worker refuses anything else, so a job can never reach another path of the key's account.
 */
export const platformPathSchema = z.enum(['/chat/completions', '/completions', '/embeddings', '/images/generations', '/audio/speech', '/models']);
export type PlatformRelayPath = z.infer<typeof platformPathSchema>;

/** What a request to each path is counted as in usage (the models listing is not counted). */
export const PLATFORM_USAGE_KIND = {
  '/chat/completions': 'chat',
  '/completions': 'completion',
  '/embeddings': 'embedding',
  '/images/generations': 'image',
  '/audio/speech': 'speech',
  '/models': null,
} as const satisfies Record<PlatformRelayPath, UsageKind | null>;
