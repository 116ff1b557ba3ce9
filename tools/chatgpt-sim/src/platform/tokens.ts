// Deterministic token counts: not a real tokenizer, but the same text always costs the same, so a
// test can compute what the gateway must have recorded (platformTokens() is exported for that).

/** One token per started group of 4 characters; empty text costs nothing. */
export function platformTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
      .join('');
  }
  return '';
}

/** Chat prompt: 3 per message plus its text, plus 3 for the reply's priming (OpenAI's documented overhead). */
export function chatPromptTokens(messages: unknown[]): number {
  let total = 3;
  for (const m of messages) {
    const msg = (m ?? {}) as { content?: unknown; name?: unknown };
    total += 3 + platformTokens(textOf(msg.content)) + (typeof msg.name === 'string' ? 1 : 0);
  }
  return total;
}

export function lastUserText(messages: unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const msg = (messages[i] ?? {}) as { role?: unknown; content?: unknown };
    if (msg.role === 'user') return textOf(msg.content);
  }
  return '';
}
