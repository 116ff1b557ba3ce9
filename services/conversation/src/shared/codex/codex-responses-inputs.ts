import type { BusError } from '@chatgate/contracts';
import type { JsonObject } from '@chatgate/protocol';
import type { InputSource, LoadResult } from '../uploads/input-loader.js';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const isHttpUrl = (v: unknown): v is string => typeof v === 'string' && /^https?:\/\//i.test(v.trim());

/** One part of an input item that names an image or file by http(s) URL. */
interface PartRef {
  part: JsonObject;
  source: InputSource;
}

/**
 * The `input_image` parts with an http(s) `image_url` and the `input_file` parts with a `file_url`,
 * in messages' `content` and tool outputs' `output` lists (where the Responses API lets them be).
 */
function partsToLoad(items: unknown[]): PartRef[] {
  const refs: PartRef[] = [];
  for (const [i, item] of items.entries()) {
    if (!isObject(item)) continue;
    for (const key of ['content', 'output'] as const) {
      const parts = item[key];
      if (!Array.isArray(parts)) continue;
      for (const [p, part] of parts.entries()) {
        if (!isObject(part)) continue;
        const param = `input[${i}].${key}[${p}]`;
        if (part.type === 'input_image' && isHttpUrl(part.image_url)) refs.push({ part, source: { kind: 'image', value: part.image_url.trim(), param: `${param}.image_url` } });
        else if (part.type === 'input_file' && isHttpUrl(part.file_url)) {
          refs.push({ part, source: { kind: 'url_attachment', value: part.file_url.trim(), param: `${param}.file_url`, ...(typeof part.filename === 'string' ? { filename: part.filename } : {}) } });
        }
      }
    }
  }
  return refs;
}

/**
 * The Responses body for the Codex backend with every image and file given by http(s) URL loaded
 * once, before any account is leased, through the worker's SSRF-guarded input loader (the one chat
 * on Codex uses: its guard, size caps and image check), and put in as `data:` URLs, the form the
 * backend takes (reference §4.1): `input_image.image_url` becomes the data URL, `input_file.file_url`
 * becomes `file_data` with the file's name. Data URLs and file ids are left as they are. A copy:
 * the caller's object is not changed. A refused input is the loader's 400 naming the part.
 */
export async function withInlineResponseInputs(body: JsonObject, load: (sources: InputSource[]) => Promise<LoadResult>): Promise<{ ok: true; body: JsonObject } | { ok: false; failure: BusError }> {
  if (!Array.isArray(body.input)) return { ok: true, body };
  const copy = structuredClone(body) as JsonObject & { input: unknown[] };
  const refs = partsToLoad(copy.input);
  if (refs.length === 0) return { ok: true, body };
  const loaded = await load(refs.map((r) => r.source));
  if (!loaded.ok) return loaded;
  refs.forEach(({ part }, i) => {
    const file = loaded.files[i];
    const dataUrl = `data:${file.mimeType};base64,${file.bytes.toString('base64')}`;
    if (part.type === 'input_image') part.image_url = dataUrl;
    else {
      delete part.file_url;
      part.file_data = dataUrl;
      part.filename = typeof part.filename === 'string' && part.filename !== '' ? part.filename : file.name;
    }
  });
  return { ok: true, body: copy };
}
