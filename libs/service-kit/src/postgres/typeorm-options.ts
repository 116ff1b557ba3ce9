import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { MixedList } from 'typeorm';

export interface ServiceDatabaseOptions {
  url: string;
  /** The Postgres schema the service owns; its migrations table lives there too. */
  schema: string;
  entities: MixedList<Function>;
  migrations: MixedList<Function>;
}

/** Migrations run at start, inside one transaction each; `synchronize` is never on. */
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
    extra: { max: 10, connectionTimeoutMillis: 3000 },
  };
}
