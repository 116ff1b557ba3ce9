// The deterministic answer for a prompt. Tests compute the same text with replyFor() and
// compare it with what came through the gateway, byte for byte.
import { parsePrompt, type Directives } from './directives.js';
import { splitChunks, wordChunks } from './chunking.js';

export interface ReplyPlan {
  text: string;
  reasoning: string | null;
  chunks: string[];
  reasoningChunks: string[];
  directives: Directives;
  stripped: string;
}

const VOCABULARY = [
  'alpha', 'bridge', 'cobalt', 'delta', 'ember', 'falcon', 'garden', 'harbor', 'island', 'jasper',
  'kernel', 'lantern', 'meadow', 'nectar', 'orbit', 'pepper', 'quartz', 'river', 'signal', 'timber',
  'umbra', 'velvet', 'willow', 'xenon', 'yonder', 'zephyr', 'amber', 'basalt', 'cedar', 'dune',
  'echo', 'fjord', 'granite', 'hollow', 'indigo', 'juniper', 'kestrel', 'lumen', 'maple', 'nimbus',
  'onyx', 'prairie', 'quill', 'ripple', 'summit', 'tundra', 'upland', 'vortex', 'whisper', 'yarrow',
  'the', 'a', 'of', 'and', 'to', 'in', 'with', 'over', 'under', 'near', 'quietly', 'bright', 'slow',
  'swift',
];

// FNV-1a: a stable 32-bit seed from the prompt, the same on every machine and run.
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// mulberry32: tiny, fast, good enough to look random.
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pseudoWords(seedText: string, count: number): string {
  if (count === 0) return '';
  const next = prng(fnv1a(seedText));
  const words: string[] = [];
  let sentenceStart = true;
  for (let i = 0; i < count; i++) {
    let word = VOCABULARY[Math.floor(next() * VOCABULARY.length)];
    if (sentenceStart) word = word[0].toUpperCase() + word.slice(1);
    sentenceStart = false;
    const last = i === count - 1;
    // Sentences of roughly 6-14 words read like prose and give the text some punctuation.
    if (last || next() < 0.1) {
      word += '.';
      sentenceStart = true;
    } else if (next() < 0.08) {
      word += ',';
    }
    words.push(word);
  }
  return words.join(' ');
}

const REASONING_MODEL = /^(o1|o3|o4|gpt-5-thinking)/;

export function modelReasons(model: string | undefined): boolean {
  return model !== undefined && REASONING_MODEL.test(model);
}

export function reasoningText(stripped: string, words: number | undefined): string {
  if (words !== undefined) {
    return `The user wants a reply of ${words} words. I will draw them from the vocabulary, seeded by the prompt.`;
  }
  return `The user wrote: ${stripped}. The task is to repeat it back, prefixed with "You said:".`;
}

// Plans are cached by prompt and model: benchmarks send the same prompt thousands of times,
// and a words=5000 reply should not be regenerated and re-split for each of them.
const CACHE_MAX = 512;
const cache = new Map<string, ReplyPlan>();

export function planReply(prompt: string, model?: string): ReplyPlan {
  const key = `${model ?? ''}\u0000${prompt}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const { stripped, directives } = parsePrompt(prompt);
  const text =
    directives.words !== undefined ? pseudoWords(stripped, directives.words) : `You said: ${stripped}`;
  const reasons = directives.reasoning ?? modelReasons(model);
  const reasoning = reasons ? reasoningText(stripped, directives.words) : null;
  const plan: ReplyPlan = {
    text,
    reasoning,
    chunks: splitChunks(text, directives.chunks),
    reasoningChunks: reasoning === null ? [] : wordChunks(reasoning),
    directives,
    stripped,
  };
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, plan);
  return plan;
}

/**
 * The exact answer text (and reasoning text, or null when the turn does not reason) the
 * simulator streams for this prompt, directives included as the client sent them. `model`
 * matters only for reasoning: slugs starting o1/o3/o4/gpt-5-thinking reason without a directive.
 */
export function replyFor(prompt: string, model?: string): { text: string; reasoning: string | null } {
  const plan = planReply(prompt, model);
  return { text: plan.text, reasoning: plan.reasoning };
}
