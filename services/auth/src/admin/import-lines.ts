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
 * One import line as auth reads it. Blank lines are dropped; `#` lines are comments; a token
 * already given on an earlier line is not entered twice (a refresh token entered twice would be
 * exchanged twice, and the upstream rotates it away on the first exchange).
 */
export type ImportLine =
  | { line: number; kind: 'token'; token: string }
  | { line: number; kind: 'comment' }
  | { line: number; kind: 'duplicate'; firstLine: number };

export function parseImportLines(lines: readonly string[]): ImportLine[] {
  const seen = new Map<string, number>();
  const parsed: ImportLine[] = [];
  lines.forEach((raw, index) => {
    const line = index + 1;
    const text = raw.trim();
    if (!text) return;
    if (text.startsWith('#')) {
      parsed.push({ line, kind: 'comment' });
      return;
    }
    const firstLine = seen.get(text);
    if (firstLine !== undefined) {
      parsed.push({ line, kind: 'duplicate', firstLine });
      return;
    }
    seen.set(text, line);
    parsed.push({ line, kind: 'token', token: text });
  });
  return parsed;
}
