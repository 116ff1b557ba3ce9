import { z } from 'zod';
import { clientLabelSchema, modelNameSchema, text } from '@chatgate/contracts';

/**
 * OpenAI's `POST /v1/audio/speech` body (unknown fields tolerated, as OpenAI's SDKs add new ones).
 * The model, voice and format are one-line names (they reach usage events and logs); the input and
 * instructions are text (see the contracts' client-text.ts).
 */
export const speechRequestSchema = z.object({
  model: modelNameSchema,
  input: text(z.string().max(4096, 'must be at most 4096 characters')),
  /** A voice name, or OpenAI's custom voice reference `{id}`. */
  voice: z.union([clientLabelSchema.min(1), z.object({ id: clientLabelSchema.min(1) })]),
  response_format: clientLabelSchema.optional(),
  speed: z.number().min(0.25, 'must be at least 0.25').max(4, 'must be at most 4').optional(),
  instructions: text(z.string()).optional(),
  stream_format: z.enum(['sse', 'audio']).optional(),
  user: clientLabelSchema.optional(),
});
export type SpeechRequest = z.infer<typeof speechRequestSchema>;
