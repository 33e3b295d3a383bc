import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './tests/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'node',
          include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          environment: 'node',
          // Generous: many tests start CLI processes and hubs (1–5 s each on a loaded
          // 2-CPU machine); a timeout here catches a hang, it does not measure speed.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          // One browser at a time: the CI machine has two cores.
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 120_000,
          // A page re-rendering (pdf.js) or saving through the hub can take seconds under load; the default is 1 s.
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
});
