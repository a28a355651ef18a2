import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../routes.js';
import { harness } from '../test-support/harness.js';

/** What the bash script completes for `codika <words…> <cur>` (COMPREPLY, one per line). */
function complete(script: string, words: readonly string[], cur: string): string[] {
  const line = ['codika', ...words, cur].map((w) => `'${w}'`).join(' ');
  const r = spawnSync(
    'bash',
    ['-c', `${script}\nCOMP_WORDS=(${line}); COMP_CWORD=${words.length + 1}; _codika; printf '%s\\n' "\${COMPREPLY[@]}"`],
    {
      encoding: 'utf8',
    },
  );
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('completion', () => {
  it.each(['bash', 'zsh', 'fish'])('%s prints a script naming the commands and options', async (shell) => {
    const h = harness();
    expect(await h.run(['completion', shell])).toBe(0);
    expect(h.stdout.text).toContain('update-key');
    expect(h.stdout.text).toContain('key-id');
  });
  it('the bash script is valid bash', async () => {
    const h = harness();
    await h.run(['completion', 'bash']);
    const r = spawnSync('bash', ['-n'], { input: h.stdout.text });
    expect(r.status).toBe(0);
  });
  it('bash completes every command word, then each command’s options and argument choices', async () => {
    const h = harness();
    await h.run(['completion', 'bash']);
    const script = h.stdout.text;
    expect(complete(script, [], '')).toEqual(expect.arrayContaining(['login', 'organization', '--version']));
    for (const r of ROUTES) {
      for (let k = 0; k < r.path.length; k++) {
        expect(complete(script, r.path.slice(0, k), ''), r.path.join(' ')).toContain(r.path[k]);
      }
      const first = r.module.spec.options[0]?.flags.match(/--[\w-]+/)?.[0] ?? '--help';
      expect(complete(script, r.path, '--'), r.path.join(' ')).toContain(first);
    }
    expect(complete(script, ['completion'], '')).toEqual(['bash', 'zsh', 'fish', '--help']);
    expect(complete(script, ['organization', 'update-key', '--key-id', 'abc'], '--na')).toEqual(['--name']);
    expect(complete(script, ['use', 'some-profile'], '--j')).toEqual(['--json']);
  });
  const fish = spawnSync('fish', ['--version']).status === 0;
  it.skipIf(!fish)('fish completes the same words (skipped when fish is not installed)', async () => {
    const h = harness();
    await h.run(['completion', 'fish']);
    const complete = (line: string) => {
      const r = spawnSync('fish', ['-c', `${h.stdout.text}\ncomplete -C '${line}'`], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return r.stdout
        .split('\n')
        .map((l) => l.split('\t')[0])
        .filter((l) => l !== '');
    };
    for (const r of ROUTES) {
      for (let k = 0; k < r.path.length; k++)
        expect(complete(['codika', ...r.path.slice(0, k), ''].join(' ')), r.path.join(' ')).toContain(r.path[k]);
      const flags = complete(['codika', ...r.path, '--'].join(' '));
      for (const o of r.module.spec.options) {
        const long = o.flags.match(/--[\w-]+/)?.[0];
        if (long) expect(flags, r.path.join(' ')).toContain(long);
      }
    }
    // `auth login` is not `login`: each gets its own options only.
    expect(complete('codika auth login --')).not.toContain('--api-key');
    expect(complete('codika login --')).not.toContain('--email');
  });
  it('an unknown shell → exit 2', async () => {
    const h = harness();
    expect(await h.run(['completion', 'tcsh'])).toBe(2);
    expect(await harness().run(['completion'])).toBe(2);
  });
});
