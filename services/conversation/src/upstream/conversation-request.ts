import { randomUUID } from 'node:crypto';
import type { ChatJob, ChatMessage } from '@chatgate/contracts';
import type { ResolvedModel } from '../models/model-table.js';

/** OpenAI's reasoning_effort in the upstream's words (reference §3). */
const THINKING_EFFORT: Record<NonNullable<ChatJob['reasoningEffort']>, string> = {
  minimal: 'standard',
  low: 'standard',
  medium: 'extended',
  high: 'max',
};

function textOf(message: ChatMessage): string {
  return typeof message.content === 'string' ? message.content : message.content.map((p) => p.text).join('\n');
}

function upstreamRole(role: ChatMessage['role']): 'system' | 'user' | 'assistant' {
  return role === 'developer' ? 'system' : role;
}

export interface ConversationRequestOptions {
  v1Encoding: boolean;
}

/**
 * The body of `POST /backend-api/conversation` for a job. A new conversation carries the whole
 * OpenAI history as one `next` request; continuing an upstream conversation sends only the newest
 * message, as the upstream already holds the rest.
 */
export function buildConversationRequest(job: ChatJob, model: ResolvedModel, opts: ConversationRequestOptions): Record<string, unknown> {
  const continuing = job.conversationId !== undefined;
  const history = continuing ? job.messages.slice(-1) : job.messages;
  const body: Record<string, unknown> = {
    action: 'next',
    messages: history.map((m) => ({
      id: randomUUID(),
      author: { role: upstreamRole(m.role) },
      create_time: Date.now() / 1000,
      content: { content_type: 'text', parts: [textOf(m)] },
      metadata: {},
    })),
    parent_message_id: job.parentMessageId ?? 'client-created-root',
    model: model.slug,
    timezone_offset_min: 0,
    timezone: 'UTC',
    history_and_training_disabled: job.historyDisabled,
    conversation_mode: model.gizmoId ? { kind: 'gizmo_interaction', gizmo_id: model.gizmoId } : { kind: 'primary_assistant' },
    force_use_sse: true,
    system_hints: [],
    suggestions: [],
  };
  if (continuing) body.conversation_id = job.conversationId;
  if (opts.v1Encoding) body.supported_encodings = ['v1'];
  if (job.reasoningEffort) body.thinking_effort = THINKING_EFFORT[job.reasoningEffort];
  return body;
}
