import { defineConfig } from 'vitest/config';

/**
 * `npm run test:hardening`: the figures of packages/server/hardening (docs/security.md).
 * Files run one after another (the crash and race figures start real server processes and
 * must not compete with each other for the machine's cores).
 */
export default defineConfig({
  test: {
    include: ['packages/server/hardening/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['packages/server/hardening/global-setup.ts'],
  },
});
