export * from './usage-event.js';
