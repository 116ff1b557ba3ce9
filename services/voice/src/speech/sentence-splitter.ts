/** Where a piece that is one over-long sentence may still be cut sensibly: after clause punctuation, else at a space. */
const CLAUSE_END = /[,;:，；：、)\]]\s*$/u;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'sentence' });

/** Cuts one sentence longer than `max` into parts of at most `max` characters, at a clause or word boundary when there is one. */
function cutLongSentence(sentence: string, max: number): string[] {
  const parts: string[] = [];
  let rest = sentence;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = -1;
    // The latest clause boundary in the second half of the window, else the latest space.
    for (let i = window.length; i > max / 2; i--) {
      if (CLAUSE_END.test(window.slice(0, i))) {
        cut = i;
        break;
      }
    }
    if (cut < 0) {
      const space = window.lastIndexOf(' ');
      cut = space > 0 ? space + 1 : max;
    }
    // Never split a surrogate pair (an emoji would be spoken as two broken halves).
    if (cut < rest.length && /[\uD800-\uDBFF]/.test(rest[cut - 1])) cut -= 1;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest) parts.push(rest);
  return parts;
}

/**
 * Splits text into pieces of at most `max` characters at sentence boundaries (Unicode sentence
 * segmentation, so "。" and "?!" count as well as "."), packing whole sentences greedily. Only a
 * sentence longer than `max` is cut inside, at a clause or word boundary. The pieces joined give
 * the text back exactly; whitespace between sentences stays with the sentence before it.
 */
export function splitIntoPieces(text: string, max: number): string[] {
  if (max < 1) throw new RangeError('max must be at least 1');
  if (text.length <= max) return text ? [text] : [];
  const pieces: string[] = [];
  let current = '';
  for (const { segment } of segmenter.segment(text)) {
    for (const sentence of segment.length > max ? cutLongSentence(segment, max) : [segment]) {
      if (current.length + sentence.length > max && current) {
        pieces.push(current);
        current = '';
      }
      current += sentence;
    }
  }
  if (current) pieces.push(current);
  return pieces;
}
