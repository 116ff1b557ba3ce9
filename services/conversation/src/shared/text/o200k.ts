import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { GptEncoding } from 'gpt-tokenizer/GptEncoding';

/**
 * The o200k tokenizer (GPT-4o and the o-series), built from gpt-tokenizer's own rank file
 * (`data/o200k_base.tiktoken`: base64 bytes and rank per line) rather than its `bpeRanks` module.
 * The module is a 2.4 MB array literal: V8 keeps its parsed code and bytecode besides the 200,000
 * strings, which cost the worker about 13 MB more RSS than reading the same ranks from the file.
 * Same ranks (a byte sequence that is valid UTF-8 without a leading BOM as a string; the others as bytes),
 * same encoding parameters, so the same tokens (`o200k.spec.ts` compares them).
 */
export function o200kRanks(): Array<string | number[]> {
  const file = createRequire(import.meta.url).resolve('gpt-tokenizer/data/o200k_base.tiktoken');
  const text = readFileSync(file, 'latin1');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const out: Array<string | number[]> = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const space = text.indexOf(' ', start);
    if (space > start && space < end) {
      const bytes = Buffer.from(text.slice(start, space), 'base64');
      let value: string | number[];
      try {
        value = utf8.decode(bytes);
        // A leading BOM is dropped by the decoder: such a rank stays bytes, as the package keeps it.
        if (Buffer.byteLength(value) !== bytes.length) value = Array.from(bytes);
      } catch {
        value = Array.from(bytes);
      }
      out[Number(text.slice(space + 1, end))] = value;
    }
    start = end + 1;
  }
  return out;
}

export const o200k = GptEncoding.getEncodingApi('o200k_base', o200kRanks);
