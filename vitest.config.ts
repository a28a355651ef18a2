import { defineConfig } from 'vitest/config';

/** The server's route test files (everything built on test-support/http.ts). */
const ROUTE_TESTS = ['packages/server/src/{app,routes/**/*,http/**/*}.test.ts'];
const postgres = Boolean(process.env.CODIKA_TEST_DATABASE_URL?.trim());

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // One line when the PostgreSQL half of the suite is skipped (no CODIKA_TEST_DATABASE_URL).
    globalSetup: ['packages/server/test/global-setup.ts'],
    projects: [
      // Everything; the route tests on SQLite (the store suite loops over every database itself).
      { extends: true, test: { name: 'main', include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'] } },
      // The route test files once more, on PostgreSQL (test-support/stores.ts routeStoreFactory).
      ...(postgres
        ? [
            {
              extends: true as const,
              test: { name: 'postgres', include: ROUTE_TESTS, env: { CODIKA_TEST_ROUTE_STORE: 'postgres' } },
            },
          ]
        : []),
    ],
  },
});
