export * from './auth.subjects.js';
export * from './auth.schemas.js';
