import { describe, expect, it } from '@jest/globals';
import { rowsSource } from './rows-source.js';

describe('rowsSource', () => {
  it('gives one row as VALUES with a parameter per value, numbered from where it is told', () => {
    expect(rowsSource([['a', null, true]], ['text', 'text', 'boolean'], 2, 'now()')).toEqual({ sql: 'VALUES ($2::text, $3::text, $4::boolean, now())', params: ['a', null, true] });
  });

  it('gives several rows as unnest with an array per column', () => {
    expect(rowsSource([['a', 1], ['b', null]], ['text', 'int'])).toEqual({ sql: 'SELECT * FROM unnest($1::text[], $2::int[])', params: [['a', 'b'], [1, null]] });
  });
});
