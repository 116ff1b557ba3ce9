import { isRecord, type JsonObject } from './document-patcher.js';
import { newTextCursor, takeNewText, type TextCursor } from './message-text.js';
import type { CitationSource, UpstreamEvent } from './types.js';

/**
 * What of one message's tool traffic has been emitted. Every message is re-read after each
 * frame (legacy repeats it whole, v1 patches it), so each kind of event keeps a count or a flag
 * and is emitted once.
 */
export interface ToolTrafficState {
  readonly text: TextCursor;
  done: boolean;
  noted: boolean;
  images: number;
  citations: number;
  references: number;
  sources: number;
}

export function newToolTrafficState(): ToolTrafficState {
  return { text: newTextCursor(), done: false, noted: false, images: 0, citations: 0, references: 0, sources: 0 };
}

const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

function isCodeRecipient(recipient: unknown): boolean {
  return typeof recipient === 'string' && recipient.startsWith('python');
}

/** `browser` (2023-24), `web`, `web.run`, `web.search` (2025-26). */
function isBrowsingRecipient(recipient: unknown): boolean {
  return recipient === 'browser' || (typeof recipient === 'string' && (recipient === 'web' || recipient.startsWith('web.')));
}

/**
 * Reads a message's tool traffic into events: code the model runs and its output (streamed, then
 * `tool_done`), browsing notes (search queries, the browsing display's status text), quotes,
 * citation sources (search results, answer citations, content references) and finished images.
 * Image progress and every other tool (memory, canvas, image-tool calls) yield nothing.
 * `appended` is the v1 fast-path hint of message-text.
 */
export function takeToolEvents(message: JsonObject, state: ToolTrafficState, out: UpstreamEvent[], appended: string | null, answer: boolean): void {
  const id = typeof message.id === 'string' ? message.id : '';
  const content = isRecord(message.content) ? message.content : {};
  const metadata = isRecord(message.metadata) ? message.metadata : {};
  const finished = message.status === 'finished_successfully';
  if (answer) {
    takeAnswerSources(content, metadata, state, out);
    return;
  }
  const role = isRecord(message.author) ? message.author.role : undefined;
  const type = content.content_type;
  // A thinking model's tools run inside its reasoning; ChatGPT shows them among the thoughts.
  const side: { reasoning?: true } = message.channel === 'analysis' ? { reasoning: true } : {};

  if (role === 'assistant' && type === 'code' && isCodeRecipient(message.recipient)) {
    streamText(message, state, out, appended, 'code', codeLanguage(content.language), id, finished, side);
  } else if (role === 'assistant' && type === 'code' && isBrowsingRecipient(message.recipient)) {
    if (finished && !state.noted) {
      state.noted = true;
      const note = searchNote(typeof content.text === 'string' ? content.text : '');
      if (note !== null) out.push({ type: 'browsing', note, messageId: id, ...side });
    }
  } else if (role === 'tool' && type === 'execution_output') {
    streamText(message, state, out, appended, 'output', '', id, finished, side);
  } else if (role === 'tool' && type === 'tether_browsing_display') {
    takeSources(metadata.search_result_groups, state, out);
    if (finished && !state.noted) {
      state.noted = true;
      const note = str(metadata.finished_text) ?? str(metadata.initial_text);
      if (note !== null) out.push({ type: 'browsing', note, messageId: id, ...side });
    }
  } else if (role === 'tool' && type === 'tether_quote') {
    if (finished && !state.noted) {
      state.noted = true;
      const url = str(content.url);
      if (url !== null) out.push({ type: 'quote', title: str(content.title) ?? str(content.domain) ?? url, url, text: typeof content.text === 'string' ? content.text : '', messageId: id, ...side });
    }
  } else if (role === 'tool') {
    takeSources(metadata.search_result_groups, state, out);
    // Generated images land when the tool message finishes; until then it only reports progress.
    if (finished && type === 'multimodal_text') takeImages(content.parts, state, out, id);
    // An asynchronous image task finishes its message with no image: it comes later, outside the stream.
    if (finished && !state.noted && isAsyncImageTask(metadata) && !hasImage(content.parts)) {
      state.noted = true;
      out.push({ type: 'image_pending', messageId: id });
    }
  }
}

function streamText(
  message: JsonObject,
  state: ToolTrafficState,
  out: UpstreamEvent[],
  appended: string | null,
  kind: 'code' | 'output',
  language: string,
  id: string,
  finished: boolean,
  side: { reasoning?: true },
): void {
  if (state.done) return;
  const delta = takeNewText(message, state.text, appended);
  if (delta.length > 0) out.push({ type: 'tool_text', kind, language, delta, messageId: id, ...side });
  if (finished) {
    state.done = true;
    if (state.text.emitted) out.push({ type: 'tool_done', kind, messageId: id, ...side });
  }
}

/** The code's language as the upstream names it; 'unknown' (what it usually says) means the tool's. */
function codeLanguage(language: unknown): string {
  if (typeof language === 'string' && language.length > 0 && language !== 'unknown') return language;
  return 'python';
}

/** `{"search_query":[{"q":"..."}]}` (web.run) or `search("...")` (browser) → "Searching: ...". */
function searchNote(code: string): string | null {
  const queries: string[] = [];
  try {
    const parsed: unknown = JSON.parse(code);
    if (isRecord(parsed) && Array.isArray(parsed.search_query)) {
      for (const q of parsed.search_query) if (isRecord(q) && typeof q.q === 'string' && q.q.trim()) queries.push(q.q.trim());
    }
  } catch {
    for (const m of code.matchAll(/search\(\s*"((?:[^"\\]|\\.)*)"/g)) queries.push(m[1]);
  }
  return queries.length > 0 ? `Searching: ${queries.join('; ')}` : null;
}

function isAsyncImageTask(metadata: JsonObject): boolean {
  return metadata.image_gen_async === true || metadata.async_task_type === 'image_gen';
}

function hasImage(parts: unknown): boolean {
  return Array.isArray(parts) && parts.some((p) => isRecord(p) && p.content_type === 'image_asset_pointer');
}

function takeImages(parts: unknown, state: ToolTrafficState, out: UpstreamEvent[], id: string): void {
  if (!Array.isArray(parts)) return;
  for (let i = state.images; i < parts.length; i++) {
    state.images = i + 1;
    const part = parts[i];
    if (!isRecord(part) || part.content_type !== 'image_asset_pointer') continue;
    const pointer = str(part.asset_pointer);
    if (pointer === null) continue;
    out.push({ type: 'image', pointer, width: typeof part.width === 'number' ? part.width : null, height: typeof part.height === 'number' ? part.height : null, messageId: id });
  }
}

/** Search results name the references (`turn0search3`) that private-use citation markers point to. */
function takeSources(groups: unknown, state: ToolTrafficState, out: UpstreamEvent[]): void {
  if (!Array.isArray(groups)) return;
  let seen = 0;
  for (const group of groups) {
    const entries = isRecord(group) && Array.isArray(group.entries) ? group.entries : [];
    for (const entry of entries) {
      if (seen++ < state.sources) continue;
      state.sources = seen;
      if (!isRecord(entry) || !isRecord(entry.ref_id)) continue;
      const ref = entry.ref_id;
      const url = str(entry.url);
      if (url === null || typeof ref.turn_index !== 'number' || typeof ref.ref_index !== 'number' || !str(ref.ref_type)) continue;
      emitSource(out, { marker: `turn${ref.turn_index}${ref.ref_type as string}${ref.ref_index}`, title: str(entry.title) ?? url, url });
    }
  }
}

/** `metadata.citations` (start_ix/end_ix into the text) and `metadata.content_references` (matched_text). */
function takeAnswerSources(content: JsonObject, metadata: JsonObject, state: ToolTrafficState, out: UpstreamEvent[]): void {
  const citations = metadata.citations;
  if (Array.isArray(citations)) {
    const text = Array.isArray(content.parts) && typeof content.parts[0] === 'string' ? content.parts[0] : '';
    for (let i = state.citations; i < citations.length; i++) {
      const c = citations[i];
      if (!isRecord(c) || typeof c.start_ix !== 'number' || typeof c.end_ix !== 'number') {
        state.citations = i + 1;
        continue;
      }
      // The marker must already be in the text to be named; wait for it otherwise.
      if (c.end_ix > text.length) break;
      state.citations = i + 1;
      const meta = isRecord(c.metadata) ? c.metadata : {};
      const url = str(meta.url);
      const marker = text.slice(c.start_ix, c.end_ix);
      if (url !== null && marker.length > 0) emitSource(out, { marker, title: str(meta.title) ?? url, url });
    }
  }
  const references = metadata.content_references;
  if (Array.isArray(references)) {
    for (let i = state.references; i < references.length; i++) {
      state.references = i + 1;
      const r = references[i];
      if (!isRecord(r)) continue;
      const marker = str(r.matched_text);
      const item = Array.isArray(r.items) && isRecord(r.items[0]) ? r.items[0] : null;
      const url = item ? str(item.url) : Array.isArray(r.safe_urls) ? str(r.safe_urls[0]) : null;
      if (marker === null || marker.trim() === '' || url === null) continue;
      emitSource(out, { marker, title: (item && str(item.title)) ?? str(r.title) ?? url, url });
    }
  }
}

function emitSource(out: UpstreamEvent[], source: CitationSource): void {
  out.push({ type: 'citation', source });
}
