import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { Redis } from 'ioredis';
import { QueryFailedError } from 'typeorm';
import { testEnv } from '@chatgate/testing';
import { isRowFault } from '@chatgate/service-kit/postgres';
import { describeFault, isRedisTransient } from './store-faults.js';

/** The classification against the drivers' real errors: what is waited out, what is dead-lettered or skipped. */
describe('store faults', () => {
  let db: pg.Client;
  beforeAll(async () => {
    db = new pg.Client({ connectionString: testEnv().DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
    await db.connect();
  });
  afterAll(() => db?.end());

  const pgError = (sql: string, params: unknown[]) => db.query(sql, params).then(() => undefined, (err: unknown) => err);

  it("calls a row's fault what Postgres refuses in the data, through TypeORM's wrapper too", async () => {
    for (const [sql, params, code] of [
      ['SELECT $1::text', ['a\u0000b'], '22021'],
      ['SELECT $1::int', ['3000000000'], '22003'],
      ['SELECT 1/0', [], '22012'],
    ] as const) {
      const err = await pgError(sql, [...params]);
      expect((err as { code: string }).code).toBe(code);
      expect(isRowFault(err)).toBe(true);
      expect(isRowFault(new QueryFailedError(sql, [...params], err as Error))).toBe(true);
      expect(describeFault(err)).toMatch(new RegExp(`^${code}: `));
    }
    expect(isRowFault(new RangeError('Invalid time value'))).toBe(true);
  });

  it("calls the store's fault what waiting can cure: no connection, a missing table, a deadlock", async () => {
    expect(isRowFault(await pgError('SELECT * FROM usage.no_such_table', []))).toBe(false);
    const unreachable = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2000 });
    expect(isRowFault(await unreachable.connect().then(() => undefined, (err: unknown) => err))).toBe(false);
    await unreachable.end().catch(() => undefined);
    expect(isRowFault(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(false);
    expect(isRowFault(new Error('Connection terminated unexpectedly'))).toBe(false);
  });

  it('retries a settlement only while Redis is unreachable or busy', async () => {
    const down = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    const unreachable = await down.connect().then(() => undefined, (err: unknown) => err);
    expect(isRedisTransient(unreachable)).toBe(true);
    expect(isRedisTransient(await down.get('x').then(() => undefined, (err: unknown) => err))).toBe(true);
    down.disconnect();
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const refused = await redis.eval("return redis.error_reply('CROSSSLOT Keys in request don''t hash to the same slot')", 0).then(() => undefined, (err: unknown) => err);
      expect(isRedisTransient(refused)).toBe(false);
      const loading = await redis.eval("return redis.error_reply('LOADING Redis is loading the dataset in memory')", 0).then(() => undefined, (err: unknown) => err);
      expect(isRedisTransient(loading)).toBe(true);
    } finally {
      await redis.quit();
    }
    expect(isRedisTransient(new Error('Redis keys of one script must share a hash tag: chatgate:billing:user:x{y:u:held'))).toBe(false);
  });
});
