import { z } from 'zod';
import { boundedArray, clientIdSchema, clientLabelSchema, modelNameSchema, reasoningEffortSchema, textProblem } from '@chatgate/contracts';

/** Far more than a conversation holds; checked before any message, so a hostile list costs nothing. */
export const MAX_MESSAGES = 4096;
/** Content parts of one message (text, images, files). */
export const MAX_CONTENT_PARTS = 1024;

/**
 * OpenAI's chat completion request, as much of it as chatgate reads. Unknown fields are tolerated
 * (clients send many); fields the ChatGPT upstream cannot honour are refused in `toChatJob`, not ignored.
 * Strings that reach records, usage events or logs use the contracts' pieces: the model, ids and
 * labels are one line; message content is text (line breaks pass, NUL does not: see client-text.ts).
 */
const contentPartSchema = z.looseObject({ type: z.string() });

const messageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z
    .union([z.string(), boundedArray(contentPartSchema, { max: MAX_CONTENT_PARTS }), z.null()])
    .optional()
    // Checked after the union, so the 400 says what is wrong with the text (parts are checked in content-parts.ts).
    .superRefine((content, ctx) => {
      const problem = typeof content === 'string' ? textProblem(content) : null;
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  name: clientLabelSchema.optional(),
});

const positiveInt = z.number().int().positive();

export const chatCompletionRequestSchema = z.looseObject({
  model: modelNameSchema,
  messages: boundedArray(messageSchema, { min: 1, max: MAX_MESSAGES }),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: positiveInt.nullish(),
  max_completion_tokens: positiveInt.nullish(),
  n: positiveInt.nullish(),
  tools: z.array(z.unknown()).nullish(),
  functions: z.array(z.unknown()).nullish(),
  response_format: z.looseObject({ type: z.string() }).nullish(),
  reasoning_effort: reasoningEffortSchema.nullish(),
  /** Up to 4 sequences; the answer is cut before the first one met (the worker does it, as for max_tokens). */
  stop: z
    .union([z.string(), z.array(z.string()).max(4, 'at most 4 stop sequences')])
    .nullish()
    .superRefine((stop, ctx) => {
      for (const s of typeof stop === 'string' ? [stop] : (stop ?? [])) {
        const problem = textProblem(s);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }
    }),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  /** OpenAI's end-user id: not used by the ChatGPT upstream, but never a vehicle for control characters. */
  user: clientLabelSchema.nullish(),
  // chatgate / chat2api / ChatGPT-Mirror extensions
  conversation_id: clientIdSchema.nullish(),
  parent_message_id: clientIdSchema.nullish(),
  hatd: z.boolean().nullish(),
  history_disabled: z.boolean().nullish(),
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
