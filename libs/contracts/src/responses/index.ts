export * from './responses-request.schema.js';
