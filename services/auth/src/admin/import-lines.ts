import { apiKeyAccountInputSchema, type ApiKeyAccountInput } from '@chatgate/contracts';

/**
 * A line holding an OpenAI-style API key (`sk-…`), optionally followed by a base URL. ChatGPT
 * tokens never start so (JWTs start `eyJ`, refresh tokens `rt_` or 45 bare characters).
 */
export function isApiKeyLine(line: string): boolean {
  return /^sk-[\x21-\x7e]+(\s+\S+)?$/.test(line);
}

/** The API-key account a `sk-… [base URL]` line enters, or why it cannot (never repeating the key). */
export function apiKeyLineInput(line: string): ApiKeyAccountInput | string {
  const [key, baseUrl] = line.split(/\s+/);
  const parsed = apiKeyAccountInputSchema.safeParse({ key, ...(baseUrl ? { base_url: baseUrl } : {}) });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return `${issue.path.join('.') || 'line'} ${issue.message}`;
}

/**
 * One import entry as auth reads it. Blank lines are dropped; `#` lines are comments; a token
 * already given on an earlier line is not entered twice (a refresh token entered twice would be
 * exchanged twice, and the upstream rotates it away on the first exchange). A JSON object (a pasted
 * `codex login` auth file, pretty-printed over many lines as Codex writes it) is ONE entry, numbered
 * by its first line.
 */
export type ImportLine =
  | { line: number; kind: 'token'; token: string }
  | { line: number; kind: 'comment' }
  | { line: number; kind: 'duplicate'; firstLine: number };

/**
 * How far a JSON text's braces are from closed (strings and their escapes skipped): 0 once the
 * object that opened it is complete.
 */
function braceDepth(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return depth;
}

export function parseImportLines(lines: readonly string[]): ImportLine[] {
  const seen = new Map<string, number>();
  const parsed: ImportLine[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    let text = lines[index].trim();
    if (!text) continue;
    if (text.startsWith('#')) {
      parsed.push({ line, kind: 'comment' });
      continue;
    }
    // An object spans the lines up to the one that closes it (or the end, where it is refused as incomplete).
    if (text.startsWith('{')) {
      while (braceDepth(text) > 0 && index + 1 < lines.length) text = `${text}\n${lines[++index]}`;
      text = text.trim();
    }
    const firstLine = seen.get(text);
    if (firstLine !== undefined) {
      parsed.push({ line, kind: 'duplicate', firstLine });
      continue;
    }
    seen.set(text, line);
    parsed.push({ line, kind: 'token', token: text });
  }
  return parsed;
}
