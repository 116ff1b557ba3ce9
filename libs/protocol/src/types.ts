/** One server-sent event as dispatched by the SSE parser. */
export interface SseEvent {
  /** The `event:` field, or undefined when the event had none (plain `data:` lines). */
  event: string | undefined;
  /** All `data:` lines of the event joined with "\n". */
  data: string;
}

export type FinishReason = 'stop' | 'length' | 'interrupted';

export type TextChannel = 'answer' | 'reasoning';

/** How a message document is treated: only 'answer' and 'reasoning' ever produce text. */
export type MessageCategory = 'answer' | 'reasoning' | 'tool' | 'hidden' | 'user';

export interface LimitProgress {
  feature: string;
  remaining: number | null;
  resetAfter: string | null;
}

/** Normalized events decoded from the upstream reply stream, whatever its encoding. */
export type UpstreamEvent =
  | { type: 'conversation'; conversationId: string }
  | { type: 'text'; channel: TextChannel; delta: string; messageId: string }
  | { type: 'answer_finished'; messageId: string; reason: FinishReason }
  | { type: 'moderation'; blocked: boolean; message: string | null }
  | { type: 'title'; title: string }
  | { type: 'limits'; limits: LimitProgress[] }
  | { type: 'handoff' }
  | { type: 'error'; message: string; code: string | null }
  // Tool traffic (only with `{ tools: true }`): what the client may be shown of it, still unrendered.
  // `reasoning`: the tool ran as part of the reasoning (the `analysis` channel), not of the answer.
  | { type: 'tool_text'; kind: ToolTextKind; language: string; delta: string; messageId: string; reasoning?: true }
  | { type: 'tool_done'; kind: ToolTextKind; messageId: string; reasoning?: true }
  | { type: 'browsing'; note: string; messageId: string; reasoning?: true }
  | { type: 'quote'; title: string; url: string; text: string; messageId: string; reasoning?: true }
  | { type: 'citation'; source: CitationSource }
  | { type: 'image'; pointer: string; width: number | null; height: number | null; messageId: string }
  /** An image generated asynchronously: the stream ends before it exists (it then appears in the conversation). */
  | { type: 'image_pending'; messageId: string }
  | { type: 'complete' }
  | { type: 'done' };

export type StreamEncoding = 'legacy' | 'v1';

/** Streamed tool text: code the model runs, and what running it printed. */
export type ToolTextKind = 'code' | 'output';

/**
 * Where a citation marker in the answer points. `marker` is the exact text of the marker in the
 * answer (`【11†source】`, or the private-use `\ue200cite\ue202turn0search0\ue201`), or for
 * search results the reference key (`turn0search0`) that such markers name.
 */
export interface CitationSource {
  marker: string;
  title: string;
  url: string;
}

export interface DecoderOptions {
  /** Emit tool traffic (code, output, browsing, quotes, citations, images) as events; off: dropped. */
  tools?: boolean;
}
