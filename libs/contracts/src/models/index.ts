export * from './model-table.js';
export * from './limit-model.js';
export * from './model-access.js';
