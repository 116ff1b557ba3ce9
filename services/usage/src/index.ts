export { startUsage } from './usage.app.js';
