export * from './wait-for.js';
export * from './test-env.js';
export * from './sse.js';
export * from './json.js';
export * from './proxies.js';
export * from './nats-server.js';
export * from './endless-answer.js';
