export * from './env-schema.js';
export * from './load-config.js';
export * from './mask.js';
export * from './price-table.js';
export * from './secrets.js';
