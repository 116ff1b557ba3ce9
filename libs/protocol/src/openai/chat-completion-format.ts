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

/** `finish_reason` of a chat choice: the web backend's reasons plus `tool_calls` (Codex accounts). */
export type ChatCompletionFinishReason = ChatFinishReason | 'tool_calls';

/**
 * Token counts as the workers report them (a `ChatUsage` is one); `cached_tokens` only where the
 * upstream counts them (Codex).
 */
export type ChatUsageCounts = Pick<ChatUsage, 'prompt_tokens' | 'completion_tokens' | 'total_tokens' | 'reasoning_tokens'> & {
  cached_tokens?: number;
  estimated?: boolean;
};

export type OpenAIUsage = {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
};

export function toOpenAIUsage(usage: ChatUsageCounts): OpenAIUsage {
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.total_tokens,
    prompt_tokens_details: { cached_tokens: usage.cached_tokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoning_tokens },
  };
}

/** The start of one streamed tool call: OpenAI sends id, type and name once, with empty arguments. */
export interface ToolCallStart {
  /** Position of the call among this choice's tool calls (0, 1, …), the key later argument chunks use. */
  index: number;
  id: string;
  name: string;
  /** Arguments known at the start (a call that arrived whole); usually ''. */
  arguments?: string;
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

  /** One choice's chunk; `delta` is already a JSON object text. Choice 0 gives the bytes OpenAI sends for n=1. */
  private choice(index: number, delta: string, finishReason: ChatCompletionFinishReason | null = null): string {
    const finish = finishReason === null ? 'null' : `"${finishReason}"`;
    return this.frame(`[{"index":${index},"delta":${delta},"logprobs":null,"finish_reason":${finish}}]`);
  }

  /** From now on every chunk carries these ids (history on only: the caller decides). */
  setIds(ids: ConversationIds): void {
    this.ids = idFields(ids);
  }

  role(choice = 0): string {
    return this.choice(choice, '{"role":"assistant","content":"","refusal":null}');
  }

  delta(content: string | undefined, reasoning: string | undefined, choice = 0): string {
    const parts: string[] = [];
    if (reasoning) parts.push(`"reasoning_content":${JSON.stringify(reasoning)}`);
    if (content) parts.push(`"content":${JSON.stringify(content)}`);
    return this.choice(choice, `{${parts.join(',')}}`);
  }

  /** Refusal text (structured outputs): OpenAI streams it in `delta.refusal`, never in content. */
  refusal(text: string, choice = 0): string {
    return this.choice(choice, `{"refusal":${JSON.stringify(text)}}`);
  }

  /**
   * A tool call begins. When it is the first thing the choice says, OpenAI folds the role into the
   * same chunk with `content: null` (`withRole`); later calls carry only `tool_calls`.
   */
  toolCallStart(call: ToolCallStart, options: { choice?: number; withRole?: boolean } = {}): string {
    const toolCall = `[{"index":${call.index},"id":${JSON.stringify(call.id)},"type":"function","function":{"name":${JSON.stringify(call.name)},"arguments":${JSON.stringify(call.arguments ?? '')}}}]`;
    const delta = options.withRole ? `{"role":"assistant","content":null,"tool_calls":${toolCall},"refusal":null}` : `{"tool_calls":${toolCall}}`;
    return this.choice(options.choice ?? 0, delta);
  }

  /** More of a tool call's arguments, keyed by the call's index only (as OpenAI streams them). */
  toolCallArguments(index: number, args: string, choice = 0): string {
    return this.choice(choice, `{"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(args)}}}]}`);
  }

  finish(reason: ChatCompletionFinishReason, choice = 0): string {
    return this.choice(choice, '{}', reason);
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

/** A finished tool call of a non-streamed answer. */
export interface CompletedToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** One finished choice of a non-streamed answer. */
export interface CompletionChoice {
  /** null when the choice only called tools (as OpenAI answers). */
  content: string | null;
  reasoning?: string;
  refusal?: string | null;
  toolCalls?: CompletedToolCall[];
  finishReason: ChatCompletionFinishReason;
}

export function completionObject(
  identity: CompletionIdentity,
  content: string,
  reasoning: string,
  finishReason: ChatFinishReason,
  usage: OpenAIUsage,
  ids?: ConversationIds,
) {
  return chatCompletionObject(identity, [{ content, reasoning, finishReason }], usage, ids);
}

/** A `chat.completion` with one choice per entry (index = position), in OpenAI's field order. */
export function chatCompletionObject(identity: CompletionIdentity, choices: CompletionChoice[], usage: OpenAIUsage, ids?: ConversationIds) {
  const extra: { conversation_id?: string; message_id?: string } = {};
  if (ids?.conversationId) extra.conversation_id = ids.conversationId;
  if (ids?.messageId) extra.message_id = ids.messageId;
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: choices.map((choice, index) => ({ index, message: messageOf(choice), logprobs: null, finish_reason: choice.finishReason })),
    usage,
    service_tier: 'default',
    system_fingerprint: null,
    ...extra,
  };
}

function messageOf(choice: CompletionChoice): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: choice.content };
  if (choice.toolCalls?.length) {
    message.tool_calls = choice.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  }
  message.refusal = choice.refusal ?? null;
  message.annotations = [];
  if (choice.reasoning) message.reasoning_content = choice.reasoning;
  return message;
}
