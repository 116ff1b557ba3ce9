import { requestFailure, type BusError } from '@chatgate/contracts';
import type { JsonObject } from '@chatgate/protocol';
import type { InputSource, LoadResult } from '../uploads/input-loader.js';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where one image or file part sits in the chat request, and what it names. */
interface PartRef {
  part: JsonObject;
  source: InputSource;
}

/** The image and file parts of the chat request's user messages (the only messages that may carry them). */
function partsToLoad(messages: unknown[]): PartRef[] | BusError {
  const refs: PartRef[] = [];
  for (const [m, message] of messages.entries()) {
    if (!isObject(message) || message.role !== 'user' || !Array.isArray(message.content)) continue;
    for (const [p, part] of message.content.entries()) {
      if (!isObject(part)) continue;
      const param = `messages[${m}].content[${p}]`;
      if (part.type === 'image_url') {
        const image = part.image_url;
        const url = typeof image === 'string' ? image : isObject(image) ? image.url : undefined;
        // A part without a URL is the translation's to refuse, with its own words.
        if (typeof url === 'string' && url !== '') refs.push({ part, source: { kind: 'image', value: url, param: `${param}.image_url.url` } });
      } else if (part.type === 'file' && isObject(part.file)) {
        const file = part.file;
        if (typeof file.file_data === 'string' && file.file_data !== '') {
          refs.push({ part, source: { kind: 'file', value: file.file_data, param: `${param}.file.file_data`, ...(typeof file.filename === 'string' ? { filename: file.filename } : {}) } });
        } else if (typeof file.file_id === 'string' && file.file_id !== '') {
          return requestFailure('unsupported_parameter', "Files by id are not available on Codex accounts: send the file's bytes as 'file_data'.", { param: `${param}.file.file_id` });
        }
      }
    }
  }
  return refs;
}

/**
 * The chat request with every image and file a user message carries loaded once, before any account
 * is leased, through the worker's SSRF-guarded input loader (http(s) URLs fetched under its guard and
 * caps; data: URLs and base64 decoded; the bytes decide the type), and put back as `data:` URLs, the
 * form the Codex backend takes (reference §4.1: `input_image` with a data URL). A copy: the caller's
 * object is not changed. A refused input is the loader's 400 naming the part.
 */
export async function withInlineInputs(chat: JsonObject, load: (sources: InputSource[]) => Promise<LoadResult>): Promise<{ ok: true; chat: JsonObject } | { ok: false; failure: BusError }> {
  if (!Array.isArray(chat.messages)) return { ok: true, chat };
  const copy = structuredClone(chat) as JsonObject & { messages: unknown[] };
  const refs = partsToLoad(copy.messages);
  if (!Array.isArray(refs)) return { ok: false, failure: refs };
  if (refs.length === 0) return { ok: true, chat };
  const loaded = await load(refs.map((r) => r.source));
  if (!loaded.ok) return loaded;
  refs.forEach(({ part }, i) => {
    const file = loaded.files[i];
    const dataUrl = `data:${file.mimeType};base64,${file.bytes.toString('base64')}`;
    if (part.type === 'image_url') {
      const detail = isObject(part.image_url) ? part.image_url.detail : undefined;
      part.image_url = { url: dataUrl, ...(detail !== undefined ? { detail } : {}) };
    } else {
      part.file = { file_data: dataUrl, filename: file.name };
    }
  });
  return { ok: true, chat: copy };
}
