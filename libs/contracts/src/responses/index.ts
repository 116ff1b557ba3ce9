export * from './responses-request.schema.js';
export * from './responses-store.schemas.js';
