// Shared Jest settings: native ESM (NestJS 12 is ESM-only), TypeScript through @swc/jest,
// workspace libraries resolved to their sources so tests never need a prior build of a lib.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(fileURLToPath(import.meta.url));
const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
delete swcrc.exclude;
delete swcrc.$schema;

export function preset(overrides = {}) {
  return {
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
    moduleNameMapper: {
      '^@chatgate/(contracts|config|protocol|service-kit|testing)$': `${root}/libs/$1/src/index.ts`,
      '^@chatgate/service-kit/(postgres|redis)$': `${root}/libs/service-kit/src/$1/index.ts`,
      '^@chatgate/protocol/o200k$': `${root}/libs/protocol/src/o200k/index.ts`,
      '^@chatgate/(gateway|auth|conversation|voice|usage)$': `${root}/services/$1/src/index.ts`,
      '^@chatgate/chatgpt-sim$': `${root}/tools/chatgpt-sim/src/index.ts`,
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    testMatch: ['<rootDir>/**/*.spec.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    ...overrides,
  };
}
