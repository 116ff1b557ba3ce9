import { z } from 'zod';
import { upstreamKindSchema } from './upstream-kind.js';

/**
 * One rule of a tenant's routing table: models whose name matches the glob (`*` any run of
 * characters, `?` one character, case-insensitive) go to that upstream. First match wins.
 */
export const modelRouteSchema = z.object({
  model: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9*?._:/@+-]+$/, 'a model name or glob: letters, digits, . _ : / @ + - and the wildcards * ?'),
  upstream: upstreamKindSchema,
});
export type ModelRoute = z.infer<typeof modelRouteSchema>;

export const MAX_MODEL_ROUTES = 100;
export const modelRoutesSchema = z.array(modelRouteSchema).max(MAX_MODEL_ROUTES);

/**
 * What a tenant that never set a routing table gets: the model families only the platform API
 * serves (the ChatGPT backend has no embeddings, images, transcription or legacy completions), so
 * routing them costs nothing for tenants without API keys — their requests fail with "no usable
 * account" instead of being mapped to a ChatGPT model that answers something else. Every other
 * model, `gpt-3.5-turbo` included, stays on ChatGPT until a tenant says otherwise. Speech models
 * (`tts-*`) too: ChatGPT accounts speak through the voice service; a tenant routes `tts-*` to its
 * API keys with one rule.
 */
export const DEFAULT_MODEL_ROUTES: readonly ModelRoute[] = Object.freeze([
  { model: 'text-embedding-*', upstream: 'platform' },
  { model: 'dall-e-*', upstream: 'platform' },
  { model: 'gpt-image-*', upstream: 'platform' },
  { model: 'whisper-*', upstream: 'platform' },
  { model: '*-instruct*', upstream: 'platform' },
  { model: 'davinci-002', upstream: 'platform' },
  { model: 'babbage-002', upstream: 'platform' },
]);
