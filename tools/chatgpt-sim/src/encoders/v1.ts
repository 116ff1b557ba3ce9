// The "v1" delta encoding: documents added with a counter `c`, then patched by JSON-pointer
// operations with a sticky cursor. The stream deliberately carries what a decoder must filter
// (hidden system doc, reasoning, a preamble, a memory tool call and its result) and the protocol's
// shortcuts (bare {"v"} appends, an explicit path now and then, a doc without p:"", the last
// text inside the closing patch).
import { dataFrame, DONE_FRAME, eventFrame } from '../sse.js';
import { uuid, randomB64url } from '../ids.js';
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
import { answerMetadata, message, moderationEvent, recapText, THOUGHT_SUMMARY } from './messages.js';
import type { Scenario } from '../scenarios.js';

const PARTS_PATH = '/message/content/parts/0';
// An explicit-path append every this many chunks: decoders must accept both forms.
const EXPLICIT_EVERY = 10;

export class V1Encoder implements Encoder {
  private counter = 0;

  constructor(private readonly turn: Turn) {}

  private delta(op: unknown): Frame {
    return meta(eventFrame('delta', JSON.stringify(op)));
  }

  private typed(event: Record<string, unknown>): Frame {
    return meta(dataFrame(JSON.stringify(event)));
  }

  /** A new document; `bare` omits p/o, which upstream does for some later documents. */
  private addDocument(msg: Record<string, unknown> | null, bare = false): Frame {
    const v = { message: msg, conversation_id: this.turn.conversationId, error: null, error_code: null };
    const c = this.counter++;
    return this.delta(bare ? { v, c } : { p: '', o: 'add', v, c });
  }

  *frames(): Iterator<Frame> {
    const t = this.turn;
    const startedAt = Date.now();
    yield meta(eventFrame('delta_encoding', '"v1"'));
    yield this.typed({
      type: 'resume_conversation_token',
      kind: 'topic',
      token: `rct_${randomB64url(32)}`,
      conversation_id: t.conversationId,
    });
    yield this.addDocument(
      message({
        id: uuid(),
        role: 'system',
        content: { content_type: 'text', parts: [''] },
        status: 'finished_successfully',
        endTurn: true,
        metadata: { is_visually_hidden_from_conversation: true },
      }),
    );
    yield this.typed({ type: 'input_message', input_message: t.userMessage, conversation_id: t.conversationId });
    yield this.typed({
      type: 'server_ste_metadata',
      metadata: {
        plan_type: t.plan,
        model_slug: t.modelSlug,
        tool_name: null,
        tool_invoked: false,
        turn_use_case: 'text',
        is_first_turn: t.newConversation,
        did_auto_switch_to_reasoning: false,
        message_id: t.answerId,
        request_id: uuid(),
      },
      conversation_id: t.conversationId,
    });

    if (t.reply.reasoning !== null) yield* this.reasoningFrames(startedAt);
    yield* this.toolFrames();
    if (t.scenario) yield* this.scenarioFrames(t.scenario);
    yield* this.answerFrames();

    if (t.newConversation) {
      yield this.typed({ type: 'title_generation', title: t.title, conversation_id: t.conversationId });
    }
    yield this.typed({
      type: 'conversation_detail_metadata',
      banner_info: null,
      blocked_features: [],
      model_limits: [],
      limits_progress: [
        { feature_name: 'deep_research', remaining: 25, reset_after: new Date(Date.now() + 30 * 86400_000).toISOString() },
      ],
      default_model_slug: t.modelSlug,
      conversation_id: t.conversationId,
    });
    yield this.typed({ type: 'message_stream_complete', conversation_id: t.conversationId });
    yield meta(DONE_FRAME);
  }

  private *reasoningFrames(startedAt: number): Generator<Frame> {
    const t = this.turn;
    yield this.addDocument(
      message({
        id: uuid(),
        role: 'assistant',
        content: { content_type: 'thoughts', thoughts: [], source_analysis_msg_id: uuid() },
        status: 'in_progress',
        endTurn: null,
        channel: 'analysis',
        metadata: { model_slug: t.modelSlug, reasoning_status: 'is_reasoning' },
        createTime: t.createTime,
      }),
    );
    yield this.typed({
      type: 'message_marker',
      conversation_id: t.conversationId,
      message_id: t.answerId,
      marker: 'cot_token',
      event: 'first',
    });
    // Upstream appends to the thoughts array with a one-element array value.
    yield this.delta({
      p: '/message/content/thoughts',
      o: 'append',
      v: [{ summary: THOUGHT_SUMMARY, content: '', chunks: [], finished: false }],
    });
    for (let i = 0; i < t.reply.reasoningChunks.length; i++) {
      const v = t.reply.reasoningChunks[i];
      const op = i === 0 ? { p: '/message/content/thoughts/0/content', o: 'append', v } : { v };
      yield reasoningChunk(eventFrame('delta', JSON.stringify(op)));
    }
    yield this.delta({
      p: '',
      o: 'patch',
      v: [
        { p: '/message/content/thoughts/0/finished', o: 'replace', v: true },
        { p: '/message/status', o: 'replace', v: 'finished_successfully' },
        { p: '/message/end_turn', o: 'replace', v: false },
        { p: '/message/metadata', o: 'append', v: { reasoning_status: 'reasoning_ended' } },
      ],
    });
    yield this.addDocument(
      message({
        id: uuid(),
        role: 'assistant',
        content: { content_type: 'reasoning_recap', content: recapText(startedAt) },
        status: 'finished_successfully',
        endTurn: false,
        channel: 'analysis',
        metadata: { model_slug: t.modelSlug, reasoning_status: 'reasoning_ended' },
        createTime: t.createTime,
      }),
      true,
    );
  }

  // Text a decoder must not mistake for the answer: a commentary preamble (recipient all), a
  // call to a tool, and the tool's text result.
  private *toolFrames(): Generator<Frame> {
    const t = this.turn;
    yield this.addDocument(
      message({
        id: uuid(),
        role: 'assistant',
        content: { content_type: 'text', parts: [''] },
        status: 'in_progress',
        endTurn: null,
        channel: 'commentary',
        metadata: { model_slug: t.modelSlug, is_thinking_preamble_message: true },
        createTime: t.createTime,
      }),
    );
    yield this.delta({ p: PARTS_PATH, o: 'append', v: 'Let me check ' });
    yield this.delta({ v: 'a source first.' });
    yield this.delta({
      p: '',
      o: 'patch',
      v: [
        { p: '/message/status', o: 'replace', v: 'finished_successfully' },
        { p: '/message/end_turn', o: 'replace', v: false },
      ],
    });
    // A memory write: tool traffic that clients are never shown (unlike code, search and images,
    // which the [[sim tool=...]] scenarios stream).
    yield this.addDocument(
      message({
        id: uuid(),
        role: 'assistant',
        content: { content_type: 'text', parts: ['The user is testing a simulator.'] },
        status: 'finished_successfully',
        endTurn: false,
        recipient: 'bio',
        channel: 'commentary',
        metadata: { model_slug: t.modelSlug },
        createTime: t.createTime,
      }),
    );
    yield this.addDocument(
      message({
        id: uuid(),
        role: 'tool',
        name: 'bio',
        content: { content_type: 'text', parts: ['Model set context updated.'] },
        status: 'finished_successfully',
        endTurn: null,
        channel: 'commentary',
        metadata: { model_slug: t.modelSlug },
        createTime: t.createTime,
      }),
    );
  }

  // Each tool message: added, its text appended piece by piece, progress merged into its metadata,
  // then one patch finishing it (with image parts appended, as upstream delivers a finished image).
  private *scenarioFrames(scenario: Scenario): Generator<Frame> {
    for (const m of scenario.messages) {
      yield this.addDocument(message(m.fields));
      const pieces = m.textPieces ?? [];
      for (let i = 0; i < pieces.length; i++) {
        yield this.delta(i === 0 ? { p: '/message/content/text', o: 'append', v: pieces[i] } : { v: pieces[i] });
      }
      for (const progress of m.progress ?? []) yield this.delta({ p: '/message/metadata', o: 'append', v: progress });
      if (!m.close) continue;
      const ops: unknown[] = [];
      if (m.close.parts) ops.push({ p: '/message/content/parts', o: 'append', v: m.close.parts });
      ops.push({ p: '/message/status', o: 'replace', v: 'finished_successfully' }, { p: '/message/end_turn', o: 'replace', v: false });
      if (m.close.metadata) ops.push({ p: '/message/metadata', o: 'append', v: m.close.metadata });
      yield this.delta({ p: '', o: 'patch', v: ops });
    }
  }

  private *answerFrames(): Generator<Frame> {
    const t = this.turn;
    yield this.addDocument(
      message({
        id: t.answerId,
        role: 'assistant',
        content: { content_type: 'text', parts: [''] },
        status: 'in_progress',
        endTurn: null,
        channel: 'final',
        metadata: answerMetadata(t),
        createTime: t.createTime,
      }),
    );
    yield this.typed({
      type: 'message_marker',
      conversation_id: t.conversationId,
      message_id: t.answerId,
      marker: 'user_visible_token',
      event: 'first',
    });
    const chunks = t.reply.chunks;
    const moderationAfter = t.moderationAfter;
    // The last piece rides in the closing patch, as upstream does, unless moderation cuts first
    // or a mid-stream failure needs every piece to be its own countable frame.
    const lastInPatch = moderationAfter === null && !t.midStreamFailure && chunks.length > 0;
    const streamed =
      moderationAfter !== null ? Math.min(moderationAfter, chunks.length) : chunks.length - (lastInPatch ? 1 : 0);
    // A scenario's citations grow the metadata in the same patch as the text naming them.
    const metadataAt = t.scenario?.answerMetadata;
    let explicit = false;
    for (let i = 0; i < streamed; i++) {
      const grown = metadataAt?.get(i);
      let op: unknown;
      if (grown) op = { p: '', o: 'patch', v: [{ p: PARTS_PATH, o: 'append', v: chunks[i] }, { p: '/message/metadata', o: 'append', v: grown }] };
      else op = i % EXPLICIT_EVERY === 0 || explicit ? { p: PARTS_PATH, o: 'append', v: chunks[i] } : { v: chunks[i] };
      // After a patch the sticky cursor is the patch's: the next append must name its path.
      explicit = grown !== undefined;
      yield answerChunk(eventFrame('delta', JSON.stringify(op)));
    }
    const ops: unknown[] = [];
    const last = lastInPatch ? chunks[chunks.length - 1] : undefined;
    if (last !== undefined) ops.push({ p: PARTS_PATH, o: 'append', v: last });
    const lastGrown = last !== undefined ? metadataAt?.get(chunks.length - 1) : undefined;
    if (lastGrown) ops.push({ p: '/message/metadata', o: 'append', v: lastGrown });
    if (moderationAfter !== null) yield this.typed(moderationEvent(t));
    ops.push(
      { p: '/message/status', o: 'replace', v: 'finished_successfully' },
      { p: '/message/end_turn', o: 'replace', v: true },
      {
        p: '/message/metadata',
        o: 'append',
        v: {
          is_complete: true,
          finish_details: moderationAfter !== null ? { type: 'interrupted' } : { type: 'stop', stop_tokens: [200002] },
        },
      },
    );
    yield answerEnd(eventFrame('delta', JSON.stringify({ p: '', o: 'patch', v: ops })), last !== undefined);
    yield this.typed({
      type: 'message_marker',
      conversation_id: t.conversationId,
      message_id: t.answerId,
      marker: 'last_token',
      event: 'last',
    });
  }

  errorFrames(): string[] {
    const v = {
      message: null,
      conversation_id: this.turn.conversationId,
      error: STREAM_ERROR_TEXT,
      error_code: this.turn.reply.directives.errorCode ?? 'internal_error',
    };
    return [eventFrame('delta', JSON.stringify({ p: '', o: 'add', v, c: this.counter++ })), DONE_FRAME];
  }
}
