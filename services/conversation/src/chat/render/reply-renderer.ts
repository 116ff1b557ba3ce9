import type { CitationSource, ToolTextKind, UpstreamEvent } from '@chatgate/protocol';
import { HISTORY_OFF_REASON, type FileLinks } from '../../shared/files/file-links.js';
import { InlineMarkers } from './inline-markers.js';
import { FENCE_CLOSE, browsingNote, codeFenceOpen, image, link, outputFenceOpen, pageQuote, unlinkedNote } from './markdown.js';
import { TextSink } from './text-sink.js';

/** How reasoning is also shown in `content` (REASONING_INLINE), for clients that show nothing else. */
export type ReasoningInline = 'none' | 'think_tags' | 'quote';

type TextEvent = Extract<UpstreamEvent, { type: 'text' }>;
type ImageEvent = Extract<UpstreamEvent, { type: 'image' }>;

/**
 * Renders a decoded reply for OpenAI clients: tool traffic (code and output, browsing, quotes,
 * images) becomes Markdown, citation markers become links, and reasoning is copied inline when
 * configured. It takes the decoder's events and returns events of the same kinds, so whoever
 * folds them only appends answer and reasoning text.
 *
 * Tool traffic of the reasoning (the `analysis` channel: code a thinking model runs while it
 * thinks, searches it makes) is rendered into the reasoning, as ChatGPT shows it inside the
 * thoughts; everything else into the answer. Blocks stand apart from the text around them by one
 * blank line, however the upstream spaced its messages.
 */
export class ReplyRenderer {
  private readonly sources = new Map<string, CitationSource>();
  private readonly markers: InlineMarkers;
  private readonly answer = new TextSink();
  private readonly thoughts = new TextSink();
  /** Inline reasoning is open in the answer (a <think> tag or a quote). */
  private thinking = false;
  private quoteLineStart = true;
  private out: UpstreamEvent[] = [];
  /** Asynchronous image tasks the stream ended before (their images come from the conversation). */
  private readonly pending: string[] = [];
  private readonly rendered = new Set<string>();

  constructor(
    private readonly links: FileLinks,
    private readonly inline: ReasoningInline = 'none',
  ) {
    this.markers = new InlineMarkers({
      citation: (marker) => this.citation(marker),
      sandbox: (path, messageId) => {
        const result = this.links.sandbox(path.startsWith('/') ? path : `/${path}`, messageId);
        return 'url' in result ? `(${result.url})` : ` ${unlinkedNote('file', result.unavailable)}`;
      },
    });
  }

  render(events: UpstreamEvent[]): UpstreamEvent[] {
    if (this.passThrough(events)) return events;
    this.out = [];
    for (const ev of events) {
      switch (ev.type) {
        case 'text':
          if (ev.channel === 'answer') this.answerText(ev);
          else this.reasoningText(ev.delta, ev.messageId);
          break;
        case 'tool_text':
          this.toolText(this.sinkOf(ev), ev.kind, ev.language, ev.delta, ev.messageId);
          break;
        case 'tool_done': {
          const sink = this.sinkOf(ev);
          if (sink.fence?.messageId === ev.messageId) this.closeFence(sink);
          break;
        }
        case 'browsing':
          this.block(this.sinkOf(ev), browsingNote(ev.note), ev.messageId);
          break;
        case 'quote':
          this.block(this.sinkOf(ev), pageQuote(ev.title, ev.url, ev.text), ev.messageId);
          break;
        case 'citation':
          this.sources.set(ev.source.marker, ev.source);
          break;
        case 'image':
          this.image(ev);
          break;
        case 'image_pending':
          this.pending.push(ev.messageId);
          break;
        case 'answer_finished':
        case 'moderation':
        case 'error':
        case 'handoff':
        case 'complete':
        case 'done':
          // The turn (or its answer) ends: nothing may stay held back or open.
          this.settle();
          this.out.push(ev);
          break;
        default:
          this.out.push(ev);
      }
    }
    return this.out;
  }

  /** Asynchronous image tasks still owed to the client. */
  get awaitingImages(): number {
    return this.pending.length;
  }

  /** Image pointers already shown (a late look at the conversation skips them). */
  get renderedImages(): ReadonlySet<string> {
    return this.rendered;
  }

  /**
   * Renders what came of the asynchronous image tasks after the stream: the images found, and a
   * note for each one that did not come (`historyOff`: upstream never keeps it).
   */
  renderLateImages(images: ImageEvent[], historyOff: boolean, waitedSec: number): UpstreamEvent[] {
    const out = this.render(images);
    const missing = this.pending.length - images.length;
    this.pending.length = 0;
    if (missing <= 0) return out;
    this.out = out;
    const why = historyOff ? HISTORY_OFF_REASON : `it was not ready within ${waitedSec} second${waitedSec === 1 ? '' : 's'}; it will appear in the ChatGPT conversation`;
    for (let i = 0; i < missing; i++) this.block(this.answer, unlinkedNote('image', why), '');
    return this.out;
  }

  /**
   * The hot path: nothing open or held, and only text without marker characters (or events that
   * need no rendering). The batch goes out as it came, only the spacing state is kept up to date.
   */
  private passThrough(events: UpstreamEvent[]): boolean {
    if (!this.answer.idle || !this.thoughts.idle || this.thinking || this.markers.holding) return false;
    for (const ev of events) {
      if (ev.type === 'text') {
        if (ev.channel === 'reasoning' ? this.inline !== 'none' : !this.markers.plain(ev.delta)) return false;
      } else if (ev.type !== 'conversation' && ev.type !== 'title' && ev.type !== 'limits' && ev.type !== 'answer_finished' && ev.type !== 'complete' && ev.type !== 'done') {
        return false;
      }
    }
    for (const ev of events) {
      if (ev.type !== 'text') continue;
      if (ev.channel === 'reasoning') this.thoughts.note(ev.delta);
      else if (ev.delta.length > 0) {
        this.markers.push(ev.delta, ev.messageId);
        this.answer.note(ev.delta);
      }
    }
    return true;
  }

  private sinkOf(ev: { reasoning?: true }): TextSink {
    return ev.reasoning ? this.thoughts : this.answer;
  }

  private answerText(ev: TextEvent): void {
    this.closeFence(this.answer);
    this.closeThinking();
    const text = this.answer.afterBlockText(this.markers.push(ev.delta, ev.messageId));
    this.emit(this.answer, text, ev.messageId);
  }

  /** Reasoning text from the upstream, or a block rendered into the reasoning. */
  private reasoningText(delta: string, messageId: string): void {
    this.closeFence(this.thoughts);
    this.emit(this.thoughts, this.thoughts.afterBlockText(delta), messageId);
  }

  private toolText(sink: TextSink, kind: ToolTextKind, language: string, delta: string, messageId: string): void {
    if (sink.fence !== null && sink.fence.messageId !== messageId) this.closeFence(sink);
    let text = delta;
    if (sink.fence === null) {
      this.beforeBlock(sink);
      sink.fence = { kind, messageId };
      text = sink.separator() + (kind === 'code' ? codeFenceOpen(language) : outputFenceOpen()) + delta;
    }
    this.emit(sink, text, messageId);
  }

  private block(sink: TextSink, markdown: string, messageId: string): void {
    this.closeFence(sink);
    this.beforeBlock(sink);
    this.emit(sink, sink.separator() + markdown, messageId);
    sink.afterBlock = true;
  }

  private image(ev: ImageEvent): void {
    if (this.rendered.has(ev.pointer)) return;
    this.rendered.add(ev.pointer);
    const result = this.links.image(ev.pointer, ev.messageId);
    this.block(this.answer, 'url' in result ? image(result.url) : unlinkedNote('image', result.unavailable), ev.messageId);
  }

  /** A block in the answer ends held-back text and inline reasoning first. */
  private beforeBlock(sink: TextSink): void {
    if (sink !== this.answer) return;
    this.flushMarkers();
    this.closeThinking();
  }

  private closeFence(sink: TextSink): void {
    if (sink.fence === null) return;
    const { messageId } = sink.fence;
    sink.fence = null;
    this.emit(sink, (sink.endsWithNewline ? '' : '\n') + FENCE_CLOSE, messageId);
    sink.afterBlock = true;
  }

  private closeThinking(): void {
    if (!this.thinking) return;
    this.thinking = false;
    const end = this.answer.endsWithNewline ? '' : '\n';
    this.emit(this.answer, this.inline === 'think_tags' ? `${end}</think>` : end, '');
    this.answer.afterBlock = true;
  }

  private flushMarkers(): void {
    const messageId = this.markers.pendingMessageId;
    this.emit(this.answer, this.markers.flush(), messageId);
  }

  private settle(): void {
    this.flushMarkers();
    this.closeFence(this.answer);
    this.closeFence(this.thoughts);
    this.closeThinking();
  }

  private emit(sink: TextSink, text: string, messageId: string): void {
    if (text.length === 0) return;
    sink.note(text);
    const channel = sink === this.answer ? 'answer' : 'reasoning';
    const last = this.out[this.out.length - 1];
    // Consecutive pieces of one batch on one channel go out as one event.
    if (last !== undefined && last.type === 'text' && last.channel === channel) this.out[this.out.length - 1] = { ...last, delta: last.delta + text };
    else this.out.push({ type: 'text', channel, delta: text, messageId });
    if (channel === 'reasoning' && this.inline !== 'none') this.copyInline(text, messageId);
  }

  /** REASONING_INLINE: reasoning also goes into the answer, in <think> tags or as a quote. */
  private copyInline(delta: string, messageId: string): void {
    this.closeFence(this.answer);
    this.flushMarkers();
    let text = '';
    if (!this.thinking) {
      this.thinking = true;
      this.quoteLineStart = true;
      this.answer.afterBlock = false;
      text = this.answer.separator() + (this.inline === 'think_tags' ? '<think>\n' : '');
    }
    if (this.inline === 'think_tags') text += delta;
    else {
      for (const ch of delta) {
        if (this.quoteLineStart) text += ch === '\n' ? '>' : '> ';
        text += ch;
        this.quoteLineStart = ch === '\n';
      }
    }
    this.emit(this.answer, text, messageId);
  }

  /** The links a citation marker stands for; '' when none is known (the marker is dropped). */
  private citation(marker: string): string {
    const found: CitationSource[] = [];
    if (marker.startsWith('\ue200')) {
      const [kind, ...refs] = marker.slice(1, -1).split('\ue202');
      if (kind === 'entity') return entityName(refs[0]);
      if (kind === 'cite' || kind === 'filecite') {
        for (const ref of refs) {
          const source = this.sources.get(ref);
          if (source && !found.some((f) => f.url === source.url)) found.push(source);
        }
      }
    }
    if (found.length === 0) {
      const whole = this.sources.get(marker);
      if (whole) found.push(whole);
    }
    return found.map((s) => link(s.title, s.url)).join(' ');
  }
}

/** `\ue200entity\ue202["place","Kraków",...]\ue201` shows as the entity's name. */
function entityName(json: string | undefined): string {
  try {
    const parsed: unknown = JSON.parse(json ?? '');
    return Array.isArray(parsed) && typeof parsed[1] === 'string' ? parsed[1] : '';
  } catch {
    return '';
  }
}
