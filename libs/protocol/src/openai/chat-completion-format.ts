import type { ChatFinishReason, ChatUsage, OpenAIError } from '@chatgate/contracts';

/**
 * OpenAI's chat completion objects, byte for byte in field order, so that clients that parse
 * strictly (or compare fixtures) see exactly what api.openai.com sends.
 */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

/**
 * chat2api's extra top-level fields when history is on: what a client sends back as
 * `conversation_id` and `parent_message_id` to continue the upstream conversation.
 */
export interface ConversationIds {
  conversationId: string | null;
  messageId: string | null;
}

/** The extra fields as a JSON fragment starting with a comma ('' when none is known). */
function idFields(ids: ConversationIds): string {
  let out = '';
  if (ids.conversationId) out += `,"conversation_id":${JSON.stringify(ids.conversationId)}`;
  if (ids.messageId) out += `,"message_id":${JSON.stringify(ids.messageId)}`;
  return out;
}

type OpenAIUsage = {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
};

export function toOpenAIUsage(usage: ChatUsage): OpenAIUsage {
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.total_tokens,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoning_tokens },
  };
}

export class ChunkEncoder {
  /** The prefix every chunk shares, serialised once per stream. */
  private readonly head: string;
  /** The ids fragment every chunk ends with, serialised once each time the ids change. */
  private ids = '';

  constructor(
    identity: CompletionIdentity,
    private readonly includeUsage: boolean,
  ) {
    this.head = `{"id":${JSON.stringify(identity.id)},"object":"chat.completion.chunk","created":${identity.created},"model":${JSON.stringify(identity.model)},"service_tier":"default","system_fingerprint":null,"choices":`;
  }

  private frame(choices: string, usage = ''): string {
    return `data: ${this.head}${choices}${this.includeUsage ? `,"usage":${usage || 'null'}` : ''}${this.ids}}\n\n`;
  }

  /** From now on every chunk carries these ids (history on only: the caller decides). */
  setIds(ids: ConversationIds): void {
    this.ids = idFields(ids);
  }

  role(): string {
    return this.frame('[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]');
  }

  delta(content: string | undefined, reasoning: string | undefined): string {
    const parts: string[] = [];
    if (reasoning) parts.push(`"reasoning_content":${JSON.stringify(reasoning)}`);
    if (content) parts.push(`"content":${JSON.stringify(content)}`);
    return this.frame(`[{"index":0,"delta":{${parts.join(',')}},"logprobs":null,"finish_reason":null}]`);
  }

  finish(reason: ChatFinishReason): string {
    return this.frame(`[{"index":0,"delta":{},"logprobs":null,"finish_reason":"${reason}"}]`);
  }

  /** The extra chunk of `stream_options.include_usage`: no choices, only usage. */
  usage(usage: OpenAIUsage): string {
    return this.frame('[]', JSON.stringify(usage));
  }

  static error(error: OpenAIError): string {
    return `data: ${JSON.stringify({ error })}\n\n`;
  }

  static readonly DONE = 'data: [DONE]\n\n';
}

export function completionObject(
  identity: CompletionIdentity,
  content: string,
  reasoning: string,
  finishReason: ChatFinishReason,
  usage: OpenAIUsage,
  ids?: ConversationIds,
) {
  const message: Record<string, unknown> = { role: 'assistant', content, refusal: null, annotations: [] };
  if (reasoning) message.reasoning_content = reasoning;
  const extra: { conversation_id?: string; message_id?: string } = {};
  if (ids?.conversationId) extra.conversation_id = ids.conversationId;
  if (ids?.messageId) extra.message_id = ids.messageId;
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    usage,
    service_tier: 'default',
    system_fingerprint: null,
    ...extra,
  };
}
