import { z } from 'zod';
import { boundedArray, clientIdSchema, clientLabelSchema, modelNameSchema, textProblem } from '@chatgate/contracts';

/**
 * What chatgate reads of a web-protocol conversation body: the model (limits and usage), the
 * conversation it continues (isolation, looked up in the records) and the messages (a malformed
 * list is refused here rather than by the upstream). These are one-line values by the contracts'
 * rules (client-text.ts), and text parts are text (a turn is recorded, its first message as the
 * title); every other field goes to the upstream as the client wrote it.
 */
export const webConversationSchema = z.looseObject({
  action: clientLabelSchema.optional(),
  model: modelNameSchema.optional(),
  conversation_id: clientIdSchema.nullable().optional(),
  parent_message_id: clientIdSchema.nullable().optional(),
  // Bounded, and checked up to the first bad message: a hostile list costs little.
  messages: boundedArray(
      z.looseObject({
        author: z.looseObject({ role: clientLabelSchema }),
        content: z.looseObject({ content_type: clientLabelSchema, parts: z.array(z.unknown()).max(1024).optional() }).superRefine((content, ctx) => {
          // The first bad part only.
          const bad = content.parts?.findIndex((part) => typeof part === 'string' && textProblem(part) !== null) ?? -1;
          if (bad >= 0) ctx.addIssue({ code: 'custom', path: ['parts', bad], message: textProblem(content.parts![bad] as string)! });
        }),
      }),
      { max: 4096 },
    )
    .optional(),
});
export type WebConversation = z.infer<typeof webConversationSchema>;
