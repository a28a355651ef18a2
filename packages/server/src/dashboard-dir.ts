/**
 * Where the built dashboard is. In this repository: packages/dashboard/dist (what `npm run
 * build` makes), found from this package's src/ and dist/ alike (the compiled files and the
 * bundle dist/codika-server.mjs all sit one folder below the package). In the installed
 * package (`npm i -g` of the packed tarball): dist/dashboard/, the copy scripts/bundle.mjs
 * puts beside the bundle. The repository's build wins when both exist, so a rebuilt
 * dashboard is what a development server serves.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The candidates, first match wins; `base` is a file one folder below the package's root. */
export function dashboardDirCandidates(base: string | URL): string[] {
  return [fileURLToPath(new URL('../../dashboard/dist/', base)), fileURLToPath(new URL('../dist/dashboard/', base))];
}

/** The first candidate holding an index.html; the repository's path when none does (the page then says to build it). */
export function findDashboardDir(base: string | URL = import.meta.url, exists: (path: string) => boolean = existsSync): string {
  const candidates = dashboardDirCandidates(base);
  return candidates.find((dir) => exists(`${dir}index.html`)) ?? candidates[0]!;
}
