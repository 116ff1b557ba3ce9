import { CreateUsageTables1764000000000 } from './1764000000000-create-usage-tables.js';

/** In order. ESM builds cannot glob for migration files, so each one is listed here. */
export const USAGE_MIGRATIONS = [CreateUsageTables1764000000000];
