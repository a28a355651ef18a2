import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // One line when the PostgreSQL half of the suite is skipped (no CODIKA_TEST_DATABASE_URL).
    globalSetup: ['packages/server/test/global-setup.ts'],
  },
});
