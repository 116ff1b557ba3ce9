export * from './accounts.subjects.js';
export * from './accounts.schemas.js';
