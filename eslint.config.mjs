// Lint: typescript-eslint's recommended rules, and the import directions that keep the
// layout honest (docs/architecture.md): the domain is pure, workflows are deterministic,
// the API never reaches into activities, and dev tooling stays out of what ships.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const IO_PACKAGES = '^(knex|pg|koa|koa-.*|@koa/.*|@temporalio/.*)$';
const layer = (...names) => `(^|/)(${names.join('|')})(/|$)`;

/** One no-restricted-imports rule per folder: `patterns` are regexes on the import path. */
const restrict = (...patterns) => ({
  'no-restricted-imports': 'off',
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
});

const DEVENV = { regex: layer('devenv'), message: 'devenv/ is dev tooling: only scripts/, test/ and bench/ use it.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.cache/**', '.data/**', 'test-artifacts/**', 'api/public/**', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A handler may be declared before the timer or server it stops exists.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['contract/**/*.ts'],
    rules: restrict(
      { regex: '^(?!@temporalio/(workflow|common)$|\\./|\\.\\./).*', message: 'contract/ is shared with workflow code: no I/O, no other layers.' },
      { regex: layer('domain', 'db', 'platform', 'activities', 'api', 'worker', 'workflows', 'devenv', 'scripts'), message: 'contract/ depends on nothing else in the project.' },
    ),
  },
  {
    files: ['domain/**/*.ts'],
    rules: restrict(
      { regex: IO_PACKAGES, message: 'domain/ is pure: no database, Temporal or Koa (take what you need as an argument).' },
      { regex: layer('db', 'platform', 'activities', 'api', 'worker', 'workflows', 'devenv', 'scripts', 'test', 'bench'), message: 'domain/ imports only domain/ and contract/.' },
    ),
  },
  {
    files: ['db/**/*.ts'],
    rules: restrict(
      { regex: '^(koa|koa-.*|@koa/.*|@temporalio/.*)$', message: 'db/ is data access only: no Temporal, no Koa.' },
      { regex: layer('activities', 'api', 'worker', 'workflows', 'devenv', 'scripts', 'test', 'bench'), message: 'db/ imports only contract/, domain/ and platform/.' },
    ),
  },
  {
    files: ['workflows/**/*.ts'],
    rules: restrict(
      { regex: '^(?!@temporalio/workflow$|\\./|\\.\\./contract/|\\.\\./activities/).*', message: 'Workflow code is replayed: it imports only @temporalio/workflow, contract/ and its own folder.' },
      { regex: '^\\.\\./activities/', allowTypeImports: true, message: 'Workflows import activities as types only (proxyActivities).' },
    ),
  },
  {
    files: ['api/**/*.ts'],
    rules: restrict(
      { regex: layer('activities', 'workflows', 'worker'), message: 'The API starts workflows by name through the contract; it never imports activities or workflows.' },
      DEVENV,
      { regex: layer('scripts', 'test', 'bench'), message: 'Production code does not import scripts, tests or benches.' },
    ),
  },
  {
    files: ['activities/**/*.ts', 'platform/**/*.ts', 'worker/**/*.ts', 'migrations/**/*.ts', 'knexfile.ts'],
    rules: restrict(DEVENV, { regex: layer('api', 'scripts', 'test', 'bench'), message: 'Production code does not import the API, scripts or tests.' }),
  },
  {
    files: ['activities/**/*.ts'],
    rules: restrict(
      DEVENV,
      { regex: layer('api', 'worker', 'workflows', 'scripts', 'test', 'bench'), message: 'Activities are called by workflows; they import contract/, domain/, db/ and platform/.' },
    ),
  },
  {
    // Tests may use `any` for JSON they assert on, and require() for lazily loaded servers.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      'no-sparse-arrays': 'off',
    },
  },
);
