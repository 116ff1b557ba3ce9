import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { authEnv, conversationEnv, parseConfig, usageEnv } from '@chatgate/config';
import { RefreshQueue, startAuth } from '@chatgate/auth';
import { startConversation } from '@chatgate/conversation';
import { startUsage } from '@chatgate/usage';
import type { RunningService } from '@chatgate/service-kit';
import { testEnv } from '@chatgate/testing';
import { AUTH_MIGRATIONS } from '../../services/auth/src/migrations/index.js';
import { CONVERSATION_MIGRATIONS } from '../../services/conversation/src/migrations/index.js';
import { USAGE_MIGRATIONS } from '../../services/usage/src/migrations/index.js';
import { createTestDatabase } from '../support/test-database.js';
import { deleteUsageStream, newUsageStreamSuffix } from '../support/usage-stream.js';

/**
 * A rollout starts several replicas against a database at once; on a fresh database every one of them
 * finds every migration pending. The migration run holds a Postgres advisory lock per schema, so the
 * first replica migrates and the others wait, then find nothing left to do.
 */
describe('two replicas of each service starting at the same moment against a fresh database', () => {
  const database = { url: '', drop: async () => undefined } as Awaited<ReturnType<typeof createTestDatabase>>;
  const suffix = newUsageStreamSuffix();
  const running: RunningService[] = [];
  let outcomes: PromiseSettledResult<RunningService>[] = [];
  let db: pg.Client;

  beforeAll(async () => {
    Object.assign(database, await createTestDatabase());
    // No upstream is asked here, but the default one is the real one: development secrets are refused for it.
    const env = { DATABASE_URL: database.url, USAGE_STREAM_SUFFIX: suffix, TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'), FILE_LINK_SECRET: randomBytes(32).toString('base64') };
    const auth = () => startAuth(parseConfig(authEnv, testEnv(env)));
    const conversation = () => startConversation(parseConfig(conversationEnv, testEnv(env)));
    const usage = () => startUsage(parseConfig(usageEnv, testEnv(env)));
    outcomes = await Promise.allSettled([auth(), auth(), conversation(), conversation(), usage(), usage()]);
    for (const outcome of outcomes) if (outcome.status === 'fulfilled') running.push(outcome.value);
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    // The first two are the auth replicas; their refresh queue's Redis keys are named after the database.
    const auth = outcomes.slice(0, 2).find((o): o is PromiseFulfilledResult<RunningService> => o.status === 'fulfilled');
    await auth?.value.app.get(RefreshQueue).queue.obliterate({ force: true });
    await Promise.all(running.map((r) => r.close()));
    await deleteUsageStream(suffix);
    await database.drop();
  });

  it('all come up, without an error', () => {
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
    expect(failures).toEqual([]);
    expect(running).toHaveLength(6);
  });

  it.each([
    ['auth', AUTH_MIGRATIONS.length],
    ['conversation', CONVERSATION_MIGRATIONS.length],
    ['usage', USAGE_MIGRATIONS.length],
  ])('ran each %s migration once', async (schema, migrations) => {
    const rows = (await db.query<{ name: string; runs: number }>(`SELECT name, count(*)::int AS runs FROM "${schema}".migrations GROUP BY name`)).rows;
    expect(rows).toHaveLength(migrations);
    expect(rows.every((r) => r.runs === 1)).toBe(true);
  });
});
