export * from './usage.subjects.js';
export * from './usage-event.schema.js';
export * from './usage-limit.schema.js';
export * from './usage-query.schema.js';
export * from './dead-letter.schema.js';
export * from './usage-series.schema.js';
