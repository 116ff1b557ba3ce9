export * from './health-indicator.js';
export * from './health.service.js';
export * from './health.module.js';
export * from './event-loop-delay.js';
