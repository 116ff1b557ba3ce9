/**
 * The rows an INSERT takes, as SQL and parameters (numbered from `firstParam`): one row as `VALUES`
 * with a parameter per value, several as `SELECT * FROM unnest(…)` with an array per column. Measured
 * here (BENCHMARKS.md, session 8): for one row of twelve columns unnest costs Postgres 0.6 ms against
 * 0.25–0.35 for VALUES, for a hundred rows 1.5 ms against 3.2, so a batch of one — every write of an
 * idle service — goes as VALUES. `extra` is an expression appended to every row (e.g. an expiry from
 * `now()`).
 */
export function rowsSource(rows: ReadonlyArray<ReadonlyArray<unknown>>, types: ReadonlyArray<string>, firstParam = 1, extra?: string): { sql: string; params: unknown[] } {
  const tail = extra ? `, ${extra}` : '';
  if (rows.length === 1) {
    return { sql: `VALUES (${types.map((type, i) => `$${firstParam + i}::${type}`).join(', ')}${tail})`, params: [...rows[0]] };
  }
  return {
    sql: `SELECT *${tail} FROM unnest(${types.map((type, i) => `$${firstParam + i}::${type}[]`).join(', ')})`,
    params: types.map((_, i) => rows.map((row) => row[i])),
  };
}
