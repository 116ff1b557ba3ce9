export * from './job-protocol.js';
