/**
 * `codika … | head`: a reader that closes the pipe early ends the output, not the process with
 * an unhandled EPIPE stack trace. Runs the shipped bin (needs `npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'codika.mjs');

it('exits 0 without a stack trace when stdout is closed before it writes', () => {
  for (let i = 0; i < 3; i++) {
    // The shell closes the pipe's read end at once: every write by codika meets EPIPE.
    const r = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${CLI}" organization update-key --help | (exec 0<&-; true); echo "exit=\${PIPESTATUS[0]}" >&2`,
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.stderr).toContain('exit=0');
  }
});
