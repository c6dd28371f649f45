import { defineConfig } from 'vitest/config';

// The AWS SDK warns once per process that releases after January 2027 need Node 22 (README notes it);
// in test output it is noise repeated by every worker.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Four suites; `npm test` runs the first three, `npm run load` drives src/load through the CLI.
// Timeouts are for a busy 2-core machine (load average 10+), not for speed: a test that starts
// `node bin/speed-layer.js` waits 3-19 s for tsx to transpile the CLI, and timings belong in `npm run load`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'property',
          include: ['test/property/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 1_200_000,
          hookTimeout: 600_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
      { test: { name: 'load', include: ['test/load/**/*.test.ts'], testTimeout: 3_600_000 } },
    ],
  },
});
