import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { type Harness, harness } from './cli.test-helpers.js';
import { type CliDeps, runCli } from './program.js';

describe('codika-server argument handling', () => {
  let h: Harness;
  let deps: CliDeps;
  beforeEach(async () => {
    h = await harness();
    deps = {
      ...h.deps,
      buildApp: async () => {
        throw new Error('not used');
      },
      waitForShutdown: () => new Promise(() => {}),
    };
  });
  afterEach(() => h.close());

  it('routes subcommands with their flags; --db falls back to CODIKA_DB', async () => {
    const orgId = (await h.store.createOrganization({ id: newId(), name: 'Acme', createdAt: '2026-03-31T14:00:00.000Z' })).id;
    const code = await runCli(
      ['users', 'add', '--organization-id', orgId, '--email', 'x@example.com', '--role', 'admin', '--json'],
      deps,
      {
        CODIKA_DB: '/tmp/from-env.db',
      },
    );
    expect(code).toBe(0);
    expect(h.deps.opened).toEqual(['/tmp/from-env.db']);
    expect(JSON.parse(h.out())).toMatchObject({ email: 'x@example.com', role: 'admin' });
  });

  it('every subcommand takes --database-url (PostgreSQL) as the alternative to --db, and DATABASE_URL', async () => {
    const url = 'postgres://postgres@127.0.0.1:5432/test';
    const orgId = (await h.store.createOrganization({ id: newId(), name: 'Acme', createdAt: '2026-03-31T14:00:00.000Z' })).id;
    // Another owner, so removing x (made owner below) is not removing the last one.
    const owner = await h.store.ensureUser({ id: newId(), email: 'o@example.com', createdAt: '2026-03-31T14:00:00.000Z' });
    await h.store.setMembership({ organizationId: orgId, userId: owner.id, role: 'owner' });
    const commands = [
      ['bootstrap', '--org-name', 'B', '--owner-email', 'b@example.com'],
      ['users', 'add', '--organization-id', orgId, '--email', 'x@example.com', '--role', 'admin'],
      ['users', 'set-role', '--organization-id', orgId, '--email', 'x@example.com', '--role', 'owner'],
      ['keys', 'issue', '--organization-id', orgId, '--email', 'x@example.com', '--name', 'K', '--scopes', 'projects:read'],
      ['users', 'remove', '--organization-id', orgId, '--email', 'x@example.com'],
    ];
    for (const args of commands) expect(await runCli([...args, '--database-url', url], deps, {}), args.join(' ')).toBe(0);
    expect(await runCli(commands[0] as string[], deps, { DATABASE_URL: url })).toBe(0);
    expect(h.deps.opened).toEqual(Array.from({ length: 6 }, () => url));
    // start as well (its store is opened before it listens; the failing buildApp ends it).
    expect(await runCli(['start', '--database-url', url], deps, {})).toBe(1);
    expect(h.deps.opened.at(-1)).toBe(url);
    expect(await runCli(['start', '--db', 'x.db', '--database-url', url], deps, {})).toBe(2);
    expect(h.err()).toMatch(/not both/);
  });

  it('a validation error exits 2 with a message on stderr', async () => {
    expect(await runCli(['users', 'add', '--organization-id', 'o', '--email', 'x@example.com', '--role', 'boss'], deps, {})).toBe(
      2,
    );
    expect(h.err()).toMatch(/--role must be one of owner, admin, member/);
    expect(h.deps.opened).toEqual([]);
  });

  it('a missing required flag, an unknown flag or an unknown command exits 2', async () => {
    expect(await runCli(['keys', 'issue', '--organization-id', 'o'], deps, {})).toBe(2);
    expect(await runCli(['bootstrap', '--org-name', 'A', '--owner-email', 'a@b', '--bogus'], deps, {})).toBe(2);
    expect(await runCli(['frobnicate'], deps, {})).toBe(2);
    expect(h.err()).toMatch(/required option|unknown option|unknown command/);
  });

  it('--help exits 0 and lists the subcommands', async () => {
    expect(await runCli(['--help'], deps, {})).toBe(0);
    expect(h.out()).toMatch(/start[\s\S]*bootstrap[\s\S]*users[\s\S]*keys/);
  });

  it('an unexpected failure exits 1', async () => {
    const failing: CliDeps = {
      ...deps,
      openStore: async () => {
        throw new Error('disk on fire');
      },
    };
    expect(await runCli(['bootstrap', '--org-name', 'A', '--owner-email', 'a@b'], failing, {})).toBe(1);
    expect(h.err()).toMatch(/unexpected error: disk on fire/);
  });
});
