import { preset } from './jest.preset.js';

/**
 * End-to-end and integration tests: real PostgreSQL, Redis and NATS (named by DATABASE_URL,
 * REDIS_URL, NATS_URL), the upstream simulator, the official `openai` client. Run in band: each
 * file starts its own stack, and two stacks on one NATS would share their queue groups.
 */
export default preset({
  rootDir: '.',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  testTimeout: 30_000,
});
