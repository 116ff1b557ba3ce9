import type { CitationSource, ToolTextKind, UpstreamEvent } from '@chatgate/protocol';
import type { FileLinks } from './file-links.js';
import { InlineMarkers } from './inline-markers.js';
import { FENCE_CLOSE, HISTORY_OFF_REASON, browsingNote, codeFenceOpen, image, link, outputFenceOpen, pageQuote, unlinkedNote } from './markdown.js';

/** How reasoning is also shown in `content` (REASONING_INLINE), for clients that show nothing else. */
export type ReasoningInline = 'none' | 'think_tags' | 'quote';

type TextEvent = Extract<UpstreamEvent, { type: 'text' }>;

/**
 * Renders a decoded reply for OpenAI clients: tool traffic (code and output, browsing, quotes,
 * images) becomes Markdown in the answer's text, citation markers become links, and reasoning is
 * copied inline when configured. It takes the decoder's events and returns events of the same
 * kinds, so whoever folds them only appends answer and reasoning text.
 *
 * Blocks stand apart from the text around them by one blank line, however the upstream spaced
 * its messages.
 */
export class ReplyRenderer {
  private readonly sources = new Map<string, CitationSource>();
  private readonly markers: InlineMarkers;
  /** The fence being streamed into, if any. */
  private fence: { kind: ToolTextKind; messageId: string } | null = null;
  /** Inline reasoning is open (a <think> tag or a quote). */
  private thinking = false;
  private quoteLineStart = true;
  /** The last two characters of content emitted (for spacing). */
  private tail = '';
  private emitted = false;
  /** A block just ended: the next answer text drops its leading newlines and gets one blank line. */
  private afterBlock = false;
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
          else this.reasoningText(ev);
          break;
        case 'tool_text':
          this.toolText(ev.kind, ev.language, ev.delta, ev.messageId);
          break;
        case 'tool_done':
          if (this.fence?.messageId === ev.messageId) this.closeFence();
          break;
        case 'browsing':
          this.block(browsingNote(ev.note), ev.messageId);
          break;
        case 'quote':
          this.block(pageQuote(ev.title, ev.url, ev.text), ev.messageId);
          break;
        case 'citation':
          this.sources.set(ev.source.marker, ev.source);
          break;
        case 'image': {
          if (this.rendered.has(ev.pointer)) break;
          this.rendered.add(ev.pointer);
          const result = this.links.image(ev.pointer, ev.messageId);
          this.block('url' in result ? image(result.url) : unlinkedNote('image', result.unavailable), ev.messageId);
          break;
        }
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
  renderLateImages(images: Array<Extract<UpstreamEvent, { type: 'image' }>>, historyOff: boolean, waitedSec: number): UpstreamEvent[] {
    const out = this.render(images);
    const missing = this.pending.length - images.length;
    this.pending.length = 0;
    if (missing <= 0) return out;
    this.out = out;
    const why = historyOff ? HISTORY_OFF_REASON : `it was not ready within ${waitedSec} second${waitedSec === 1 ? '' : 's'}; it will appear in the ChatGPT conversation`;
    for (let i = 0; i < missing; i++) this.block(unlinkedNote('image', why), '');
    return this.out;
  }

  /**
   * The hot path: nothing open or held, and only text without marker characters (or events that
   * need no rendering). The batch goes out as it came, only the spacing state is kept up to date.
   */
  private passThrough(events: UpstreamEvent[]): boolean {
    if (this.fence !== null || this.thinking || this.afterBlock || this.markers.holding) return false;
    for (const ev of events) {
      if (ev.type === 'text') {
        if (ev.channel === 'reasoning' ? this.inline !== 'none' : !this.markers.plain(ev.delta)) return false;
      } else if (ev.type !== 'conversation' && ev.type !== 'title' && ev.type !== 'limits' && ev.type !== 'answer_finished' && ev.type !== 'complete' && ev.type !== 'done') {
        return false;
      }
    }
    for (const ev of events) {
      if (ev.type === 'text' && ev.channel === 'answer' && ev.delta.length > 0) {
        this.markers.push(ev.delta, ev.messageId);
        this.noteContent(ev.delta);
      }
    }
    return true;
  }

  private answerText(ev: TextEvent): void {
    this.closeFence();
    this.closeThinking();
    let text = this.markers.push(ev.delta, ev.messageId);
    if (this.afterBlock) {
      text = text.replace(/^\n+/, '');
      if (text.length === 0) return;
      text = this.separator() + text;
      this.afterBlock = false;
    }
    this.content(text, ev.messageId);
  }

  private reasoningText(ev: TextEvent): void {
    this.out.push(ev);
    if (this.inline === 'none' || ev.delta.length === 0) return;
    this.closeFence();
    this.flushMarkers();
    let text = '';
    if (!this.thinking) {
      this.thinking = true;
      this.quoteLineStart = true;
      text = this.separator() + (this.inline === 'think_tags' ? '<think>\n' : '');
    }
    if (this.inline === 'think_tags') text += ev.delta;
    else {
      for (const ch of ev.delta) {
        if (this.quoteLineStart) text += ch === '\n' ? '>' : '> ';
        text += ch;
        this.quoteLineStart = ch === '\n';
      }
    }
    this.content(text, ev.messageId);
  }

  private toolText(kind: ToolTextKind, language: string, delta: string, messageId: string): void {
    if (this.fence !== null && this.fence.messageId !== messageId) this.closeFence();
    let text = delta;
    if (this.fence === null) {
      this.flushMarkers();
      this.closeThinking();
      this.fence = { kind, messageId };
      text = this.separator() + (kind === 'code' ? codeFenceOpen(language) : outputFenceOpen()) + delta;
    }
    this.content(text, messageId);
  }

  private block(markdown: string, messageId: string): void {
    this.closeFence();
    this.flushMarkers();
    this.closeThinking();
    this.content(this.separator() + markdown, messageId);
    this.afterBlock = true;
  }

  private closeFence(): void {
    if (this.fence === null) return;
    const { messageId } = this.fence;
    this.fence = null;
    this.content((this.tail.endsWith('\n') ? '' : '\n') + FENCE_CLOSE, messageId);
    this.afterBlock = true;
  }

  private closeThinking(): void {
    if (!this.thinking) return;
    this.thinking = false;
    const end = this.tail.endsWith('\n') ? '' : '\n';
    this.content(this.inline === 'think_tags' ? `${end}</think>` : end, '');
    this.afterBlock = true;
  }

  private flushMarkers(): void {
    const messageId = this.markers.pendingMessageId;
    const held = this.markers.flush();
    if (held.length > 0) this.content(held, messageId);
  }

  private settle(): void {
    this.flushMarkers();
    this.closeFence();
    this.closeThinking();
  }

  /** What puts one blank line between the content so far and a new block ('' at the start). */
  private separator(): string {
    if (!this.emitted || this.tail.endsWith('\n\n')) return '';
    return this.tail.endsWith('\n') ? '\n' : '\n\n';
  }

  private noteContent(text: string): void {
    this.emitted = true;
    this.tail = text.length >= 2 ? text.slice(-2) : (this.tail + text).slice(-2);
  }

  private content(text: string, messageId: string): void {
    if (text.length === 0) return;
    this.noteContent(text);
    const last = this.out[this.out.length - 1];
    // Consecutive pieces of one batch go out as one event.
    if (last !== undefined && last.type === 'text' && last.channel === 'answer') this.out[this.out.length - 1] = { ...last, delta: last.delta + text };
    else this.out.push({ type: 'text', channel: 'answer', delta: text, messageId });
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
