import { randomUUID } from 'node:crypto';
import type { ChatJob, ChatMessage } from '@chatgate/contracts';
import type { ResolvedModel } from '@chatgate/contracts';
import { messageText } from '../text/message-text.js';
import type { UploadedFile } from './chatgpt-files.client.js';

/**
 * OpenAI's reasoning_effort in the upstream's words (reference §3: standard, extended, max). The
 * upstream has no "no reasoning" and nothing above max, so `none` asks for its least and `xhigh` for its most.
 */
const THINKING_EFFORT: Record<NonNullable<ChatJob['reasoningEffort']>, string> = {
  none: 'standard',
  minimal: 'standard',
  low: 'standard',
  medium: 'extended',
  high: 'max',
  xhigh: 'max',
};

/** A sent message's content once its files are upstream: the text, and the files it points at. */
export interface MessageContent {
  text: string;
  files: UploadedFile[];
}

/**
 * The message as the upstream takes it (reference §2 and §4): plain text, or multimodal_text with
 * an image_asset_pointer per image before the text, and every file in metadata.attachments.
 */
function contentOf(message: MessageContent): { content: Record<string, unknown>; metadata: Record<string, unknown> } {
  if (message.files.length === 0) return { content: { content_type: 'text', parts: [message.text] }, metadata: {} };
  const pointers = message.files
    .filter((f) => f.image)
    .map((f) => ({ content_type: 'image_asset_pointer', asset_pointer: `file-service://${f.fileId}`, size_bytes: f.size, width: f.image!.width, height: f.image!.height }));
  const attachments = message.files.map((f) => ({
    id: f.fileId,
    size: f.size,
    name: f.name,
    mime_type: f.mimeType,
    ...(f.image ? { width: f.image.width, height: f.image.height } : {}),
  }));
  return { content: { content_type: pointers.length ? 'multimodal_text' : 'text', parts: [...pointers, message.text] }, metadata: { attachments } };
}

/** Which of a job's messages go upstream: all for a new conversation, the newest when continuing one. */
export function sentMessageIndexes(job: ChatJob): number[] {
  return job.conversationId !== undefined ? [job.messages.length - 1] : job.messages.map((_, i) => i);
}

function upstreamRole(role: ChatMessage['role']): 'system' | 'user' | 'assistant' {
  return role === 'developer' ? 'system' : role;
}

export interface ConversationRequestOptions {
  v1Encoding: boolean;
  /** Per message of the job: its text and uploaded files, when it carried images or files. */
  contents?: ReadonlyArray<MessageContent>;
}

/**
 * The body of `POST /backend-api/conversation` for a job. A new conversation carries the whole
 * OpenAI history as one `next` request; continuing an upstream conversation sends only the newest
 * message, as the upstream already holds the rest.
 */
export function buildConversationRequest(job: ChatJob, model: ResolvedModel, opts: ConversationRequestOptions): Record<string, unknown> {
  const continuing = job.conversationId !== undefined;
  const body: Record<string, unknown> = {
    action: 'next',
    messages: sentMessageIndexes(job).map((i) => {
      const m = job.messages[i];
      const { content, metadata } = contentOf(opts.contents?.[i] ?? { text: messageText(m), files: [] });
      return { id: randomUUID(), author: { role: upstreamRole(m.role) }, create_time: Date.now() / 1000, content, metadata };
    }),
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
