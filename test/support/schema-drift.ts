import { DataSource } from 'typeorm';
import type { MixedList } from 'typeorm';
import { preparePostgres } from '@chatgate/service-kit';
import { createTestDatabase } from './test-database.js';

/** What a service hands TypeORM: its schema, the entities it maps and its migrations in order. */
export interface ServiceSchema {
  schema: string;
  entities: MixedList<Function>;
  migrations: Function[];
}

export interface CatalogSnapshot {
  columns: string[];
  indexes: string[];
  constraints: string[];
}

/** A database of its own with the service's schema created, as the service does at start, and a DataSource on it (not migrated). */
export async function freshDataSource(service: ServiceSchema): Promise<{ dataSource: DataSource; close(): Promise<void> }> {
  const database = await createTestDatabase();
  await preparePostgres(database.url, service.schema);
  const dataSource = new DataSource({
    type: 'postgres',
    url: database.url,
    schema: service.schema,
    entities: service.entities,
    migrations: service.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
  });
  await dataSource.initialize();
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

/**
 * The statements TypeORM would run to make the database match the entities: after the migrations
 * have run, anything here means an entity and the migrations disagree (a column, type, default,
 * nullability, index, unique, check or foreign key one side has and the other has not).
 */
export async function entityDrift(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query.replace(/\s+/g, ' ').trim());
}

/** The schema as Postgres describes it: every column, index and constraint, as text, sorted. */
export async function catalogOf(dataSource: DataSource, schema: string): Promise<CatalogSnapshot> {
  const columns: Array<{ line: string }> = await dataSource.query(
    `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '-') AS line
       FROM information_schema.columns WHERE table_schema = $1 ORDER BY 1`,
    [schema],
  );
  const indexes: Array<{ line: string }> = await dataSource.query(`SELECT indexdef AS line FROM pg_indexes WHERE schemaname = $1 ORDER BY 1`, [schema]);
  const constraints: Array<{ line: string }> = await dataSource.query(
    `SELECT rel.relname || '.' || c.conname || ' ' || pg_get_constraintdef(c.oid) AS line
       FROM pg_constraint c JOIN pg_class rel ON rel.oid = c.conrelid JOIN pg_namespace n ON n.oid = rel.relnamespace
      WHERE n.nspname = $1 ORDER BY 1`,
    [schema],
  );
  return { columns: columns.map((r) => r.line), indexes: indexes.map((r) => r.line), constraints: constraints.map((r) => r.line) };
}

/** Tables of the schema, but the migrations' own. */
export async function tablesOf(dataSource: DataSource, schema: string): Promise<string[]> {
  const rows: Array<{ name: string }> = await dataSource.query(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'migrations' ORDER BY 1`, [schema]);
  return rows.map((r) => r.name);
}
