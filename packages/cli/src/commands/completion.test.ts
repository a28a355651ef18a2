import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { harness } from '../test-support/harness.js';

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
  it('an unknown shell → exit 2', async () => {
    const h = harness();
    expect(await h.run(['completion', 'tcsh'])).toBe(2);
    expect(await harness().run(['completion'])).toBe(2);
  });
});
