import type { UpstreamEvent } from '@chatgate/protocol';
import type { UpstreamIdentity } from '../shared/upstream/chatgpt.client.js';

type ImageEvent = Extract<UpstreamEvent, { type: 'image' }>;
type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a conversation as the upstream stores it; null when it cannot be read now. */
export type ConversationReader = (identity: UpstreamIdentity, conversationId: string, signal: AbortSignal) => Promise<Json | null>;

/**
 * The images of this turn in a stored conversation (reference §5): walking up from the current node
 * to the user message that started the turn, every finished tool image not yet shown.
 */
export function imagesOfTurn(conversation: Json, shown: ReadonlySet<string>): ImageEvent[] {
  const mapping = isRecord(conversation.mapping) ? conversation.mapping : {};
  const found: ImageEvent[] = [];
  let nodeId = typeof conversation.current_node === 'string' ? conversation.current_node : null;
  for (let steps = 0; nodeId !== null && steps < 1000; steps++) {
    const node = mapping[nodeId];
    if (!isRecord(node)) break;
    const message = isRecord(node.message) ? node.message : null;
    const role = message && isRecord(message.author) ? message.author.role : undefined;
    if (role === 'user') break;
    const content = message && isRecord(message.content) ? message.content : null;
    if (role === 'tool' && content?.content_type === 'multimodal_text' && Array.isArray(content.parts)) {
      const images: ImageEvent[] = [];
      for (const part of content.parts) {
        if (!isRecord(part) || part.content_type !== 'image_asset_pointer' || typeof part.asset_pointer !== 'string' || shown.has(part.asset_pointer)) continue;
        images.push({
          type: 'image',
          pointer: part.asset_pointer,
          width: typeof part.width === 'number' ? part.width : null,
          height: typeof part.height === 'number' ? part.height : null,
          messageId: typeof message!.id === 'string' ? message!.id : '',
        });
      }
      found.unshift(...images);
    }
    nodeId = typeof node.parent === 'string' ? node.parent : null;
  }
  return found;
}

const POLL_MS = 1000;

/**
 * Waits for `count` asynchronous images of the turn to appear in the conversation, looking every
 * second for at most `waitSec` (the stream has ended; the worker's heartbeats keep the reply open).
 * Returns what came, possibly fewer.
 */
export async function awaitLateImages(
  read: ConversationReader,
  identity: UpstreamIdentity,
  conversationId: string,
  count: number,
  shown: ReadonlySet<string>,
  waitSec: number,
  signal: AbortSignal,
): Promise<ImageEvent[]> {
  const until = Date.now() + waitSec * 1000;
  let images: ImageEvent[] = [];
  while (!signal.aborted) {
    const conversation = await read(identity, conversationId, signal);
    if (conversation) images = imagesOfTurn(conversation, shown);
    if (images.length >= count || Date.now() + POLL_MS > until) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return images;
}

/** What the runner needs of a renderer for late images (see ReplyRenderer). */
export interface LateImageRenderer {
  readonly awaitingImages: number;
  readonly renderedImages: ReadonlySet<string>;
  renderLateImages(images: ImageEvent[], historyOff: boolean, waitedSec: number): UpstreamEvent[];
}

/**
 * After the stream: the images of asynchronous image tasks, awaited in the conversation and
 * rendered, or a note for each one that did not come (a temporary chat never keeps them).
 */
export async function lateImageEvents(
  read: ConversationReader,
  opts: { identity: UpstreamIdentity; conversationId: string | null; historyOff: boolean; waitSec: number; signal: AbortSignal },
  renderer: LateImageRenderer,
): Promise<UpstreamEvent[]> {
  const { identity, conversationId, historyOff, waitSec, signal } = opts;
  const images =
    historyOff || conversationId === null || waitSec === 0
      ? []
      : await awaitLateImages(read, identity, conversationId, renderer.awaitingImages, renderer.renderedImages, waitSec, signal);
  return renderer.renderLateImages(images, historyOff, waitSec);
}
