export * from './upstream-kind.js';
export * from './model-routes.schema.js';
export * from './route-model.js';
export * from './route-request.js';
