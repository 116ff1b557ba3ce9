import { describe, expect, it } from '@jest/globals';
import { parseImportLines } from './import-lines.js';

describe('parseImportLines', () => {
  it('numbers lines as given, drops blank ones, marks comments and repeated tokens', () => {
    const lines = ['# team accounts', 'eyJ.a.b', '', '   ', '  rt_abc  ', '#eyJ.commented.out', 'eyJ.a.b', 'sess,workspace-1'];
    expect(parseImportLines(lines)).toEqual([
      { line: 1, kind: 'comment' },
      { line: 2, kind: 'token', token: 'eyJ.a.b' },
      { line: 5, kind: 'token', token: 'rt_abc' },
      { line: 6, kind: 'comment' },
      { line: 7, kind: 'duplicate', firstLine: 2 },
      { line: 8, kind: 'token', token: 'sess,workspace-1' },
    ]);
  });

  it('treats an indented # as a comment and trailing carriage returns as space', () => {
    expect(parseImportLines(['  # note', 'rt_x\r'])).toEqual([
      { line: 1, kind: 'comment' },
      { line: 2, kind: 'token', token: 'rt_x' },
    ]);
  });

  it('gives nothing for nothing', () => {
    expect(parseImportLines([])).toEqual([]);
    expect(parseImportLines(['', ' ', '\t'])).toEqual([]);
  });

  it('takes a pretty-printed auth file as one entry among the other lines, numbered by its first line', () => {
    const file = JSON.stringify({ auth_mode: 'chatgpt', OPENAI_API_KEY: null, tokens: { id_token: 'eyJ.i.d', access_token: 'eyJ.a.t', refresh_token: 'rt_x}{"', account_id: 'acc' }, last_refresh: 'x' }, null, 2);
    const lines = ['eyJ.first.token', ...file.split('\n'), 'rt_after', '{"tokens": {"refresh_token": "rt_one_line"}}'];
    const parsed = parseImportLines(lines);
    expect(parsed).toEqual([
      { line: 1, kind: 'token', token: 'eyJ.first.token' },
      { line: 2, kind: 'token', token: file },
      { line: 2 + file.split('\n').length, kind: 'token', token: 'rt_after' },
      { line: 3 + file.split('\n').length, kind: 'token', token: '{"tokens": {"refresh_token": "rt_one_line"}}' },
    ]);
    expect(JSON.parse((parsed[1] as { token: string }).token).tokens.refresh_token).toBe('rt_x}{"');
  });

  it('gives an object never closed the rest of the lines (refused later as incomplete JSON)', () => {
    expect(parseImportLines(['{"tokens": {', '"access_token": "eyJ.a.b"', 'rt_swallowed'])).toEqual([{ line: 1, kind: 'token', token: '{"tokens": {\n"access_token": "eyJ.a.b"\nrt_swallowed' }]);
  });
});
