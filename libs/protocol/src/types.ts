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
  | { type: 'complete' }
  | { type: 'done' };

export type StreamEncoding = 'legacy' | 'v1';
