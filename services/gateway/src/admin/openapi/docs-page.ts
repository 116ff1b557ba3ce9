/**
 * The admin API's OpenAPI document as one self-contained HTML page (no scripts, no CDN): each
 * operation with its method, path, summary, parameters and the JSON Schemas of its body and answer.
 */
interface OpenApiDocument {
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

interface Operation {
  summary?: string;
  operationId?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: unknown; description?: string }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const json = (value: unknown) => `<pre>${escape(JSON.stringify(value, null, 2))}</pre>`;

function schemaOf(content: Record<string, { schema?: unknown }> | undefined): unknown {
  return content ? Object.values(content)[0]?.schema : undefined;
}

function operationHtml(method: string, path: string, op: Operation): string {
  const params = (op.parameters ?? []).map((p) => `<tr><td><code>${escape(p.name)}</code></td><td>${escape(p.in)}</td><td>${p.required ? 'yes' : ''}</td><td>${escape(JSON.stringify(p.schema ?? {}))}</td></tr>`).join('');
  const body = schemaOf(op.requestBody?.content);
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => {
      const schema = schemaOf(r.content);
      return `<li><strong>${escape(status)}</strong> ${escape(r.description ?? '')}${schema ? `<details><summary>schema</summary>${json(schema)}</details>` : ''}</li>`;
    })
    .join('');
  return `<section id="${escape(op.operationId ?? `${method}-${path}`)}">
<h3><span class="m ${escape(method)}">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code></h3>
<p>${escape(op.summary ?? '')}</p>
${params ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${params}</table>` : ''}
${body ? `<details><summary>request body</summary>${json(body)}</details>` : ''}
<ul>${responses}</ul>
</section>`;
}

export function renderDocsPage(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths ?? {}).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
  const toc = operations.map(({ path, method, op }) => `<li><a href="#${escape(op.operationId ?? `${method}-${path}`)}">${escape(method.toUpperCase())} ${escape(path)}</a></li>`).join('');
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(([name, schema]) => `<details id="schema-${escape(name)}"><summary><code>${escape(name)}</code></summary>${json(schema)}</details>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(doc.info?.title ?? 'chatgate admin API')}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem}pre{background:#f6f8fa;padding:.5rem;overflow:auto}
.m{display:inline-block;min-width:4.5em;font-size:.8em;color:#fff;border-radius:3px;padding:0 .4em;text-align:center}.get{background:#2f80ed}.post{background:#27ae60}.delete{background:#c0392b}.patch{background:#e67e22}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left}section{border-top:1px solid #eee;padding-top:.5rem}</style></head>
<body><h1>${escape(doc.info?.title ?? 'chatgate admin API')} <small>${escape(doc.info?.version ?? '')}</small></h1>
<p>${escape(doc.info?.description ?? '')}</p><p>Machine-readable: <a href="openapi.json">openapi.json</a>.</p>
<h2>Operations</h2><ul>${toc}</ul>${operations.map(({ path, method, op }) => operationHtml(method, path, op)).join('\n')}
<h2>Schemas</h2>${schemas}</body></html>`;
}
