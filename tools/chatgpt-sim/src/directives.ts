// `[[sim key=value ...]]` directives: tests steer a single request through its prompt, so the
// same simulator serves every scenario without out-of-band setup.
import { isFailKind, type FailKind } from './types.js';
import { isToolScenario, type ToolScenario } from './scenarios.js';

export interface Directives {
  /** Reply is this many pseudo-random words instead of echoing the prompt. */
  words?: number;
  /** Split the reply into exactly this many chunks when the text allows it. */
  chunks?: number;
  /** Milliseconds between streamed chunks. */
  delay?: number;
  /** Milliseconds before the response headers. */
  ttfb?: number;
  fail?: FailKind;
  /** Answer chunks sent before stall / cut / stream_error / moderation strike. */
  after?: number;
  /** Seconds reported by a 429. */
  clearsIn?: number;
  /** true forces reasoning on, false off; absent: decided by the model slug. */
  reasoning?: boolean;
  /** Tool traffic before the answer: code and output, a web search, an image, a sandbox file. */
  tool?: ToolScenario;
  /**
   * The `error_code` a v1 stream_error document carries (default `internal_error`); e.g.
   * `model_cap_exceeded` or `rate_limit_exceeded`: the account's cap reached inside a 200 stream.
   */
  errorCode?: string;
  /**
   * Responses backends (Codex, /v1/responses): the function (or custom) tools the model calls, by
   * name; `none` answers in text although tools are present.
   */
  call?: string[];
  /** Responses backends: the arguments of those calls, as JSON (`args={"a":1}` or `args=b64:<base64url JSON>`). */
  args?: string;
  /** Codex backend: `empty` / `full` overrides the empty-output quirk of `response.completed` for this request. */
  output?: 'empty' | 'full';
  /** Responses backends: a stream_error strikes as a bare `error` event instead of `response.failed`. */
  errorEvent?: boolean;
  /** Responses backends: `usage.input_tokens_details.cached_tokens` reported for this request. */
  cached?: number;
}

export interface ParsedPrompt {
  /** The prompt without directives, trimmed. */
  stripped: string;
  directives: Directives;
}

// Surrounding whitespace goes with the directive so `a [[sim x=1]] b` strips to `a b`.
const DIRECTIVE = /\s*\[\[sim(?:\s+([^\]]*))?\]\]\s*/g;

function nonNegativeInt(value: string): number | undefined {
  if (!/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

function apply(directives: Directives, key: string, value: string): void {
  switch (key) {
    case 'words':
      directives.words = nonNegativeInt(value) ?? directives.words;
      break;
    case 'chunks':
      directives.chunks = nonNegativeInt(value) ?? directives.chunks;
      break;
    case 'delay':
      directives.delay = nonNegativeInt(value) ?? directives.delay;
      break;
    case 'ttfb':
      directives.ttfb = nonNegativeInt(value) ?? directives.ttfb;
      break;
    case 'after':
      directives.after = nonNegativeInt(value) ?? directives.after;
      break;
    case 'clears_in':
    case 'clearsIn':
      directives.clearsIn = nonNegativeInt(value) ?? directives.clearsIn;
      break;
    case 'fail':
      if (isFailKind(value)) directives.fail = value;
      break;
    case 'tool':
      if (isToolScenario(value)) directives.tool = value;
      break;
    case 'code':
      if (/^[a-z_]{1,64}$/.test(value)) directives.errorCode = value;
      break;
    case 'reasoning':
      directives.reasoning = value === '1' || value === 'true' || value === 'on';
      break;
    case 'call':
      if (/^[A-Za-z0-9_.,-]{1,256}$/.test(value)) directives.call = value.split(',').filter(Boolean);
      break;
    case 'args':
      directives.args = value.startsWith('b64:') ? Buffer.from(value.slice(4), 'base64url').toString('utf8') : value;
      break;
    case 'output':
      if (value === 'empty' || value === 'full') directives.output = value;
      break;
    case 'error':
      directives.errorEvent = value === 'event';
      break;
    case 'cached':
      directives.cached = nonNegativeInt(value) ?? directives.cached;
      break;
    default:
      // Unknown keys are ignored so old simulators tolerate newer tests.
      break;
  }
}

export function parsePrompt(prompt: string): ParsedPrompt {
  const directives: Directives = {};
  // Fast path: most benchmark prompts carry no directive.
  if (!prompt.includes('[[sim')) return { stripped: prompt.trim(), directives };
  const stripped = prompt
    .replace(DIRECTIVE, (_match, args: string | undefined) => {
      for (const pair of (args ?? '').trim().split(/\s+/)) {
        const eq = pair.indexOf('=');
        if (eq > 0) apply(directives, pair.slice(0, eq), pair.slice(eq + 1));
      }
      return ' ';
    })
    .trim();
  return { stripped, directives };
}
