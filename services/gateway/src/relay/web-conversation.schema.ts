import { z } from 'zod';

/**
 * What chatgate reads of a web-protocol conversation body: the model (limits and usage), the
 * conversation it continues (isolation) and the messages (a malformed list is refused here rather
 * than by the upstream). Every other field goes to the upstream as the client wrote it.
 */
export const webConversationSchema = z.looseObject({
  action: z.string().optional(),
  model: z.string().min(1).optional(),
  conversation_id: z.string().nullable().optional(),
  messages: z
    .array(
      z.looseObject({
        author: z.looseObject({ role: z.string() }),
        content: z.looseObject({ content_type: z.string() }),
      }),
    )
    .optional(),
});
export type WebConversation = z.infer<typeof webConversationSchema>;
