export * from './logging/index.js';
export * from './bus/index.js';
export * from './redis/index.js';
export * from './database/index.js';
export * from './health/index.js';
export * from './dependencies.js';
export * from './bootstrap.js';
