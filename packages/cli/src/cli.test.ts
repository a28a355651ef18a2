import { describe, expect, it } from 'vitest';
import { helpTable, wantsJson } from './cli.js';
import { HELP } from './help-text.js';
import { harness, KEY, profileConfig } from './test-support/harness.js';

describe('router', () => {
  it('prints the top-level help for no arguments and --help', async () => {
    for (const argv of [[], ['--help'], ['-h'], ['help']]) {
      const h = harness();
      expect(await h.run(argv)).toBe(0);
      expect(h.stdout.text).toContain('Usage: codika <command> [options]');
      expect(h.stdout.text).toContain('organization update-key');
    }
  });

  it('prints the version', async () => {
    const h = harness();
    expect(await h.run(['--version'])).toBe(0);
    expect(h.stdout.text).toBe('0.0.0-test\n');
  });

  it('prints group and command help', async () => {
    const h = harness();
    expect(await h.run(['organization'])).toBe(0);
    expect(h.stdout.text).toContain('organization revoke-key');
    const c = harness();
    expect(await c.run(['help', 'organization', 'update-key'])).toBe(0);
    expect(c.stdout.text).toBe(HELP['organization update-key']);
  });

  it('routes help as the entry does: a topic, else its first word, else (for `help …`) the top level', async () => {
    for (const [argv, key] of [
      [['organization', 'update-key', '--json', '--help'], 'organization update-key'],
      [['organization', 'nope', '--help'], 'organization'],
      [['login', 'extra', '-h'], 'login'],
      [['help', 'nope'], ''],
      [['--json', '--help'], ''],
      [['organization'], 'organization'],
    ] as const) {
      const h = harness();
      expect(await h.run([...argv]), argv.join(' ')).toBe(0);
      expect(h.stdout.text, argv.join(' ')).toBe(HELP[key]);
    }
  });

  it('an unknown command with --help is still an unknown command', async () => {
    const h = harness();
    expect(await h.run(['nope', '--help'])).toBe(2);
    expect(h.stderr.text).toContain('Unknown command "nope"');
  });

  it.each([[['nope']], [['organization', 'nope']], [['--bogus']]])('unknown %j → exit 2', async (argv) => {
    const h = harness();
    expect(await h.run(argv)).toBe(2);
    expect(h.stderr.text).toMatch(/^Error: Unknown/);
    expect(h.stdout.text).toBe('');
  });

  it('unknown command with --json → one JSON document', async () => {
    const h = harness();
    expect(await h.run(['nope', '--json'])).toBe(2);
    expect(JSON.parse(h.stdout.text)).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
  });

  it('detects --json only before --', () => {
    expect(wantsJson(['a', '--json'])).toBe(true);
    expect(wantsJson(['a', '--', '--json'])).toBe(false);
  });
});

describe('API errors (one place for every command)', () => {
  const envelope = {
    success: false,
    error: { code: 'UNAUTHENTICATED', message: 'Invalid API key', nextAction: 'Sign in again with `codika auth login`' },
    requestId: 'req-9',
  };

  it('prints the nextAction under the error in human output', async () => {
    const h = harness({ config: profileConfig(), expected: [{ url: '/verifyapikey', status: 401, response: envelope }] });
    expect(await h.run(['whoami'])).toBe(1);
    const lines = h.stderr.text.split('\n');
    expect(lines[0]).toBe('Error: Invalid API key (UNAUTHENTICATED)');
    expect(lines[1]).toBe('Next: Sign in again with `codika auth login`');
    expect(lines[2]).toContain('The API key is unknown, revoked or expired. Sign in again with `codika auth login');
    expect(h.stdout.text).toBe('');
  });

  it('prints no Next line when the server gives none', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        { url: '/verifyapikey', status: 401, response: { ...envelope, error: { code: 'UNAUTHENTICATED', message: 'x' } } },
      ],
    });
    expect(await h.run(['whoami'])).toBe(1);
    expect(h.stderr.text).not.toContain('Next:');
  });

  it('--json prints the envelope as received, nextAction included', async () => {
    const h = harness({ expected: [{ url: '/verifyapikey', status: 401, response: envelope }] });
    expect(await h.run(['whoami', '--api-key', KEY, '--json'])).toBe(1);
    expect(JSON.parse(h.stdout.text)).toEqual(envelope);
  });
});

describe('pre-rendered help (src/help-text.ts)', () => {
  it('matches the command specs — if not, run `npm run gen:help -w @codika-oss/cli`', () => {
    expect(HELP).toEqual(helpTable());
  });
});
