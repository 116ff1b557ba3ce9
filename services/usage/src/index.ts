export { startUsage } from './usage.app.js';
export { UsageConsumer } from './events/usage-consumer.js';
export { LimitWindow } from './limits/limit-window.js';
