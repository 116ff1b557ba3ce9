import { z } from 'zod';

/**
 * The OpenAI platform API paths a `platform` relay job may name, relative to an API key's base URL
 * (`https://api.openai.com/v1` + `/chat/completions`). The gateway builds them from its routes and
 * the worker refuses anything else, so a job can never reach another path of the key's account.
 */
export const platformPathSchema = z.enum(['/chat/completions', '/completions', '/embeddings', '/images/generations', '/audio/speech', '/models']);
export type PlatformRelayPath = z.infer<typeof platformPathSchema>;
