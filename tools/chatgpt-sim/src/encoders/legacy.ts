// The legacy encoding: every event carries the whole message, parts[0] cumulative.
import { dataFrame, DONE_FRAME, jsonStringBody } from '../sse.js';
import { uuid } from '../ids.js';
import {
  answerChunk,
  answerEnd,
  meta,
  reasoningChunk,
  STREAM_ERROR_TEXT,
  type Encoder,
  type Frame,
  type Turn,
} from '../turn.js';
import {
  answerMetadata,
  message,
  moderationEvent,
  PLACEHOLDER,
  recapText,
  template,
  THOUGHT_SUMMARY,
} from './messages.js';
import type { Scenario } from '../scenarios.js';

export class LegacyEncoder implements Encoder {
  private readonly conversation: string;

  constructor(private readonly turn: Turn) {
    this.conversation = JSON.stringify(turn.conversationId);
  }

  private event(messageJson: string): string {
    return dataFrame(`{"message":${messageJson},"conversation_id":${this.conversation},"error":null}`);
  }

  *frames(): Iterator<Frame> {
    const t = this.turn;
    const startedAt = Date.now();
    if (t.reply.reasoning !== null) yield* this.reasoningFrames(startedAt);
    if (t.scenario) yield* this.scenarioFrames(t.scenario);

    // A scenario's answer grows its metadata (citations) as the text naming them arrives.
    const metadata = answerMetadata(t);
    const metadataAt = t.scenario?.answerMetadata;
    const answer = (parts: string, status: 'in_progress' | 'finished_successfully', extra?: object) =>
      message({
        id: t.answerId,
        role: 'assistant',
        content: { content_type: 'text', parts: [parts] },
        status,
        endTurn: status === 'finished_successfully' ? true : null,
        metadata: extra ? { ...metadata, ...extra } : metadata,
        createTime: t.createTime,
      });

    const live = template(answer(PLACEHOLDER, 'in_progress'), PLACEHOLDER);
    let text = '';
    let sent = 0;
    let moderated = false;
    let raw = '';
    for (const chunk of t.reply.chunks) {
      if (t.moderationAfter !== null && sent === t.moderationAfter) {
        moderated = true;
        break;
      }
      text += jsonStringBody(chunk);
      const grown = metadataAt?.get(sent);
      sent += 1;
      if (metadataAt) {
        raw += chunk;
        if (grown) Object.assign(metadata, grown);
        yield answerChunk(this.event(JSON.stringify(answer(raw, 'in_progress'))));
        continue;
      }
      yield answerChunk(this.event(`${live.head}${text}${live.tail}`));
    }
    if (t.moderationAfter !== null && !moderated) moderated = true;
    if (moderated) yield meta(dataFrame(JSON.stringify(moderationEvent(t))));

    const done = template(
      answer(PLACEHOLDER, 'finished_successfully', {
        is_complete: true,
        finish_details: moderated ? { type: 'interrupted' } : { type: 'stop', stop_tokens: [200002] },
      }),
      PLACEHOLDER,
    );
    yield answerEnd(this.event(`${done.head}${text}${done.tail}`), false);
    yield* this.closingFrames();
  }

  // Each tool message repeated whole after every change: text pieces, progress, then finished.
  private *scenarioFrames(scenario: Scenario): Generator<Frame> {
    for (const m of scenario.messages) {
      const msg = message(m.fields) as { content: { text?: string; parts?: unknown[] }; metadata: Record<string, unknown>; status: string; end_turn: boolean | null };
      const emit = () => meta(this.event(JSON.stringify(msg)));
      yield emit();
      for (const piece of m.textPieces ?? []) {
        msg.content.text = (msg.content.text ?? '') + piece;
        yield emit();
      }
      for (const progress of m.progress ?? []) {
        Object.assign(msg.metadata, progress);
        yield emit();
      }
      if (!m.close) continue;
      if (m.close.parts) msg.content.parts = [...(msg.content.parts ?? []), ...m.close.parts];
      if (m.close.metadata) Object.assign(msg.metadata, m.close.metadata);
      msg.status = 'finished_successfully';
      msg.end_turn = false;
      yield emit();
    }
  }

  private *reasoningFrames(startedAt: number): Generator<Frame> {
    const t = this.turn;
    const id = uuid();
    const analysisId = uuid();
    const thoughts = (content: string, finished: boolean) =>
      message({
        id,
        role: 'assistant',
        content: {
          content_type: 'thoughts',
          thoughts: [{ summary: THOUGHT_SUMMARY, content, chunks: [], finished }],
          source_analysis_msg_id: analysisId,
        },
        status: finished ? 'finished_successfully' : 'in_progress',
        endTurn: false,
        channel: 'analysis',
        metadata: { model_slug: t.modelSlug, reasoning_status: 'is_reasoning' },
        createTime: t.createTime,
      });
    const live = template(thoughts(PLACEHOLDER, false), PLACEHOLDER);
    let text = '';
    for (const chunk of t.reply.reasoningChunks) {
      text += jsonStringBody(chunk);
      yield reasoningChunk(this.event(`${live.head}${text}${live.tail}`));
    }
    const done = template(thoughts(PLACEHOLDER, true), PLACEHOLDER);
    yield meta(this.event(`${done.head}${text}${done.tail}`));
    const recap = message({
      id: uuid(),
      role: 'assistant',
      content: { content_type: 'reasoning_recap', content: recapText(startedAt) },
      status: 'finished_successfully',
      endTurn: false,
      channel: 'analysis',
      metadata: { model_slug: t.modelSlug, reasoning_status: 'reasoning_ended' },
      createTime: t.createTime,
    });
    yield meta(this.event(JSON.stringify(recap)));
  }

  private *closingFrames(): Generator<Frame> {
    const t = this.turn;
    if (t.newConversation) {
      yield meta(dataFrame(JSON.stringify({ type: 'title_generation', title: t.title, conversation_id: t.conversationId })));
    }
    yield meta(dataFrame(JSON.stringify({ type: 'message_stream_complete', conversation_id: t.conversationId })));
    yield meta(DONE_FRAME);
  }

  errorFrames(): string[] {
    return [
      dataFrame(`{"message":null,"conversation_id":${this.conversation},"error":${JSON.stringify(STREAM_ERROR_TEXT)}}`),
      DONE_FRAME,
    ];
  }
}
