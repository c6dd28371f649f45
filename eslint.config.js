import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Import direction (docs/architecture.md): each folder lists the folders it must not import. A pattern
 * matches the import path as written, so `/cli/` catches `../../cli/x.ts` from any depth.
 */
const folders = (...names) => ({
  regex: `(^|/)(${names.join('|')})/`,
  message: 'wrong-direction import: see docs/architecture.md for what each layer may import',
});
const noTestTree = {
  regex: '^(\\.\\./)+test/',
  message: 'product code must not import the test tree',
};
const ioLibraries = {
  regex: '^(node:|kafkajs$|@aws-sdk/|pino|fastify|prom-client|@duckdb/|hyparquet|commander$|testcontainers)',
  message: 'the engine is pure: no I/O, clock or process (docs/architecture.md)',
};
const TOP = ['cli', 'start', 'load'];
/** What the dashboard's browser modules use of the browser (they run nowhere else). */
const BROWSER_GLOBALS = Object.fromEntries(
  [
    'document',
    'location',
    'history',
    'sessionStorage',
    'fetch',
    'Response',
    'AbortController',
    'TextDecoder',
    'URLSearchParams',
    'Option',
    'ResizeObserver',
    'requestAnimationFrame',
    'devicePixelRatio',
    'HTMLElement',
    'HTMLInputElement',
    'HTMLSelectElement',
  ].map((name) => [name, 'readonly']),
);

function layer(files, forbidden, { extra = [], top = TOP } = {}) {
  const patterns = [noTestTree, ...extra];
  if (forbidden.length + top.length > 0) patterns.push(folders(...forbidden, ...top));
  return { files, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.cache/', 'results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  // Lowest first. The contract and the neutral helpers import nothing of the project.
  layer(
    ['src/events/**'],
    ['processor', 'oracle', 'stack', 'storage', 'generator', 'ingest', 'shared', 'batch', 'serving'],
  ),
  layer(
    ['src/shared/**'],
    ['processor', 'oracle', 'stack', 'storage', 'generator', 'ingest', 'events', 'batch', 'serving'],
  ),
  layer(
    ['src/processor/engine/**'],
    [
      'io',
      'runner',
      'runtime',
      'query',
      'views',
      'storage',
      'stack',
      'oracle',
      'generator',
      'ingest',
      'batch',
      'serving',
    ],
    { extra: [ioLibraries] },
  ),
  layer(
    ['src/processor/views/**'],
    [
      'io',
      'runner',
      'runtime',
      'query',
      'storage',
      'stack',
      'oracle',
      'generator',
      'ingest',
      'batch',
      'serving',
    ],
    { extra: [ioLibraries] },
  ),
  // The oracle shares only the contract with the processor.
  layer(['src/oracle/**'], ['processor', 'storage', 'generator', 'ingest', 'batch', 'serving']),
  layer(['src/stack/**'], ['processor', 'oracle', 'storage', 'generator', 'ingest', 'batch', 'serving']),
  layer(['src/storage/**'], ['processor', 'oracle', 'generator', 'ingest', 'query', 'batch', 'serving']),
  layer(
    ['src/processor/io/**'],
    ['runner', 'runtime', 'query', 'views', 'oracle', 'generator', 'ingest', 'batch', 'serving'],
  ),
  layer(
    ['src/processor/runtime/**'],
    ['runner', 'query', 'io', 'engine', 'views', 'oracle', 'generator', 'ingest', 'batch', 'serving'],
  ),
  layer(['src/processor/runner/**'], ['query', 'oracle', 'generator', 'ingest', 'batch', 'serving']),
  layer(['src/generator/**'], ['processor', 'oracle', 'storage', 'ingest', 'query', 'batch', 'serving']),
  layer(['src/ingest/**'], ['processor', 'oracle', 'generator', 'query', 'batch', 'serving']),
  layer(['src/processor/query/**'], ['runner', 'oracle', 'generator', 'ingest', 'batch', 'serving']),
  // The batch layer reads the archive and the views' completeness documents, never the processor's code.
  layer(['src/batch/**'], ['processor', 'generator', 'ingest', 'serving']),
  // The serving layer answers queries over both trees: the read side and the batch layer below it.
  layer(['src/serving/**'], ['runner', 'io', 'engine', 'oracle', 'generator', 'stack', 'ingest']),
  // Alerts read rows through serving's MergedRows; serve registers their routes and runs them.
  layer(['src/alerts/**'], ['runner', 'io', 'engine', 'oracle', 'generator', 'stack', 'ingest']),
  // The dashboard (registered by serve): its routes use shared helpers and the runner's health types;
  // its browser modules import none of the project and no Node module, only each other and uPlot.
  layer(
    ['src/dashboard/**'],
    [
      'runner',
      'io',
      'engine',
      'query',
      'oracle',
      'generator',
      'stack',
      'ingest',
      'batch',
      'storage',
      'serving',
    ],
  ),
  layer(
    ['src/dashboard/public/**'],
    ['processor', 'events', 'shared', 'storage', 'stack', 'batch', 'serving'],
    {
      extra: [
        { ...ioLibraries, message: 'browser code: no Node modules (src/dashboard/public runs in a page)' },
      ],
    },
  ),
  { files: ['src/dashboard/public/**/*.js'], languageOptions: { globals: BROWSER_GLOBALS } },
  // The top: commands and the programs they run may import any layer below, never the test tree.
  layer(['src/start/**', 'src/load/**'], [], { top: ['cli'] }),
  layer(['src/cli/**'], [], { top: [] }),
);
