import { describe, expect, it } from 'vitest';
import { parseAccountsOptions } from './accounts-options.js';

describe('start: accounts options', () => {
  it('defaults: console outbox, codika <no-reply@localhost>, sign-up closed', () => {
    expect(parseAccountsOptions({}, {})).toEqual({ mailFrom: 'codika <no-reply@localhost>', signup: { mode: 'closed' } });
  });

  it('reads flags, else the environment; a flag wins', () => {
    const env = {
      CODIKA_SMTP_URL: 'smtps://u:p@mail.example.com:465',
      CODIKA_MAIL_FROM: 'Acme <no-reply@example.com>',
      CODIKA_SIGNUP: 'open',
      CODIKA_SIGNUP_DOMAINS: 'Example.com, @acme.test,example.com',
    };
    expect(parseAccountsOptions({}, env)).toEqual({
      smtpUrl: 'smtps://u:p@mail.example.com:465',
      mailFrom: 'Acme <no-reply@example.com>',
      signup: { mode: 'open', domains: ['example.com', 'acme.test'] },
    });
    expect(parseAccountsOptions({ smtpUrl: 'smtp://localhost:2525', signup: 'closed' }, { CODIKA_SIGNUP: 'open' })).toMatchObject(
      {
        smtpUrl: 'smtp://localhost:2525',
        signup: { mode: 'closed' },
      },
    );
    expect(parseAccountsOptions({ signup: 'OPEN' }, {}).signup).toEqual({ mode: 'open', domains: null });
    expect(parseAccountsOptions({ signupDomains: 'example.com' }, {}).signup).toEqual({ mode: 'open', domains: ['example.com'] });
    expect(parseAccountsOptions({ mailFrom: 'no-reply@example.com' }, {}).mailFrom).toBe('no-reply@example.com');
  });

  it('refuses what would break mail or contradict itself, naming the flag or variable', () => {
    const bad: [Record<string, unknown>, Record<string, string>, RegExp][] = [
      [{ smtpUrl: 'http://mail.example.com' }, {}, /--smtp-url must be an smtp:\/\/ or smtps:\/\/ URL/],
      [{ smtpUrl: 'not a url' }, {}, /--smtp-url is not a URL/],
      [{}, { CODIKA_SMTP_URL: 'ftp://x' }, /CODIKA_SMTP_URL must be/],
      [
        { mailFrom: 'codika <no-reply@example.com>\r\nBcc: evil@attacker.test' },
        {},
        /--mail-from must not contain control characters/,
      ],
      [{ mailFrom: 'codika' }, {}, /--mail-from must be an address/],
      [{ signup: 'maybe' }, {}, /--signup must be closed or open/],
      [{ signup: 'closed', signupDomains: 'example.com' }, {}, /cannot go with --signup closed/],
      [{ signupDomains: ' , ' }, {}, /--signup-domains must name at least one domain/],
      [{ signupDomains: 'exa mple.com,ok.test' }, {}, /not a domain: exa mple.com/],
    ];
    for (const [flags, env, message] of bad) expect(() => parseAccountsOptions(flags, env)).toThrow(message);
  });
});
