export * from './model-routes.schema.js';
export * from './route-model.js';
