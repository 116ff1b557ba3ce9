import { describe, expect, it } from '@jest/globals';
import { renderDocsPage } from './docs-page.js';

describe('renderDocsPage', () => {
  const html = renderDocsPage({
    info: { title: 'T <admin>', version: '1' },
    paths: {
      '/admin/v1/things/{id}': {
        get: { operationId: 'getThing', summary: 'Show a <thing>', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } } },
        delete: { operationId: 'deleteThing', summary: 'Delete it', responses: { '404': { description: 'Not found' } } },
      },
    },
    components: { schemas: { Thing: { type: 'object' } } },
  });

  it('lists every operation with its method, path and summary', () => {
    expect(html).toContain('GET</span> <code>/admin/v1/things/{id}</code>');
    expect(html).toContain('DELETE</span>');
    expect(html).toContain('href="#getThing"');
    expect(html).toContain('id="schema-Thing"');
  });

  it('escapes what it shows', () => {
    expect(html).toContain('Show a &lt;thing&gt;');
    expect(html).toContain('T &lt;admin&gt;');
    expect(html).not.toContain('<thing>');
  });
});
