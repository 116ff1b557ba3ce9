import { describe, expect, it } from '@jest/globals';
import { accountListQuerySchema, IMPORT_MAX_LINES } from '@chatgate/contracts';
import { ApiError } from '../shared/errors/api-error.js';
import { importLinesOf, parseInput, splitLines } from './request-input.js';

function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('import input', () => {
  it('splits LF, CRLF and CR text into numbered lines, keeping blank ones so numbers match the editor', () => {
    expect(splitLines('a\nb\r\n\r\nc\rd')).toEqual(['a', 'b', '', 'c', 'd']);
  });

  it('takes text or an array of tokens', () => {
    expect(importLinesOf({ text: 't1\n# c\nt2' })).toEqual(['t1', '# c', 't2']);
    expect(importLinesOf({ tokens: ['t1', 't2'] })).toEqual(['t1', 't2']);
  });

  it('refuses anything else with 400 naming text', () => {
    for (const body of [undefined, {}, { text: 3 }, { tokens: 'x' }, { tokens: [1] }]) {
      const err = refusal(() => importLinesOf(body));
      expect(err.status).toBe(400);
      expect(err.body.param).toBe('text');
    }
  });

  it('refuses an import too large for one request', () => {
    expect(refusal(() => importLinesOf({ tokens: Array.from({ length: IMPORT_MAX_LINES + 1 }, () => 'x') })).body.code).toBe('import_too_large');
  });
});

describe('parseInput', () => {
  it('applies defaults and coerces query strings', () => {
    expect(parseInput(accountListQuerySchema, { page: '2' })).toEqual({ page: 2, limit: 50 });
  });

  it('names the bad field', () => {
    const err = refusal(() => parseInput(accountListQuerySchema, { limit: '1000' }));
    expect(err.status).toBe(400);
    expect(err.body.param).toBe('limit');
    expect(refusal(() => parseInput(accountListQuerySchema, { status: 'weird' })).body.param).toBe('status');
  });
});
