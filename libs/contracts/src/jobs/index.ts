export * from './job-protocol.js';
export * from './flow-control.js';
