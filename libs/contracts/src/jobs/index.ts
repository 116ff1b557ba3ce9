export * from './job-protocol.js';
export * from './binary-frames.js';
export * from './flow-control.js';
