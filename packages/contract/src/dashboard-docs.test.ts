import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_API } from './dashboard.js';

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
const doc = readFileSync(new URL('../../../docs/dashboard.md', import.meta.url), 'utf8');

describe('docs/dashboard.md', () => {
  it('says how many endpoints the dashboard has, and its table lists each of them', () => {
    const paths = Object.values(DASHBOARD_API);
    const count = WORDS[paths.length] ?? String(paths.length);
    expect(doc.replace(/\s+/g, ' ')).toContain(`These ${count} endpoints exist for the dashboard only`);
    const rows = [...doc.matchAll(/^\| `POST (\/dashboard\/api\/[^`]+)` \|/gm)].map((m) => m[1]);
    expect([...rows].sort()).toEqual([...paths].sort());
  });
});
