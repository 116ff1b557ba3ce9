import { DataSource, type Migration } from 'typeorm';

type RunMigrationsOptions = Parameters<DataSource['runMigrations']>[0];

/**
 * The advisory-lock key of one service's migrations. One key per schema: replicas of a service wait
 * for each other, while different services (each with its own schema) migrate side by side.
 */
export function migrationLockKey(schema: string): string {
  return `chatgate:migrations:${schema}`;
}

/**
 * A DataSource whose migration run holds a Postgres advisory lock, so several replicas starting at
 * once against one database run each migration once: the first takes the lock and migrates, the
 * others wait, then find nothing pending. The lock is held on a connection of its own for the
 * session; a replica that dies while holding it releases it with its connection.
 */
export class MigrationLockingDataSource extends DataSource {
  override async runMigrations(options?: RunMigrationsOptions): Promise<Migration[]> {
    const schema = (this.options as { schema?: string }).schema ?? 'public';
    const key = migrationLockKey(schema);
    const lockHolder = this.createQueryRunner();
    await lockHolder.connect();
    try {
      await lockHolder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      try {
        return await super.runMigrations(options);
      } finally {
        await lockHolder.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
      }
    } finally {
      await lockHolder.release();
    }
  }
}
