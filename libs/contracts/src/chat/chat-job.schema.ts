import { z } from 'zod';
import { upstreamCredentialSchema } from '../auth/auth.schemas.js';
import { reasoningEffortSchema } from '../responses/responses-request.schema.js';

/** A content part as OpenAI clients send it. Images and files are uploaded by the worker (reference §4). */
export const chatTextPartSchema = z.object({ type: z.literal('text'), text: z.string() });
/** `url`: https/http (fetched by the worker under the SSRF guard) or a `data:` URL with base64 bytes. */
export const chatImagePartSchema = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
/** `file_data`: a `data:` URL or bare base64, as OpenAI's SDK sends it. */
export const chatFilePartSchema = z.object({
  type: z.literal('file'),
  file: z.object({ file_data: z.string().min(1), filename: z.string().optional() }),
});
export const chatContentPartSchema = z.discriminatedUnion('type', [chatTextPartSchema, chatImagePartSchema, chatFilePartSchema]);
export type ChatContentPart = z.infer<typeof chatContentPartSchema>;

export const chatMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string(), z.array(chatContentPartSchema)]),
  name: z.string().optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const chatJobSchema = z.object({
  requestId: z.string(),
  /** The model as the client named it. */
  model: z.string(),
  /**
   * What the gateway's mapping table (ModelTable) resolved `model` to: the upstream slug (and GPT id)
   * its limits, allow-lists and budget counted, so the worker sends exactly that. Absent (a job from
   * an older gateway): the worker resolves `model` itself.
   */
  resolvedModel: z.object({ slug: z.string().min(1), gizmoId: z.string().nullable() }).optional(),
  messages: z.array(chatMessageSchema).min(1),
  stream: z.boolean(),
  maxTokens: z.number().int().positive().optional(),
  /** Chat's `stop`: the answer is cut before the first of these (not sent), finish_reason `stop`. */
  stop: z.array(z.string().min(1)).max(4).optional(),
  /** OpenAI's `reasoning_effort`, every value it accepts (the worker maps them onto the upstream's). */
  reasoningEffort: reasoningEffortSchema.optional(),
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
  /** Absolute prefix of the gateway's generated-file links (`https://host/<API_PREFIX>/v1/files/`); absent: files are not linked. */
  filesBaseUrl: z.string().url().optional(),
});
export type ChatJob = z.infer<typeof chatJobSchema>;
