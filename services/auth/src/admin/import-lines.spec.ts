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
});
