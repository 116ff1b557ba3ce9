import { afterEach, describe, expect, it } from '@jest/globals';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AUTH_SCHEMA } from '@chatgate/auth';
import { CONVERSATION_MIGRATIONS, CONVERSATION_SCHEMA } from '@chatgate/conversation';
import { USAGE_MIGRATIONS, USAGE_SCHEMA } from '@chatgate/usage';
import { catalogOf, entityDrift, freshDataSource, tablesOf, type ServiceSchema } from '../support/schema-drift.js';

/**
 * Migrations against the code, for every service with tables, on a fresh database of the real
 * Postgres: the entities must describe exactly what the migrations build (TypeORM's schema diff
 * is empty), and every migration must undo cleanly so that running them again builds the same schema.
 * Services that query by SQL alone (usage, conversation) declare no entities; their diff is empty
 * by construction and the round trip is their check.
 */
const SERVICES: Record<string, ServiceSchema> = {
  auth: { schema: AUTH_SCHEMA, entities: AUTH_ENTITIES, migrations: AUTH_MIGRATIONS },
  usage: { schema: USAGE_SCHEMA, entities: [], migrations: USAGE_MIGRATIONS },
  conversation: { schema: CONVERSATION_SCHEMA, entities: [], migrations: CONVERSATION_MIGRATIONS },
};

describe('schema drift: entities and migrations agree', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  for (const [name, service] of Object.entries(SERVICES)) {
    it(`${name}: the migrations build what the entities describe, and undo and redo to the same schema`, async () => {
      const { dataSource, close } = await freshDataSource(service);
      closers.push(close);
      const ran = await dataSource.runMigrations({ transaction: 'each' });
      expect(ran.map((m) => m.name)).toEqual(service.migrations.map((m) => m.name));
      expect(await entityDrift(dataSource)).toEqual([]);

      const built = await catalogOf(dataSource, service.schema);
      expect(built.columns.length).toBeGreaterThan(0);
      for (let i = 0; i < service.migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await tablesOf(dataSource, service.schema)).toEqual([]);
      await dataSource.runMigrations({ transaction: 'each' });
      expect(await catalogOf(dataSource, service.schema)).toEqual(built);
    });
  }
});
