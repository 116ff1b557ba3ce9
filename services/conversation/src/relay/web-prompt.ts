import type { ChatMessage } from '@chatgate/contracts';

/**
 * The messages of a web-protocol conversation body as chat messages, for counting prompt tokens
 * (text parts only; image pointers and other objects are not text). Unknown roles count as user.
 */
export function promptMessagesOf(body: unknown): ChatMessage[] {
  const messages = (body as { messages?: unknown })?.messages;
  if (!Array.isArray(messages)) return [];
  const out: ChatMessage[] = [];
  for (const m of messages) {
    const role = (m as { author?: { role?: unknown } })?.author?.role;
    const parts = (m as { content?: { parts?: unknown } })?.content?.parts;
    const text = Array.isArray(parts) ? parts.filter((p): p is string => typeof p === 'string').join('\n') : '';
    out.push({ role: role === 'system' || role === 'assistant' ? role : 'user', content: text });
  }
  return out;
}
