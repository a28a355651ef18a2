/**
 * `codika completion --install` for real: the built binary writes the block into a temporary
 * HOME's ~/.bashrc, a bash that reads that file completes codika, and `--uninstall` gives the
 * file back as it was. Needs `npm run build` first (the root `npm test` does it).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(root, 'packages/cli/bin/codika.mjs');
const home = mkdtempSync(join(tmpdir(), 'codika-completion-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

// `codika` on the PATH, as a global install puts it there.
const bin = join(home, 'bin');
mkdirSync(bin);
writeFileSync(join(bin, 'codika'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
chmodSync(join(bin, 'codika'), 0o755);
const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: home, SHELL: '/bin/bash' };

const codika = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });

describe('codika completion --install (real files, real bash)', () => {
  it('installs into ~/.bashrc, bash then completes codika, and --uninstall restores the file', () => {
    const rc = join(home, '.bashrc');
    const before = '# my settings\nexport EDITOR=vi\n';
    writeFileSync(rc, before);
    const installed = codika(['completion', '--install']);
    expect(installed.status, installed.stderr).toBe(0);
    expect(installed.stdout).toContain(`Completion installed in ${rc}.`);
    expect(readFileSync(rc, 'utf8')).toContain('# BEGIN codika completion');

    const check = spawnSync(
      'bash',
      ['-c', `source ${rc}; COMP_WORDS=(codika organization up); COMP_CWORD=2; _codika; echo "\${COMPREPLY[@]}"`],
      { encoding: 'utf8', env },
    );
    expect(check.stderr).toBe('');
    expect(check.stdout.trim()).toBe('update-key');

    const removed = codika(['completion', '--uninstall']);
    expect(removed.status, removed.stderr).toBe(0);
    expect(readFileSync(rc, 'utf8')).toBe(before);
  });
});
