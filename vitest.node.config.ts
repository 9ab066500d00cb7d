// Tests that run in Node: unit tests (pure, fast) and integration tests against real services
// (the machine's Postgres and Redis, the embedded stand-ins in local/).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['tests/unit/**/*.unit.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          environment: 'node',
          include: ['tests/integration/**/*.integration.test.ts'],
          // Starting PGlite on a fresh data directory runs initdb, about 5 s on this machine.
          hookTimeout: 60_000,
          testTimeout: 30_000,
        },
      },
    ],
  },
});
