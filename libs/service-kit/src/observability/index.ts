export * from './request-context.js';
export * from './metrics.js';
export * from './tracing.js';
export * from './bus.js';
export * from './http.js';
export * from './observability.module.js';
