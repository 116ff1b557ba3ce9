export * from './json-codec.js';
export * from './nats-transport.js';
export * from './bus-links.js';
export * from './reconnect-policy.js';
export * from './nats-connection.module.js';
export * from './usage-stream.js';
export * from './serve-requests.js';
export * from './usage-publisher.js';
