// Splits text into stream chunks whose concatenation is exactly the text. Never splits inside a
// code point, so multi-byte UTF-8 (emoji, CJK) always travels whole.

// One chunk per word with its trailing spaces; CJK has no spaces, so each ideograph/kana/hangul
// is its own "word", roughly as a tokenizer would stream it.
const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
const WORD = new RegExp(`\\s+|[${CJK}]\\s*|[^\\s${CJK}]+\\s*`, 'gu');

export function wordChunks(text: string): string[] {
  const found = text.match(WORD);
  if (!found) return [];
  // A leading run of spaces rides with the first word instead of being a chunk of its own.
  if (found.length > 1 && found[0].trim() === '') {
    found[1] = found[0] + found[1];
    found.shift();
  }
  return found;
}

function group(items: string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * items.length) / n);
    const to = Math.floor(((i + 1) * items.length) / n);
    out.push(items.slice(from, to).join(''));
  }
  return out;
}

/** `count` chunks when the text has at least that many code points; otherwise one per code point. */
export function splitChunks(text: string, count?: number): string[] {
  if (text === '') return [];
  const words = wordChunks(text);
  if (count === undefined || count <= 0) return words;
  if (count <= words.length) return group(words, count);
  const codePoints = Array.from(text);
  if (count >= codePoints.length) return codePoints;
  return group(codePoints, count);
}
