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
