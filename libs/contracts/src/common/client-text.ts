import { z } from 'zod';

/**
 * What a client may put in a string that chatgate stores (Postgres), publishes (usage events) or
 * logs. Two kinds, decided per field:
 *
 * - **one-line** values (model names, user names, labels, ids, titles, voices, filenames): no
 *   control characters at all (C0 U+0000–U+001F, DEL, C1 U+0080–U+009F), no unpaired surrogates,
 *   bounded length. A name with a line break or an escape sequence is never meant; in a log line
 *   or a report it forges or hides text.
 * - **text** (message content, speech input): line breaks, tabs and the other C0 controls pass
 *   (pasted terminal output carries escape sequences), but not U+0000 and not unpaired surrogates:
 *   Postgres stores neither (a NUL fails the whole statement, 22021), and text reaches the
 *   conversation records (a first message becomes the title).
 *
 * Each check is one linear scan; messages name the rule, never the value.
 */

// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const NUL = '\u0000';
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const ONE_LINE_MESSAGE = 'must not contain control characters (U+0000–U+001F, U+007F–U+009F)';
export const TEXT_NUL_MESSAGE = 'must not contain the NUL character (U+0000)';
export const UNPAIRED_SURROGATE_MESSAGE = 'must be valid Unicode (no unpaired surrogate code units)';

/** Why `value` is not a safe one-line value (see above), or null when it is. */
export function oneLineProblem(value: string): string | null {
  if (CONTROL.test(value)) return ONE_LINE_MESSAGE;
  return UNPAIRED_SURROGATE.test(value) ? UNPAIRED_SURROGATE_MESSAGE : null;
}

/** Why `value` is not safe as text (see above), or null when it is. For a string inside a union, where a refinement's message would be lost. */
export function textProblem(value: string): string | null {
  if (value.includes(NUL)) return TEXT_NUL_MESSAGE;
  return UNPAIRED_SURROGATE.test(value) ? UNPAIRED_SURROGATE_MESSAGE : null;
}

/** Adds the one-line checks to a string schema (keep its own bounds and trims): `oneLine(z.string().min(1).max(100))`. */
export function oneLine<T extends z.ZodString>(schema: T): T {
  return schema
    .refine((v) => !CONTROL.test(v), { message: ONE_LINE_MESSAGE, abort: true })
    .refine((v) => !UNPAIRED_SURROGATE.test(v), { message: UNPAIRED_SURROGATE_MESSAGE, abort: true }) as T;
}

/** Adds the text checks to a string schema: `text(z.string().max(4096))`. */
export function text<T extends z.ZodString>(schema: T): T {
  return schema
    .refine((v) => !v.includes(NUL), { message: TEXT_NUL_MESSAGE, abort: true })
    .refine((v) => !UNPAIRED_SURROGATE.test(v), { message: UNPAIRED_SURROGATE_MESSAGE, abort: true }) as T;
}

/** Longest model name a client may send (routing rules and limits use the same bound). */
export const MODEL_NAME_MAX = 200;
/** Longest conversation, message or other upstream id a client may name. */
export const CLIENT_ID_MAX = 200;
/** Longest short label (OpenAI's `user`, a voice, a filename, a format). */
export const CLIENT_LABEL_MAX = 256;

/** A model as a client names it: routed, limited, priced and stored in usage events under this name. */
export const modelNameSchema = oneLine(z.string().min(1).max(MODEL_NAME_MAX));
/** A conversation or message id a client names (looked up in the records, sent upstream). */
export const clientIdSchema = oneLine(z.string().min(1).max(CLIENT_ID_MAX));
/** A short free-form label: OpenAI's `user`, a voice name, a filename. */
export const clientLabelSchema = oneLine(z.string().max(CLIENT_LABEL_MAX));
