import { describe, expect, it } from '@jest/globals';
import { prefersHtml } from './accept.js';

describe('prefersHtml', () => {
  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    ['text/html', true],
    ['text/*', true],
    ['application/json', false],
    ['*/*', false],
    [undefined, false],
    ['', false],
    ['application/json, text/html;q=0.5', false],
    ['text/html;q=0.9, application/json;q=0.1', true],
    ['text/html;q=0, */*', false],
  ])('%s → %s', (accept, html) => {
    expect(prefersHtml(accept)).toBe(html);
  });
});
