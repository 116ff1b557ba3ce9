export * from './files.subjects.js';
export * from './files.schemas.js';
