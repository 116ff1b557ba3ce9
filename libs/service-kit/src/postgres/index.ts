/** `@chatgate/service-kit/postgres`: only services with tables load TypeORM and pg. */
export * from './typeorm-options.js';
export * from './migration-lock.js';
export * from './postgres-health.indicator.js';
export * from './group-commit.js';
export * from './rows-source.js';
export * from './row-faults.js';
