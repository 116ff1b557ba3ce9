import { z } from 'zod';
import { upstreamCredentialSchema } from '../auth/auth.schemas.js';

/** A content part as OpenAI clients send it. Only text is translated by the foundation; other parts are refused upstream of here. */
export const chatContentPartSchema = z.object({ type: z.literal('text'), text: z.string() });

export const chatMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string(), z.array(chatContentPartSchema)]),
  name: z.string().optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const chatJobSchema = z.object({
  requestId: z.string(),
  /** The model as the client named it; the worker maps it to an upstream slug. */
  model: z.string(),
  messages: z.array(chatMessageSchema).min(1),
  stream: z.boolean(),
  maxTokens: z.number().int().positive().optional(),
  reasoningEffort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
  conversationId: z.string().optional(),
  parentMessageId: z.string().optional(),
  historyDisabled: z.boolean(),
  upstream: upstreamCredentialSchema,
  tenantId: z.string(),
  credentialId: z.string(),
  /** Who is asking, for usage events and limit slots (null for pool codes and raw tokens). */
  userId: z.string().nullable().default(null),
  userName: z.string().nullable().default(null),
  /** The user sees only their own conversations: a conversation id of another user's is refused. */
  isolatedSession: z.boolean().optional(),
});
export type ChatJob = z.infer<typeof chatJobSchema>;
