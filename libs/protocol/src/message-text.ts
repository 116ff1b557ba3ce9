import { isRecord } from './document-patcher.js';

/**
 * How much of a message's visible text has been emitted. Visible text is a list of
 * units (string parts, or thoughts), each `prefix + body`. Only the last unit can still
 * grow, so emission never looks behind the cursor: the cost per event is the size of
 * the new text, not of the whole message.
 */
export interface TextCursor {
  /** Unit the cursor is in. */
  unit: number;
  /** Characters of `prefix + body` of that unit already emitted. */
  offset: number;
  /** The unit's prefix, frozen when the unit first became ready; null = not yet. */
  prefix: string | null;
  /** Anything was emitted for this message. */
  emitted: boolean;
  /** The last emitted character was a newline (to avoid piling up blank lines). */
  endsWithNewline: boolean;
}

export function newTextCursor(): TextCursor {
  return { unit: 0, offset: 0, prefix: null, emitted: false, endsWithNewline: false };
}

/**
 * Text of the message past the cursor, advancing the cursor; '' when nothing is new.
 * A unit that shrinks (replace, truncate) emits nothing until it grows past what was
 * already emitted, so no text is ever emitted twice.
 *
 * `appended` is the string of the frame's single `append` op, if that is all the frame
 * did. When the text grew by exactly that much, it is the new text: slicing the body
 * instead would flatten the body's rope (V8 cons string) on every event, which makes a
 * long answer quadratic.
 */
export function takeNewText(message: Record<string, unknown>, cursor: TextCursor, appended: string | null = null): string {
  const content = message.content;
  if (!isRecord(content)) return '';
  const hint: AppendHint = { text: appended };
  let out: string;
  switch (content.content_type) {
    case 'text':
    case 'multimodal_text':
      out = takeUnits(content.parts, cursor, partPrefix, partBody, hint);
      break;
    case 'thoughts':
      out = takeUnits(content.thoughts, cursor, thoughtPrefix, thoughtBody, hint);
      break;
    case 'reasoning_recap':
      out = takeSingle(content.content, cursor, hint);
      break;
    case 'code':
    case 'execution_output':
      // Tool traffic, read only when the decoder is asked for it (tool-traffic.ts).
      out = takeSingle(content.text, cursor, hint);
      break;
    default:
      return '';
  }
  if (out.length > 0) {
    cursor.emitted = true;
    cursor.endsWithNewline = out.charCodeAt(out.length - 1) === 10;
  }
  return out;
}

/** Used at most once: a frame's one append grew at most one body. */
interface AppendHint {
  text: string | null;
}

type PrefixOf = (units: unknown[], index: number, emittedBefore: boolean, endsWithNewline: boolean) => string | null;
type BodyOf = (unit: unknown) => string;

function takeUnits(units: unknown, cursor: TextCursor, prefixOf: PrefixOf, bodyOf: BodyOf, hint: AppendHint): string {
  if (!Array.isArray(units)) return '';
  let out = '';
  for (let k = cursor.unit; k < units.length; k++) {
    if (k > cursor.unit) {
      cursor.unit = k;
      cursor.offset = 0;
      cursor.prefix = null;
    }
    if (cursor.prefix === null) {
      const emittedBefore = cursor.emitted || out.length > 0;
      const endsWithNewline = out.length > 0 ? out.charCodeAt(out.length - 1) === 10 : cursor.endsWithNewline;
      const prefix = prefixOf(units, k, emittedBefore, endsWithNewline);
      if (prefix === null) break;
      cursor.prefix = prefix;
    }
    out += takeFrom(cursor, cursor.prefix, bodyOf(units[k]), hint);
  }
  return out;
}

function takeSingle(body: unknown, cursor: TextCursor, hint: AppendHint): string {
  if (typeof body !== 'string') return '';
  if (cursor.prefix === null) cursor.prefix = '';
  return takeFrom(cursor, cursor.prefix, body, hint);
}

function takeFrom(cursor: TextCursor, prefix: string, body: string, hint: AppendHint): string {
  const total = prefix.length + body.length;
  if (total <= cursor.offset) return '';
  const offset = cursor.offset;
  cursor.offset = total;
  const appended = hint.text;
  if (appended !== null) {
    hint.text = null;
    // The only op of the frame appended `appended`; if this body grew by exactly that
    // much (and all of the growth is body, not prefix), the growth is that string.
    if (offset >= prefix.length && total - offset === appended.length) return appended;
  }
  if (offset < prefix.length) return prefix.slice(offset) + body;
  return offset === prefix.length ? body : body.slice(offset - prefix.length);
}

// Parts: string parts are the text, joined without separator; image and other
// object parts count as empty.
const partPrefix: PrefixOf = () => '';
const partBody: BodyOf = (part) => (typeof part === 'string' ? part : '');

/**
 * Thoughts render as `**<summary>**\n<content>`, successive thoughts separated by a
 * blank line. The prefix waits until the thought has content, is finished, or a later
 * thought exists: the summary may still be streaming in before that, and a prefix
 * emitted half-way could not be corrected.
 */
const thoughtPrefix: PrefixOf = (units, index, emittedBefore, endsWithNewline) => {
  const thought = units[index];
  if (!isRecord(thought)) return '';
  const body = typeof thought.content === 'string' ? thought.content : '';
  const ready = body.length > 0 || thought.finished === true || index < units.length - 1;
  if (!ready) return null;
  const summary = typeof thought.summary === 'string' ? thought.summary.trim() : '';
  const separator = emittedBefore ? (endsWithNewline ? '\n' : '\n\n') : '';
  return summary.length > 0 ? `${separator}**${summary}**\n` : body.length > 0 ? separator : '';
};
const thoughtBody: BodyOf = (thought) =>
  isRecord(thought) && typeof thought.content === 'string' ? thought.content : '';
