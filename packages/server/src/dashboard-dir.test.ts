import { describe, expect, it } from 'vitest';
import { findDashboardDir } from './dashboard-dir.js';

describe('findDashboardDir', () => {
  const repoModule = 'file:///repo/packages/server/dist/codika-server.mjs';

  it("prefers the repository's built dashboard", () => {
    expect(findDashboardDir(repoModule, () => true)).toBe('/repo/packages/dashboard/dist/');
  });

  it('finds the copy beside the bundle in an installed package', () => {
    const installed = 'file:///usr/lib/node_modules/@codika-oss/server/dist/codika-server.mjs';
    const exists = (path: string) => path === '/usr/lib/node_modules/@codika-oss/server/dist/dashboard/index.html';
    expect(findDashboardDir(installed, exists)).toBe('/usr/lib/node_modules/@codika-oss/server/dist/dashboard/');
  });

  it("answers the repository's path when nothing is built", () => {
    expect(findDashboardDir(repoModule, () => false)).toBe('/repo/packages/dashboard/dist/');
  });

  it('finds the real build from the source tree', () => {
    expect(findDashboardDir()).toMatch(/packages\/dashboard\/dist\/$/);
  });
});
