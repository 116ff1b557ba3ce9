import { z } from 'zod';

/**
 * OpenAI's Responses API create request (`POST /v1/responses`, reference upstream-codex.md §6.2), as
 * much of it as chatgate reads. Unknown fields are tolerated everywhere (clients and SDKs add new
 * ones monthly); what an upstream cannot honour is refused by the translation for that upstream
 * (`@chatgate/protocol`), not here. Content parts are checked there too, where the 400 can name the
 * part precisely.
 */

/** Every `reasoning.effort` OpenAI accepts in 2026 (`none` and `xhigh` included: some models take them). */
export const reasoningEffortSchema = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);
export type ReasoningEffort = z.infer<typeof reasoningEffortSchema>;

const roleSchema = z.enum(['user', 'assistant', 'system', 'developer']);
const contentPartSchema = z.looseObject({ type: z.string() });
const contentSchema = z.union([z.string(), z.array(contentPartSchema)]);

/** A message; `type` may be left out (the SDKs' "easy input message"). */
export const responsesMessageItemSchema = z.looseObject({
  type: z.literal('message').optional(),
  id: z.string().optional(),
  role: roleSchema,
  content: contentSchema,
  status: z.string().optional(),
});

export const responsesFunctionCallItemSchema = z.looseObject({
  type: z.literal('function_call'),
  id: z.string().optional(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  status: z.string().optional(),
});

export const responsesFunctionCallOutputItemSchema = z.looseObject({
  type: z.literal('function_call_output'),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  output: contentSchema,
  status: z.string().nullish(),
});

export const responsesReasoningItemSchema = z.looseObject({
  type: z.literal('reasoning'),
  id: z.string().optional(),
  summary: z.array(z.looseObject({ type: z.string(), text: z.string() })),
  encrypted_content: z.string().nullish(),
});

/** A reference to an item of a stored response, resolved by whoever holds the store. */
export const responsesItemReferenceSchema = z.looseObject({ type: z.literal('item_reference'), id: z.string().min(1) });

const itemSchemaByType: Record<string, z.ZodType | undefined> = {
  message: responsesMessageItemSchema,
  function_call: responsesFunctionCallItemSchema,
  function_call_output: responsesFunctionCallOutputItemSchema,
  reasoning: responsesReasoningItemSchema,
  item_reference: responsesItemReferenceSchema,
};

/**
 * One input item. A known `type` (or none: a message) is checked by its own schema, so a 400 names the
 * field that is wrong; any other type (custom_tool_call, web_search_call, compaction…) is left for
 * the upstreams that know it.
 */
export const responsesInputItemSchema = z.looseObject({ type: z.string().optional() }).superRefine((item, ctx) => {
  const schema = itemSchemaByType[item.type ?? 'message'];
  if (!schema) return;
  const checked = schema.safeParse(item);
  if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
});
export type ResponsesInputItem = z.infer<typeof responsesInputItemSchema>;

export const responsesTextFormatSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    name: z.string().min(1).max(64),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
    description: z.string().nullish(),
  }),
]);
export type ResponsesTextFormat = z.infer<typeof responsesTextFormatSchema>;

/** OpenAI's limits on `metadata`: 16 pairs, keys up to 64 characters, values up to 512. */
const metadataSchema = z.record(z.string().max(64), z.string().max(512)).refine((value) => Object.keys(value).length <= 16, 'at most 16 key-value pairs');

export const responsesCreateRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(responsesInputItemSchema)]).optional(),
  instructions: z.string().nullish(),
  tools: z.array(z.looseObject({ type: z.string() })).nullish(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.string() })]).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  max_tool_calls: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
  text: z
    .looseObject({
      format: responsesTextFormatSchema.nullish(),
      verbosity: z.enum(['low', 'medium', 'high']).nullish(),
    })
    .nullish(),
  reasoning: z
    .looseObject({
      effort: reasoningEffortSchema.nullish(),
      summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
    })
    .nullish(),
  store: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({}).nullish(),
  include: z.array(z.string()).nullish(),
  previous_response_id: z.string().min(1).nullish(),
  metadata: metadataSchema.nullish(),
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  service_tier: z.string().nullish(),
  background: z.boolean().nullish(),
  /** The Conversations API (an id or `{id}`): state chatgate does not hold. */
  conversation: z.union([z.string(), z.looseObject({ id: z.string() })]).nullish(),
  /** A prompt template stored on the platform. */
  prompt: z.looseObject({ id: z.string() }).nullish(),
  prompt_cache_key: z.string().nullish(),
  prompt_cache_retention: z.string().nullish(),
  /** Codex CLI's installation metadata. */
  client_metadata: z.record(z.string(), z.unknown()).nullish(),
});
export type ResponsesCreateRequest = z.infer<typeof responsesCreateRequestSchema>;
