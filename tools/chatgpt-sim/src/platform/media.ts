// /v1/embeddings, /v1/images/generations, /v1/audio/speech and /v1/models of the platform API.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { randomAlnum } from '../ids.js';
import { sendJson } from '../http.js';
import { invalid } from './respond.js';
import { platformTokens } from './tokens.js';

type Body = Record<string, unknown>;

/** The models every simulated key may use unless it was issued with its own list. */
export const PLATFORM_MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-3.5-turbo', 'gpt-3.5-turbo-instruct', 'text-embedding-3-small', 'text-embedding-3-large', 'dall-e-3', 'gpt-image-1', 'tts-1', 'whisper-1'];

/** A unit-less but stable vector for a text: sha256 bytes scaled to [-1, 1]. */
function vectorOf(text: string, dimensions: number): number[] {
  const out: number[] = [];
  for (let block = 0; out.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (const byte of digest) {
      if (out.length === dimensions) break;
      out.push(Math.fround(byte / 127.5 - 1));
    }
  }
  return out;
}

function base64Of(vector: number[]): string {
  const floats = new Float32Array(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}

export function embeddings(res: ServerResponse, body: Body, model: string): void {
  const input = body.input;
  let texts: string[];
  if (typeof input === 'string') texts = [input];
  else if (Array.isArray(input) && input.length && input.every((i) => typeof i === 'string')) texts = input as string[];
  // Token arrays: counted as they are, embedded by their joined ids.
  else if (Array.isArray(input) && input.length && input.every((i) => typeof i === 'number')) texts = [input.join(' ')];
  else if (Array.isArray(input) && input.length && input.every((i) => Array.isArray(i))) texts = (input as number[][]).map((t) => t.join(' '));
  else throw invalid("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", 'input');
  const dimensions = typeof body.dimensions === 'number' && Number.isInteger(body.dimensions) && body.dimensions > 0 ? Math.min(body.dimensions, 3072) : 16;
  const base64 = body.encoding_format === 'base64';
  const promptTokens = texts.reduce((s, t) => s + platformTokens(t), 0);
  sendJson(res, 200, {
    object: 'list',
    data: texts.map((t, index) => {
      const v = vectorOf(t, dimensions);
      return { object: 'embedding', index, embedding: base64 ? base64Of(v) : v };
    }),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}

/** A 1×1 PNG; the prompt only changes what the simulator says it revised. */
const PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

export function images(res: ServerResponse, body: Body, model: string, baseUrl: string): void {
  if (typeof body.prompt !== 'string' || !body.prompt) throw invalid("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
  const n = body.n === undefined ? 1 : body.n;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 10) throw invalid(`${String(n)} is not valid under any of the given schemas - 'n'`, 'n');
  const gptImage = model.startsWith('gpt-image');
  const b64 = gptImage || body.response_format === 'b64_json';
  const data = Array.from({ length: n }, () => ({
    ...(b64 ? { b64_json: PIXEL_PNG } : { url: `${baseUrl}/_sim/images/${randomAlnum(16)}.png` }),
    ...(model === 'dall-e-3' ? { revised_prompt: `A picture of ${body.prompt as string}` } : {}),
  }));
  const input = platformTokens(body.prompt);
  const output = 272 * n;
  sendJson(res, 200, {
    created: Math.floor(Date.now() / 1000),
    data,
    ...(gptImage ? { usage: { total_tokens: input + output, input_tokens: input, output_tokens: output, input_tokens_details: { text_tokens: input, image_tokens: 0 } } } : {}),
  });
}

const AUDIO_TYPES: Record<string, string> = { mp3: 'audio/mpeg', opus: 'audio/opus', aac: 'audio/aac', flac: 'audio/flac', wav: 'audio/wav', pcm: 'audio/pcm' };

export function speech(res: ServerResponse, body: Body): void {
  if (typeof body.input !== 'string' || !body.input) throw invalid("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  if (typeof body.voice !== 'string' || !body.voice) throw invalid("Missing required parameter: 'voice'.", 'voice', 'missing_required_parameter');
  const format = typeof body.response_format === 'string' ? body.response_format : 'mp3';
  const type = AUDIO_TYPES[format];
  if (!type) throw invalid(`Invalid value: '${format}'. Supported values are: 'mp3', 'opus', 'aac', 'flac', 'wav', and 'pcm'.`, 'response_format', 'invalid_value');
  // Stable bytes per input and voice, so a test can tell the audio passed through unchanged.
  const audio = Buffer.concat([Buffer.from('SIMAUDIO'), createHash('sha256').update(`${body.voice}:${body.input}`).digest()]);
  res.writeHead(200, { 'content-type': type, 'content-length': audio.length });
  res.end(audio);
}

export function models(res: ServerResponse, allowed: string[] | null): void {
  sendJson(res, 200, { object: 'list', data: (allowed ?? PLATFORM_MODELS).map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: id.startsWith('gpt') ? 'system' : 'openai' })) });
}
