export { startUsage } from './usage.app.js';
export { UsageConsumer } from './events/usage-consumer.js';
export { LimitWindow } from './limits/limit-window.js';
export { USAGE_SCHEMA } from './app.module.js';
export { USAGE_MIGRATIONS } from './migrations/index.js';
