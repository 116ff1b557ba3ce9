/** What the user page shows: nothing secret (the base URL is public; the user already holds their token). */
export interface MePageView {
  name: string;
  baseUrl: string;
  /** Requests today (UTC) that did not fail; null when the usage service did not answer. */
  today: number | null;
  /** Per model over the last 24 hours; null when the usage service did not answer. */
  models: Array<{ model: string; requests: number; errors: number }> | null;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = 'body{font:15px/1.5 system-ui,sans-serif;max-width:720px;margin:2rem auto;padding:0 1rem}code{background:#f6f8fa;padding:.1em .3em}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .6em;text-align:left}';

function shell(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escape(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}

export function renderMePage(view: MePageView): string {
  const unavailable = '<em>unavailable (the usage service did not answer)</em>';
  const models = view.models === null
    ? `<p>${unavailable}</p>`
    : view.models.length === 0
      ? '<p>No requests in the last 24 hours.</p>'
      : `<table><tr><th>model</th><th>requests</th><th>failed</th></tr>${view.models
          .map((m) => `<tr><td><code>${escape(m.model)}</code></td><td data-model="${escape(m.model)}">${m.requests}</td><td>${m.errors}</td></tr>`)
          .join('')}</table>`;
  return shell(
    `chatgate: ${view.name}`,
    `<h1>${escape(view.name)}</h1>
<h2>Use it from an OpenAI client</h2>
<p>Base URL: <code id="base-url">${escape(view.baseUrl)}</code>, with your token as the API key.</p>
<h2>Usage</h2>
<p>Requests today (UTC): ${view.today === null ? unavailable : `<strong id="today">${view.today}</strong>`}</p>
<h3>Last 24 hours, per model</h3>
${models}`,
  );
}

/** The answer when the browser is not signed in (no cookie, a forgotten session, a refused token). */
export function renderRefusedPage(message: string): string {
  return shell('chatgate: not signed in', `<h1>Not signed in</h1><p>${escape(message)}</p><p>Open your login link again, or ask your administrator for a new one.</p>`);
}
