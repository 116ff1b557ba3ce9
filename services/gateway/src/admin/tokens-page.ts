import type { AdminPoolSummary } from '@chatgate/contracts';

type CodexRow = NonNullable<AdminPoolSummary['codex']>[number];

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function windowCell(window: CodexRow['usage']['primary']): string {
  if (!window) return '–';
  const hours = window.windowMinutes >= 60 ? `${Math.round(window.windowMinutes / 60)} h` : `${window.windowMinutes} min`;
  return `${Math.round(window.usedPercent)} % of ${hours}${window.resetsAt ? ` (resets ${escapeHtml(window.resetsAt)})` : ''}`;
}

function creditsCell(credits: CodexRow['usage']['credits']): string {
  if (!credits) return '–';
  if (credits.unlimited) return 'unlimited';
  return credits.balance !== null ? String(credits.balance) : credits.hasCredits ? 'yes' : 'none';
}

/** The Codex logins with their usage windows as the upstream last reported them; empty without any. */
function codexTable(rows: CodexRow[]): string {
  if (!rows.length) return '';
  const body = rows
    .map((r) => {
      const held = r.usage.limitedUntil ? ` (usage limit until ${escapeHtml(r.usage.limitedUntil)})` : '';
      return `<tr><td>${escapeHtml(r.label)}</td><td>${escapeHtml(r.usage.plan ?? '?')}</td><td>${escapeHtml(r.status)}${held}</td><td>${windowCell(r.usage.primary)}</td><td>${windowCell(r.usage.secondary)}</td><td>${creditsCell(r.usage.credits)}</td></tr>`;
    })
    .join('\n');
  return `<h2>Codex accounts</h2>
<table style="border-collapse: collapse" cellpadding="4">
<tr><th>account</th><th>plan</th><th>status</th><th>primary window</th><th>secondary window</th><th>credits</th></tr>
${body}
</table>
`;
}

/** chat2api's `/tokens` page, for a browser: the count and how to change it, and the Codex logins' usage. Every user-controlled text is escaped. */
export function tokensPage(count: number, codex: CodexRow[] = []): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>chatgate · tokens</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 60rem; margin: 3rem auto">
<h1>Tokens</h1>
<p>Usable accounts in the pool: <strong>${Math.trunc(count)}</strong></p>
<p>Upload tokens (one a line, <code>#</code> lines skipped; a pasted <code>codex login</code> auth file is one entry; <code>kind=codex</code> for Codex refresh tokens) with <code>POST tokens/upload</code>, list the ones that need a new token with
<code>POST tokens/error</code>, remove them all with <code>POST tokens/clear</code>; every call with <code>Authorization: Bearer &lt;ADMIN_PASSWORD&gt;</code>.
The full admin API is described at <code>admin/v1/openapi.json</code>.</p>
${codexTable(codex)}</body>
</html>
`;
}
