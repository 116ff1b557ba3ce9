import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/** Paths below are relative to the repository root, wherever eslint is started from. */
const ROOT = import.meta.dirname;
const SERVICES = ['gateway', 'auth', 'conversation', 'voice', 'usage'];

/** The sub-folders of a service's `src/`. Read here, so a new feature folder is under the rules without a line added. */
const foldersOf = (src) => readdirSync(join(ROOT, src), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

/** Feature folders side by side: none imports another; the folders below them (`shared/`…) import none of them. */
function featureZones(src, features, below) {
  const floor = below.length === 1 ? `${src}/${below[0]}` : 'the folders below';
  return [
    ...features.map((feature) => ({
      target: `${src}/${feature}`,
      from: features.filter((other) => other !== feature).map((other) => `${src}/${other}`),
      message: `A feature folder never imports another feature folder: the piece both use belongs in ${floor}.`,
    })),
    { target: below.map((folder) => `${src}/${folder}`), from: features.map((f) => `${src}/${f}`), message: `The folders below the features (${below.join(', ')}) import none of them.` },
  ];
}

const gatewayFeatures = foldersOf('services/gateway/src').filter((f) => f !== 'shared');
const conversationFeatures = foldersOf('services/conversation/src').filter((f) => f !== 'shared' && f !== 'migrations');
/** Auth's entry points (the admin API, bootstrap, the CLI) over its domain folders, which lean on each other. */
const authEntryPoints = ['admin', 'bootstrap', 'cli'];
const authDomain = foldersOf('services/auth/src').filter((f) => !authEntryPoints.includes(f));

/** A service imports libs only; its tests may also drive the upstream simulator (`tools/chatgpt-sim`). */
const serviceZones = (forTests) => [
  ...SERVICES.map((service) => ({ target: `services/${service}`, from: 'services', except: [`./${service}`], message: 'A service imports libs only, never another service.' })),
  { target: 'services', from: 'tools', except: forTests ? ['./chatgpt-sim'] : [], message: forTests ? 'A service test may use the simulator, no other tool.' : 'A service imports libs only, never a tool.' },
];

/** Module rules, checked on resolved paths (a relative path or a `@chatgate/*` package alike). */
const MODULE_ZONES = [
  { target: 'libs', from: ['services', 'tools'], message: 'Libs never import a service or a tool.' },
  { target: 'libs/contracts', from: 'libs', except: ['./contracts'], message: 'libs/contracts imports only zod.' },
  { target: 'tools/chatgpt-sim', from: ['libs', 'services', 'tools'], except: ['./chatgpt-sim'], message: 'The simulator imports nothing of ours: it has its own encoders.' },
  ...featureZones('services/gateway/src', gatewayFeatures, ['shared']),
  ...featureZones('services/conversation/src', conversationFeatures, ['shared']),
  ...featureZones('services/auth/src', authEntryPoints, authDomain),
];

const OTHER_SERVICES = (service) => SERVICES.filter((s) => s !== service).map((s) => `@chatgate/${s}`);

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.nx/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // `.js` specifiers name `.ts` sources; workspace packages resolve to their sources (the `types` condition).
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'], extensionAlias: { '.js': ['.ts', '.js'] }, conditionNames: ['types', 'import', 'default'] })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
      // Configuration is read once at boot through @chatgate/config; nothing else reads the environment.
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through @chatgate/config.' }],
      'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: [...serviceZones(false), ...MODULE_ZONES] }],
    },
  },
  { files: ['**/*.spec.ts'], rules: { 'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: [...serviceZones(true), ...MODULE_ZONES] }] } },
  // The same rules by package name, so they hold even where a path does not resolve (no build, a typo).
  ...SERVICES.map((service) => ({
    files: [`services/${service}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: OTHER_SERVICES(service), message: 'A service imports libs only, never another service.' }] }] },
  })),
  {
    files: ['libs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: SERVICES.map((s) => `@chatgate/${s}`), message: 'Libs never import a service.' }] }] },
  },
  {
    files: ['libs/contracts/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!zod(/|$)|\\.{1,2}/)', message: 'libs/contracts imports only zod (and its own files).' }] }] },
  },
  {
    files: ['tools/chatgpt-sim/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['@chatgate/*'], message: 'The simulator imports nothing of ours: it has its own encoders.' }] }] },
  },
  {
    files: ['libs/config/src/**', 'libs/testing/src/**', 'tools/**', 'test/**', '**/*.spec.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', URL: 'readonly', AbortSignal: 'readonly' } },
  },
);
