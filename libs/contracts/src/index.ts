export * from './common/openai-error.js';
export * from './common/service-names.js';
export * from './health/index.js';
export * from './auth/index.js';
export * from './chat/index.js';
export * from './conversation/index.js';
export * from './accounts/index.js';
export * from './admin/index.js';
