import { describe, expect, it } from '@jest/globals';
import { renderMePage, renderRefusedPage } from './me-page.js';

describe('user page', () => {
  it('shows the name (escaped), the base URL, today and the per-model table', () => {
    const html = renderMePage({ name: '<ivy>', baseUrl: 'http://h:1/p/v1', today: 3, models: [{ model: 'gpt-4o', requests: 4, errors: 1 }] });
    expect(html).toContain('<h1>&lt;ivy&gt;</h1>');
    expect(html).toContain('<code id="base-url">http://h:1/p/v1</code>');
    expect(html).toContain('<strong id="today">3</strong>');
    expect(html).toContain('<td data-model="gpt-4o">4</td><td>1</td>');
  });

  it('says so when usage is unavailable or empty', () => {
    expect(renderMePage({ name: 'a', baseUrl: 'u', today: null, models: null })).toContain('unavailable');
    expect(renderMePage({ name: 'a', baseUrl: 'u', today: 0, models: [] })).toContain('No requests in the last 24 hours.');
    expect(renderRefusedPage('No <b>')).toContain('No &lt;b&gt;');
  });
});
