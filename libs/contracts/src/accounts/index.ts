export * from './accounts.subjects.js';
export * from './accounts.schemas.js';
export * from './api-key-models.js';
export * from './plan-models.js';
