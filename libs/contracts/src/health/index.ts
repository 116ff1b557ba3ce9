export * from './health.subjects.js';
export * from './health.schemas.js';
