import { createHash } from 'node:crypto';
import type { ChatMessage } from '@chatgate/contracts';

type Role = 'system' | 'user' | 'assistant';

/** One message as the comparison sees it: the upstream's role and the text, whitespace-normalised. */
export interface NormalisedMessage {
  role: Role;
  text: string;
}

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  // Non-text parts (images, files) are compared by what they are, not dropped: two histories that
  // differ only in an attachment are different conversations.
  return content.map((part) => (part.type === 'text' ? part.text : JSON.stringify(part))).join('\n');
}

/**
 * Clients echo a history back with small differences (CRLF, a trailing newline trimmed by the UI),
 * so line endings are unified and the ends trimmed. `developer` is how newer clients say `system`;
 * the upstream knows only `system`. A system prompt is part of the history: a conversation started
 * under one system prompt is not continued under another.
 */
export function normaliseMessage(message: Pick<ChatMessage, 'role' | 'content'>): NormalisedMessage {
  return {
    role: message.role === 'developer' ? 'system' : message.role,
    text: textOf(message.content).replace(/\r\n?/g, '\n').trim(),
  };
}

/** A stable digest of a message history (order, roles and texts), for finding the conversation it continues. */
export function historyHash(messages: ReadonlyArray<Pick<ChatMessage, 'role' | 'content'>>): string {
  const hash = createHash('sha256');
  for (const m of messages) {
    const { role, text } = normaliseMessage(m);
    // Length-prefixed, so no choice of texts can make two different histories collide.
    hash.update(`${role}\n${Buffer.byteLength(text)}\n${text}\n`);
  }
  return hash.digest('base64url');
}

/** The hash a finished turn leaves: what was sent, then the answer as the client received it. */
export function answeredHistoryHash(sent: ReadonlyArray<Pick<ChatMessage, 'role' | 'content'>>, answer: string): string {
  return historyHash([...sent, { role: 'assistant', content: answer }]);
}

/** The hash a request continues: everything before its newest message. Null when there is nothing before it. */
export function priorHistoryHash(messages: ReadonlyArray<Pick<ChatMessage, 'role' | 'content'>>): string | null {
  if (messages.length < 2) return null;
  return historyHash(messages.slice(0, -1));
}
