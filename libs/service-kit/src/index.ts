// The core every service uses. Postgres and Redis plumbing live in their own entry points
// (`@chatgate/service-kit/postgres`, `/redis`) so a service that needs neither never loads them.
export * from './logging/index.js';
export * from './bus/index.js';
export * from './jobs/index.js';
export * from './health/index.js';
export * from './dependencies.js';
export * from './bootstrap.js';
export * from './usage/index.js';
export * from './upstream/base-url-rotation.js';
export * from './upstream/account-lease.client.js';
export * from './upstream/identity-source.js';
export * from './upstream/rotation.js';
export * from './upstream/upstream-failures.js';
export * from './net/index.js';
export * from './upstream/token-fingerprint.js';
export * from './upstream/read-capped.js';
export * from './observability/index.js';
