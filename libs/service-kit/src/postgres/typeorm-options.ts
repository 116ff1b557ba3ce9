import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { DataSourceOptions, MixedList } from 'typeorm';
import { MigrationLockingDataSource } from './migration-lock.js';

export interface ServiceDatabaseOptions {
  url: string;
  /** The Postgres schema the service owns; its migrations table lives there too. */
  schema: string;
  entities: MixedList<Function>;
  migrations: MixedList<Function>;
}

/**
 * Migrations run at start, inside one transaction each, under the schema's advisory lock (see
 * MigrationLockingDataSource); `synchronize` is never on. No retry loop at start: a failure is
 * reported once and the process exits, and the orchestrator (or the operator) starts it again.
 */
export function serviceTypeOrmOptions(opts: ServiceDatabaseOptions): TypeOrmModuleOptions {
  return {
    type: 'postgres',
    url: opts.url,
    schema: opts.schema,
    entities: opts.entities,
    migrations: opts.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    retryAttempts: 0,
    extra: { max: 10, connectionTimeoutMillis: 3000 },
  };
}

/** The service's TypeORM root module: its options, with migrations serialised across replicas. */
export function serviceTypeOrmModule(opts: ServiceDatabaseOptions): DynamicModule {
  return TypeOrmModule.forRootAsync({
    useFactory: () => serviceTypeOrmOptions(opts),
    dataSourceFactory: async (options) => new MigrationLockingDataSource(options as DataSourceOptions),
  });
}
