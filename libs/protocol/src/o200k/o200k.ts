import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { GptEncoding } from 'gpt-tokenizer/GptEncoding';

/**
 * The o200k tokenizer (GPT-4o and the o-series): gpt-tokenizer's encoder (its split pattern, special
 * tokens, merge loop, merge cache, decoding), with the 200,000 ranks held compactly instead of as
 * gpt-tokenizer keeps them. The package's `bpeRanks` module is a 2.4 MB array literal, turned at
 * import into 200,000 strings, an array of them and a Map from each string to its rank: about 25 MB
 * of heap and, with the module's parsed code, 40 MB of RSS in every worker. Here every rank's bytes
 * sit in one buffer (offsets in a Uint32Array) behind an open-addressing hash table (Int32Array): about
 * 5 MB, read from the package's own rank file (`data/o200k_base.tiktoken`: base64 bytes and rank per
 * line). The lookups answer exactly as the package's do, quirks included (`o200k.spec.ts` compares
 * ranks, tokens, counts and decoding with the package's own o200k):
 * - a rank is "a string" when its bytes are UTF-8 and do not start with a BOM (the package's table
 *   was made with a decoder that drops a BOM), otherwise "bytes";
 * - a string finds only string ranks, and a string with a lone surrogate finds nothing;
 * - bytes that are valid UTF-8 are looked up as their string (BOM dropped), others among byte ranks.
 */
const RANK_FILE = createRequire(import.meta.url).resolve('gpt-tokenizer/data/o200k_base.tiktoken');

/** Each rank's bytes as the package holds them: a string, or an array of bytes (see above). For the spec. */
export function o200kRanks(): Array<string | number[]> {
  const table = CompactRanks.read();
  return Array.from({ length: table.count }, (_, rank) => (table.isBytes[rank] ? Array.from(table.bytesOf(rank)) : table.stringOf(rank)));
}

const BOM = [0xef, 0xbb, 0xbf];
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

class CompactRanks {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly scratch = new Uint8Array(1024);
  private readonly encoder = new TextEncoder();

  private constructor(
    readonly count: number,
    /** Ranks the file holds (the package counts them, not the highest rank). */
    readonly present: number,
    private readonly bytes: Uint8Array,
    private readonly offsets: Uint32Array,
    /** 1 where the rank is held as bytes, not as a string. */
    readonly isBytes: Uint8Array,
  ) {
    let size = 1;
    while (size < count * 2) size <<= 1;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let rank = 0; rank < count; rank++) {
      let slot = this.hash(bytes, offsets[rank], offsets[rank + 1]) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = rank + 1;
    }
  }

  /**
   * The rank file decoded straight into one buffer: where each line's base64 and rank sit (typed
   * arrays), then each rank's size, then the bytes written in place. Decoding each line into a Buffer
   * of its own first (200,000 of them) left the process 70-90 MB larger for good (malloc does not give
   * those pages back) for a table of 5 MB.
   */
  static read(): CompactRanks {
    const text = readFileSync(RANK_FILE, 'latin1');
    let lines = 1;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
    const lineStart = new Uint32Array(lines);
    const lineSpace = new Uint32Array(lines);
    const lineRank = new Int32Array(lines).fill(-1);
    let present = 0;
    let count = 0;
    for (let start = 0, line = 0; start < text.length; line++) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const space = text.indexOf(' ', start);
      if (space > start && space < end) {
        const rank = Number(text.slice(space + 1, end));
        lineStart[line] = start;
        lineSpace[line] = space;
        lineRank[line] = rank;
        present++;
        count = Math.max(count, rank + 1);
      }
      start = end + 1;
    }
    const sizes = new Uint32Array(count);
    for (let line = 0; line < lines; line++) if (lineRank[line] >= 0) sizes[lineRank[line]] = Buffer.byteLength(text.slice(lineStart[line], lineSpace[line]), 'base64');
    const offsets = new Uint32Array(count + 1);
    for (let rank = 0; rank < count; rank++) offsets[rank + 1] = offsets[rank] + sizes[rank];
    const all = Buffer.alloc(offsets[count]);
    for (let line = 0; line < lines; line++) if (lineRank[line] >= 0) all.write(text.slice(lineStart[line], lineSpace[line]), offsets[lineRank[line]], 'base64');
    const bytes = new Uint8Array(all.buffer, all.byteOffset, all.length);
    const isBytes = new Uint8Array(count);
    for (let rank = 0; rank < count; rank++) isBytes[rank] = isUtf8String(bytes.subarray(offsets[rank], offsets[rank + 1])) ? 0 : 1;
    return new CompactRanks(count, present, bytes, offsets, isBytes);
  }

  bytesOf(rank: number): Uint8Array {
    return this.bytes.subarray(this.offsets[rank], this.offsets[rank + 1]);
  }

  stringOf(rank: number): string {
    return utf8.decode(this.bytesOf(rank));
  }

  /** The rank whose bytes are `key[start, end)`, or -1. */
  find(key: Uint8Array, start: number, end: number): number {
    const length = end - start;
    for (let slot = this.hash(key, start, end) & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.slots[slot];
      if (entry === 0) return -1;
      const rank = entry - 1;
      const from = this.offsets[rank];
      if (this.offsets[rank + 1] - from !== length) continue;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (this.bytes[from + i] !== key[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return rank;
    }
  }

  /** As the package's string Map answers: string ranks only; a string with a lone surrogate is none. */
  stringRank(key: string): number | undefined {
    if (!(key as string & { isWellFormed(): boolean }).isWellFormed()) return undefined;
    let bytes: Uint8Array = this.scratch;
    let length: number;
    if (key.length * 3 <= bytes.length) length = this.encoder.encodeInto(key, bytes).written;
    else {
      bytes = this.encoder.encode(key);
      length = bytes.length;
    }
    const rank = this.find(bytes, 0, length);
    return rank >= 0 && this.isBytes[rank] === 0 ? rank : undefined;
  }

  private hash(key: Uint8Array, start: number, end: number): number {
    // FNV-1a, 32 bits.
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ key[i], 0x01000193);
    return h >>> 0;
  }
}

/** Valid UTF-8 without a leading BOM: what the package holds as a string. */
function isUtf8String(bytes: Uint8Array): boolean {
  if (bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2]) return false;
  return isUtf8(bytes);
}

/** The parts of gpt-tokenizer's BytePairEncodingCore that hold the ranks (not in its type declarations). */
interface RankHolder {
  bytePairStringRankEncoder: { get(key: string): number | undefined };
  bytePairNonUtfRankDecoder: Map<number, Uint8Array>;
  specialTokensDecoder: Map<number, string>;
  mergeableBytePairRankCount: number;
  tryDecodeToken(rank: number): string | Uint8Array | undefined;
}

function buildO200k() {
  const table = CompactRanks.read();
  // Only the byte ranks go to the package (its sorted list for the byte lookups, its decoder for them);
  // the string ranks are answered by the compact table, so the package builds no Map of them.
  const byteRanks: Array<string | number[]> = new Array<string | number[]>(table.count);
  for (let rank = 0; rank < table.count; rank++) if (table.isBytes[rank]) byteRanks[rank] = Array.from(table.bytesOf(rank));
  const encoding = GptEncoding.getEncodingApi('o200k_base', () => byteRanks);
  const core = (encoding as unknown as { bytePairEncodingCoreProcessor: RankHolder }).bytePairEncodingCoreProcessor;
  core.bytePairStringRankEncoder = { get: (key) => table.stringRank(key) };
  core.tryDecodeToken = (rank) => {
    if (rank >= 0 && rank < table.count) return table.isBytes[rank] ? core.bytePairNonUtfRankDecoder.get(rank) : table.stringOf(rank);
    return core.specialTokensDecoder.get(rank);
  };
  // It counted the entries it was given: the vocabulary is every rank (and the special tokens).
  const specials = encoding.vocabularySize - core.mergeableBytePairRankCount;
  core.mergeableBytePairRankCount = table.present;
  (encoding as unknown as { vocabularySize: number }).vocabularySize = table.present + specials;
  return encoding;
}

export const o200k = buildO200k();
