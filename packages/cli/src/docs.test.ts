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

  it('shows ids as the CLI prints them: whole UUIDs, never shortened or made up', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const route of ROUTES) {
      const page = await readFile(new URL(`${route.path.join('-')}.md`, docsDir), 'utf8');
      const name = route.path.join(' ');
      expect(page, name).not.toMatch(/\b[0-9a-f]{4,8}(-[0-9a-f]*)?(…|\.\.\.)/);
      const ids = [
        ...page.matchAll(/--(?:key|user|organization)-id "?([^\s"]+)"?/g),
        ...page.matchAll(/(?:Key|User|Organization|Request) ID: +(\S+)/g),
        ...page.matchAll(/"(?:keyId|userId|organizationId)": ?"([^"]+)"/g),
      ].map((m) => m[1]!);
      for (const id of ids) {
        if (/^(\$|<|…$)/.test(id)) continue; // a shell variable, a placeholder, an elided value
        expect(id, `${name}: ${id}`).toMatch(uuid);
      }
    }
  });
});
