import type { ChatMessage } from '@chatgate/contracts';

/** The text of a message: a string, or its text parts joined by newlines (images and files are not text). */
export function messageText(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .flatMap((p) => (p.type === 'text' ? [p.text] : []))
    .join('\n');
}
