export * from './typeorm-options.js';
