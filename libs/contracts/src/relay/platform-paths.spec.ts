import { describe, expect, it } from '@jest/globals';
import { storedResponsePathOf } from './platform-paths.js';

describe('stored response paths', () => {
  it.each([
    ['GET', '/responses/resp_1', { id: 'resp_1', view: 'response', method: 'GET' }],
    ['DELETE', '/responses/resp_1', { id: 'resp_1', view: 'response', method: 'DELETE' }],
    ['POST', '/responses/resp_1/cancel', { id: 'resp_1', view: 'cancel', method: 'POST' }],
    ['GET', '/responses/resp_1/input_items', { id: 'resp_1', view: 'input_items', method: 'GET' }],
    ['POST', '/responses/resp_1', null],
    ['GET', '/responses/resp_1/cancel', null],
    ['GET', '/responses/compact', null],
    ['POST', '/responses/input_tokens', null],
    ['GET', '/responses/a.b', null],
    ['GET', '/responses/resp_1/other', null],
  ])('%s %s', (method, path, expected) => {
    expect(storedResponsePathOf(method, path)).toEqual(expected);
  });
});
