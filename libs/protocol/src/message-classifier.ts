import { isRecord } from './document-patcher.js';
import type { MessageCategory } from './types.js';

/**
 * Decides what a message document is to the client (reference §3, "What the client
 * should show"). Only 'answer' and 'reasoning' produce text; everything else is
 * protocol traffic the client never sees.
 *
 * - answer: assistant, recipient 'all'/absent, content 'text'/'multimodal_text', not
 *   visually hidden, not a thinking preamble, channel 'final' or null/absent.
 * - reasoning: assistant 'thoughts' and 'reasoning_recap' content, and assistant text
 *   addressed to all on the 'analysis'/'commentary' channels or marked as a preamble.
 * - tool: tool-role messages, and anything the assistant addresses to a tool
 *   (python, web.run, bio, image tools) or code it runs.
 * - hidden: system messages, visually hidden messages, anything unrecognised.
 * - user: the echo of the user's own message.
 */
export function classifyMessage(message: unknown): MessageCategory {
  if (!isRecord(message)) return 'hidden';
  const author = message.author;
  const role = isRecord(author) ? author.role : undefined;
  if (role === 'user') return 'user';
  if (role === 'tool') return 'tool';
  if (role !== 'assistant') return 'hidden';

  const metadata = isRecord(message.metadata) ? message.metadata : undefined;
  if (metadata !== undefined && metadata.is_visually_hidden_from_conversation === true) return 'hidden';
  const recipient = message.recipient;
  if (recipient !== undefined && recipient !== null && recipient !== 'all') return 'tool';

  const content = message.content;
  const contentType = isRecord(content) ? content.content_type : undefined;
  switch (contentType) {
    case 'thoughts':
    case 'reasoning_recap':
      return 'reasoning';
    case 'text':
    case 'multimodal_text': {
      const channel = message.channel;
      if (channel === 'analysis' || channel === 'commentary') return 'reasoning';
      if (metadata !== undefined && metadata.is_thinking_preamble_message === true) return 'reasoning';
      if (channel === undefined || channel === null || channel === 'final') return 'answer';
      return 'hidden';
    }
    case 'code':
    case 'execution_output':
      return 'tool';
    default:
      return 'hidden';
  }
}
