import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../routes.js';
import { harness, profileConfig } from '../test-support/harness.js';

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
    expect(complete(script, ['completion'], '')).toEqual(['bash', 'zsh', 'fish', '--install', '--uninstall', '--help']);
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

  describe('--install / --uninstall', () => {
    const BASHRC = '/home/test/.bashrc';
    const ZSHRC = '/home/test/.zshrc';
    const FISH = '/home/test/.config/fish/completions/codika.fish';
    const mine = 'export PATH="$HOME/bin:$PATH"\nalias ll="ls -l"\n';

    it('bash ($SHELL): a marked block at the end of ~/.bashrc, once; --uninstall leaves the file as it was', async () => {
      const h = harness({ env: { SHELL: '/bin/bash' }, files: { [BASHRC]: mine } });
      expect(await h.run(['completion', '--install'])).toBe(0);
      expect(h.stdout.text).toBe(`Completion installed in ${BASHRC}.\nOpen a new shell, or run: source ${BASHRC}\n`);
      expect(h.files.data[BASHRC]).toBe(
        `${mine}\n# BEGIN codika completion\ncommand -v codika >/dev/null 2>&1 && eval "$(codika completion bash)"\n# END codika completion\n`,
      );
      const again = harness({ env: { SHELL: '/bin/bash' }, files: { ...h.files.data } });
      expect(await again.run(['completion', '--install'])).toBe(0);
      expect(again.stdout.text).toContain(`Completion updated in ${BASHRC}.`);
      expect(again.files.data[BASHRC]).toBe(h.files.data[BASHRC]);
      const off = harness({ env: { SHELL: '/bin/bash' }, files: { ...h.files.data } });
      expect(await off.run(['completion', '--uninstall'])).toBe(0);
      expect(off.stdout.text).toBe(`Completion removed from ${BASHRC}. Open a new shell for it to take effect.\n`);
      expect(off.files.data[BASHRC]).toBe(mine);
      const none = harness({ env: { SHELL: '/bin/bash' }, files: { [BASHRC]: mine } });
      expect(await none.run(['completion', '--uninstall'])).toBe(0);
      expect(none.stdout.text).toBe(`No codika completion in ${BASHRC}.\n`);
      expect(none.files.data[BASHRC]).toBe(mine);
    });

    it('a block in the middle (written by the public CLI) is replaced in place and removed cleanly', async () => {
      const publicBlock = '\n# BEGIN codika completion\neval "$(codika completion bash)"\n# END codika completion\n';
      const rc = `${mine}${publicBlock}export EDITOR=vi\n`;
      const h = harness({ env: { SHELL: '/usr/bin/bash' }, files: { [BASHRC]: rc } });
      expect(await h.run(['completion', '--uninstall'])).toBe(0);
      expect(h.files.data[BASHRC]).toBe(`${mine}export EDITOR=vi\n`);
    });

    it('zsh: the block loads compinit when needed; a new ~/.zshrc is created', async () => {
      const h = harness({ env: { SHELL: '/usr/bin/zsh5' } });
      expect(await h.run(['completion', '--install'])).toBe(0);
      expect(h.files.data[ZSHRC]).toBe(
        '# BEGIN codika completion\n(( $+functions[compdef] )) || { autoload -Uz compinit && compinit; }\ncommand -v codika >/dev/null 2>&1 && eval "$(codika completion zsh)"\n# END codika completion\n',
      );
      const off = harness({ env: { SHELL: '/usr/bin/zsh' }, files: { ...h.files.data } });
      expect(await off.run(['completion', 'zsh', '--uninstall'])).toBe(0);
      expect(off.files.data[ZSHRC]).toBe('');
    });

    it('fish: the script in fish completions; --uninstall deletes it', async () => {
      const h = harness({ env: { SHELL: '/bin/bash' } });
      expect(await h.run(['completion', 'fish', '--install'])).toBe(0);
      expect(h.files.data[FISH]).toContain('complete -c codika');
      expect(h.stdout.text).toBe(`Completion installed in ${FISH} (fish loads it in new shells).\n`);
      expect(await h.run(['completion', 'fish', '--uninstall'])).toBe(0);
      expect(h.files.data[FISH]).toBeUndefined();
      expect(h.stdout.text).toContain(`Completion removed: ${FISH}`);
    });

    it('refuses an unknown $SHELL, no shell to print, and both flags (exit 2, nothing written)', async () => {
      const h = harness({ env: { SHELL: '/bin/tcsh' } });
      expect(await h.run(['completion', '--install'])).toBe(2);
      expect(h.stderr.text).toContain('Cannot tell your shell from $SHELL ("/bin/tcsh")');
      expect(h.stderr.text).toContain('codika completion bash --install');
      expect(await h.run(['completion'])).toBe(2);
      expect(h.stderr.text).toContain('Which shell?');
      expect(await h.run(['completion', 'bash', '--install', '--uninstall'])).toBe(2);
      expect(h.files.data).toEqual({});
    });
  });

  it("codika profiles is codika use under the public CLI's other name", async () => {
    const h = harness({ config: profileConfig() });
    expect(await h.run(['profiles'])).toBe(0);
    const u = harness({ config: profileConfig() });
    expect(await u.run(['use'])).toBe(0);
    expect(h.stdout.text).toBe(u.stdout.text);
    expect(await h.run(['profiles', 'acme-corp'])).toBe(0);
    expect(h.stdout.text).toContain('Active profile: acme-corp');
    const help = harness();
    expect(await help.run(['profiles', '--help'])).toBe(0);
    expect(help.stdout.text).toContain('Usage: codika profiles [name] [options]');
  });
});
