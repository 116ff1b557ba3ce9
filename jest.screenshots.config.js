import { preset } from './jest.preset.js';

/** `npm run screenshots`: the console's pages against a seeded stack, written to docs/console/ (not a test of anything). */
export default preset({
  rootDir: '.',
  testMatch: ['<rootDir>/test/screenshots/**/*.screens.ts'],
  testTimeout: 180_000,
});
