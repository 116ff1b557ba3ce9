// Message objects in upstream's shape, shared by both encodings.
import type { Turn } from '../turn.js';

export interface MessageFields {
  id: string;
  role: 'assistant' | 'system' | 'tool' | 'user';
  name?: string | null;
  content: Record<string, unknown>;
  status: 'in_progress' | 'finished_successfully';
  endTurn: boolean | null;
  recipient?: string;
  channel?: string | null;
  metadata?: Record<string, unknown>;
  createTime?: number | null;
}

export function message(f: MessageFields): Record<string, unknown> {
  return {
    id: f.id,
    author: { role: f.role, name: f.name ?? null, metadata: {} },
    create_time: f.createTime ?? null,
    update_time: null,
    content: f.content,
    status: f.status,
    end_turn: f.endTurn,
    weight: 1.0,
    metadata: f.metadata ?? {},
    recipient: f.recipient ?? 'all',
    channel: f.channel ?? null,
  };
}

export function answerMetadata(t: Turn): Record<string, unknown> {
  return {
    citations: [],
    content_references: [],
    message_type: 'next',
    model_slug: t.modelSlug,
    default_model_slug: t.model,
    parent_id: t.userMessage.id,
    model_switcher_deny: [],
  };
}

export function moderationEvent(t: Turn): Record<string, unknown> {
  return {
    type: 'moderation',
    moderation_response: {
      flagged: true,
      blocked: true,
      moderation_id: `modr-${t.answerId.replace(/-/g, '').slice(0, 24)}`,
    },
    message_id: t.answerId,
    conversation_id: t.conversationId,
    is_completion: true,
  };
}

export function recapText(startedAt: number): string {
  const seconds = Math.max(1, Math.round((Date.now() - startedAt) / 1000));
  return `Thought for ${seconds} second${seconds === 1 ? '' : 's'}`;
}

export const THOUGHT_SUMMARY = 'Working out the reply';

/**
 * Serialises `value` once with a placeholder string and splits around it, so a message whose
 * only changing part is one string costs a concatenation per frame instead of a stringify.
 */
export function template(value: unknown, placeholder: string): { head: string; tail: string } {
  const json = JSON.stringify(value);
  const quoted = JSON.stringify(placeholder);
  const at = json.indexOf(quoted);
  if (at < 0) throw new Error('placeholder not found in template');
  return { head: json.slice(0, at + 1), tail: json.slice(at + quoted.length - 1) };
}

export const PLACEHOLDER = '\u0000sim-placeholder\u0000';
