// Everything an encoder needs to write one reply, decided once by the conversation route.
import type { ReplyPlan } from './reply.js';
import type { Plan } from './types.js';
import type { Scenario } from './scenarios.js';

export interface Turn {
  conversationId: string;
  /** No conversation_id in the request: upstream then also generates a title. */
  newConversation: boolean;
  /** The slug the client asked for. */
  model: string;
  /** What upstream reports it used (auto resolves to a concrete slug). */
  modelSlug: string;
  plan: Plan;
  /** The last user message, echoed back the way upstream stores it. */
  userMessage: Record<string, unknown>;
  parentMessageId: string;
  answerId: string;
  reply: ReplyPlan;
  /** Tool traffic before the answer ([[sim tool=...]]); its answer pieces are `reply.chunks`. */
  scenario: Scenario | null;
  /** Blocked by moderation after this many answer chunks; null when not. */
  moderationAfter: number | null;
  /** A stall / cut / stream_error is planned: every answer piece gets its own frame. */
  midStreamFailure: boolean;
  /** Seconds since the epoch, fractional, as upstream writes create_time. */
  createTime: number;
  title: string;
}

/** One SSE write. */
export interface Frame {
  data: string;
  /** A streamed piece of text (answer or reasoning): the delay directive spaces these out. */
  chunk: boolean;
  /** A piece of answer text: counts towards `after` for stall / cut / stream_error. */
  answer: boolean;
  /** A mid-stream failure due by now strikes before this frame is written. */
  gate: boolean;
  /** Completes the answer: a planned failure not yet struck strikes before it at the latest. */
  end: boolean;
}

export interface Encoder {
  frames(): Iterator<Frame>;
  /** The frames ending the stream with an upstream error (stream_error), given what was sent so far. */
  errorFrames(): string[];
}

export const STREAM_ERROR_TEXT =
  'Something went wrong while generating the response. If this issue persists please contact us through our help center at help.openai.com.';

export function meta(data: string): Frame {
  return { data, chunk: false, answer: false, gate: false, end: false };
}

export function reasoningChunk(data: string): Frame {
  return { data, chunk: true, answer: false, gate: false, end: false };
}

export function answerChunk(data: string): Frame {
  return { data, chunk: true, answer: true, gate: true, end: false };
}

/** The frame that completes the answer (it may carry the last piece of text). */
export function answerEnd(data: string, carriesText: boolean): Frame {
  return { data, chunk: carriesText, answer: carriesText, gate: true, end: true };
}
