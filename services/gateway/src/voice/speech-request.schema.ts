import { z } from 'zod';

/** OpenAI's `POST /v1/audio/speech` body (unknown fields tolerated, as OpenAI's SDKs add new ones). */
export const speechRequestSchema = z.object({
  model: z.string().min(1),
  input: z.string().max(4096, 'must be at most 4096 characters'),
  /** A voice name, or OpenAI's custom voice reference `{id}`. */
  voice: z.union([z.string().min(1), z.object({ id: z.string().min(1) })]),
  response_format: z.string().optional(),
  speed: z.number().min(0.25, 'must be at least 0.25').max(4, 'must be at most 4').optional(),
  instructions: z.string().optional(),
  stream_format: z.enum(['sse', 'audio']).optional(),
});
export type SpeechRequest = z.infer<typeof speechRequestSchema>;
