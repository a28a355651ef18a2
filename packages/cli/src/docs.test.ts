import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ROUTES } from './routes.js';

const docsDir = new URL('../../../docs/cli/', import.meta.url);

describe('docs/cli', () => {
  it.each(ROUTES.map((r) => [r.path.join(' '), r] as const))('%s has a page listing every option', async (_name, route) => {
    const page = await readFile(new URL(`${route.path.join('-')}.md`, docsDir), 'utf8');
    for (const heading of [
      '## When to use',
      '## Prerequisites',
      '## Command',
      '## Options',
      '## Examples',
      '## Output',
      '## Exit codes',
    ]) {
      expect(page).toContain(heading);
    }
    for (const option of route.module.spec.options) expect(page).toContain(`\`${option.flags}\``);
  });
});
