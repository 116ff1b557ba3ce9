// Test helpers: a tiny SSE parser and "v1" decoder written for these tests only, so the
// simulator's tests depend on nothing in libs/.

export interface SseEvent {
  event?: string;
  data: string;
}

export function parseSse(raw: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of raw.split('\n\n')) {
    if (block.trim() === '') continue;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    events.push({ event, data: data.join('\n') });
  }
  return events;
}

export interface ConversationRequest {
  prompt: string;
  model?: string;
  v1?: boolean;
  conversationId?: string;
  token: string;
  headers?: Record<string, string>;
  path?: string;
  signal?: AbortSignal;
}

export function conversationBody(r: Pick<ConversationRequest, 'prompt' | 'model' | 'v1' | 'conversationId'>): string {
  return JSON.stringify({
    action: 'next',
    messages: [
      { id: 'msg-user-1', author: { role: 'user' }, content: { content_type: 'text', parts: [r.prompt] }, metadata: {} },
    ],
    parent_message_id: 'client-created-root',
    model: r.model ?? 'gpt-4o',
    timezone_offset_min: 0,
    history_and_training_disabled: true,
    ...(r.conversationId ? { conversation_id: r.conversationId } : {}),
    ...(r.v1 ? { supported_encodings: ['v1'] } : {}),
  });
}

export function postConversation(baseUrl: string, r: ConversationRequest): Promise<Response> {
  return fetch(`${baseUrl}${r.path ?? '/backend-api/conversation'}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${r.token}`,
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...r.headers,
    },
    body: conversationBody(r),
    signal: r.signal,
  });
}

// Parsed SSE JSON is probed loosely in tests; a precise type per frame would only restate the simulator.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Doc = { [key: string]: Json };

function resolve(doc: Doc, pointer: string): { parent: Json; key: string } {
  const keys = pointer.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  let parent: Json = doc;
  for (const key of keys.slice(0, -1)) parent = (parent as Record<string, Json>)[key];
  return { parent, key: keys[keys.length - 1] };
}

function applyOp(doc: Doc, p: string, o: string, v: Json): void {
  if (o === 'patch') {
    for (const sub of v as Array<{ p: string; o: string; v: Json }>) applyOp(doc, p + sub.p, sub.o, sub.v);
    return;
  }
  const { parent, key } = resolve(doc, p);
  const holder = parent as Record<string, Json>;
  const current = holder[key];
  if (o === 'append') {
    if (typeof current === 'string') holder[key] = current + (v as string);
    else if (Array.isArray(current)) holder[key] = current.concat(v as Json[]);
    else holder[key] = { ...(current as Doc), ...(v as Doc) };
  } else if (o === 'replace' || o === 'add') {
    holder[key] = v;
  }
}

export interface V1Result {
  documents: Doc[];
  counters: number[];
  typed: Array<Record<string, unknown>>;
  answer: string;
  reasoning: string;
  stickyFrames: number;
  explicitAppends: number;
  done: boolean;
}

/** Decodes a v1 stream: documents with sticky cursor, answer = the final-channel assistant text. */
export function decodeV1(events: SseEvent[]): V1Result {
  const result: V1Result = {
    documents: [],
    counters: [],
    typed: [],
    answer: '',
    reasoning: '',
    stickyFrames: 0,
    explicitAppends: 0,
    done: false,
  };
  let cursor = { p: '', o: 'add' };
  for (const e of events) {
    if (e.data === '[DONE]') {
      result.done = true;
      continue;
    }
    if (e.event === 'delta_encoding') continue;
    const frame = JSON.parse(e.data) as { p?: string; o?: string; v: Json; c?: number; type?: string };
    if (e.event !== 'delta') {
      result.typed.push(frame as Record<string, unknown>);
      continue;
    }
    if (typeof frame.c === 'number') {
      result.counters.push(frame.c);
      result.documents.push(structuredClone(frame.v) as Doc);
      cursor = { p: '', o: 'add' };
      continue;
    }
    if (frame.p === undefined && frame.o === undefined) result.stickyFrames += 1;
    if (frame.p === '/message/content/parts/0' && frame.o === 'append') result.explicitAppends += 1;
    cursor = { p: frame.p ?? cursor.p, o: frame.o ?? cursor.o };
    applyOp(result.documents[result.documents.length - 1], cursor.p, cursor.o, frame.v);
  }
  for (const doc of result.documents) {
    const m = doc.message as Loose | null;
    if (!m) continue;
    if (m.content.content_type === 'thoughts') {
      result.reasoning += (m.content.thoughts as Array<{ content: string }>).map((t) => t.content).join('');
    }
    const isAnswer =
      m.author.role === 'assistant' &&
      (m.recipient ?? 'all') === 'all' &&
      (m.channel === 'final' || m.channel === null) &&
      m.content.content_type === 'text' &&
      !m.metadata?.is_visually_hidden_from_conversation &&
      !m.metadata?.is_thinking_preamble_message;
    if (isAnswer) result.answer += (m.content.parts as string[]).join('');
  }
  return result;
}

export interface LegacyResult {
  answer: string;
  finalMessage: Loose | undefined;
  typed: Array<Record<string, unknown>>;
  errors: string[];
  inProgressEvents: number;
  done: boolean;
}

/** Decodes a legacy stream: the answer is the last cumulative parts[0] of the assistant text message. */
export function decodeLegacy(events: SseEvent[]): LegacyResult {
  const result: LegacyResult = { answer: '', finalMessage: undefined, typed: [], errors: [], inProgressEvents: 0, done: false };
  for (const e of events) {
    if (e.data === '[DONE]') {
      result.done = true;
      continue;
    }
    const frame = JSON.parse(e.data) as Loose;
    if (frame.type) {
      result.typed.push(frame);
      continue;
    }
    if (frame.error) result.errors.push(frame.error);
    const m = frame.message;
    if (!m || m.author.role !== 'assistant' || m.content.content_type !== 'text') continue;
    result.answer = m.content.parts[0];
    if (m.status === 'in_progress') result.inProgressEvents += 1;
    else result.finalMessage = m;
  }
  return result;
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One Responses API event: the SSE `event:` name and its JSON payload. */
export interface ResponsesEvent {
  event: string | undefined;
  data: Loose;
}

/** Parses a Responses event stream; a `[DONE]` (which the API never sends) would fail the JSON parse. */
export function parseResponsesEvents(raw: string): ResponsesEvent[] {
  return parseSse(raw).map((e) => ({ event: e.event, data: JSON.parse(e.data) }));
}

/** The final output rebuilt from `response.output_item.done` events, by output_index (what a client must do when `response.completed` carries none). */
export function rebuiltOutput(events: ResponsesEvent[]): Loose[] {
  const out: Loose[] = [];
  for (const e of events) if (e.data.type === 'response.output_item.done') out[e.data.output_index] = e.data.item;
  return out;
}

/** The answer text of output items: every output_text of every message. */
export function outputTextOf(items: Loose[]): string {
  return items
    .filter((i) => i?.type === 'message')
    .flatMap((i) => i.content)
    .filter((p: Loose) => p.type === 'output_text')
    .map((p: Loose) => p.text)
    .join('');
}

/** A 1×1 PNG (70 bytes) as a data URL. */
export const PIXEL_PNG_DATA_URL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
