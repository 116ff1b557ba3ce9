export * from './admin.subjects.js';
export * from './admin-actor.schema.js';
export * from './account-view.schema.js';
export * from './account-import.schema.js';
export * from './compat.schemas.js';
export * from './refresh-pass.schema.js';
export * from './admin-bus.schemas.js';
