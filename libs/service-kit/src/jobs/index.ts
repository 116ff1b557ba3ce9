export * from './worker-capacity.js';
export * from './job-worker.js';
export * from './job-client.js';
export * from './job-flow.js';
export * from './job-worker.service.js';
