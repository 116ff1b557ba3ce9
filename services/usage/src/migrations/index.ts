import { CreateUsageTables1764000000000 } from './1764000000000-create-usage-tables.js';
import { AddSpend1764100000000 } from './1764100000000-add-spend.js';
import { AddDeadLetters1764200000000 } from './1764200000000-add-dead-letters.js';

/** In order. ESM builds cannot glob for migration files, so each one is listed here. */
export const USAGE_MIGRATIONS = [CreateUsageTables1764000000000, AddSpend1764100000000, AddDeadLetters1764200000000];
