import { describe, expect, it } from '@jest/globals';
import { toCsv } from '../src/lib/csv';

describe('toCsv', () => {
  const columns = [
    { header: 'name', value: (r: { name: string; n: number | null }) => r.name },
    { header: 'n', value: (r: { name: string; n: number | null }) => r.n },
  ];

  it('writes a header and one CRLF line per row, quoting what needs it', () => {
    expect(toCsv([{ name: 'plain', n: 1 }, { name: 'a, "b"\nc', n: null }], columns)).toBe('name,n\r\nplain,1\r\n"a, ""b""\nc",\r\n');
  });

  it('defuses cells a spreadsheet would run as formulas, but not numbers', () => {
    const csv = toCsv([{ name: '=HYPERLINK("x")', n: -3 }, { name: '@SUM(A1)', n: 0 }, { name: '+1', n: 2 }], columns);
    expect(csv.split('\r\n').slice(1, 4)).toEqual([`"'=HYPERLINK(""x"")",-3`, "'@SUM(A1),0", "'+1,2"]);
  });
});
