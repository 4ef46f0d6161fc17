import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Most end-to-end and chaos tests wait on real time (1 s watchdog rounds, Lambda and Route 53
    // delays) rather than compute: a third worker overlaps those waits on the 2-core machine.
    maxWorkers: 3,
    // The handlers log JSON lines and EMF metrics to stdout; show them only for failing tests.
    silent: 'passed-only',
    testTimeout: 30_000,
    // A gate that can fail: the decision engine and the use cases stay covered by tests. Measured
    // over the whole suite (npm test runs it with --coverage); only these two folders are counted.
    coverage: {
      provider: 'v8',
      include: ['shared/domain/**/*.ts', 'shared/controller/**/*.ts'],
      reporter: ['text-summary'],
      thresholds: {
        'shared/domain/**/*.ts': { lines: 95, functions: 95, branches: 90, statements: 95 },
        'shared/controller/**/*.ts': { lines: 88, functions: 88, branches: 78, statements: 88 },
      },
    },
    hookTimeout: 30_000,
    // Servers in tests bind 127.0.0.1 on ports chosen at run time; nothing here talks to the internet.
    env: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  },
});
