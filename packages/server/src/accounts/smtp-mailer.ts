/**
 * Mail through an SMTP server with nodemailer: `--smtp-url smtp://user:pass@host:port`
 * (`smtps://` for TLS from the first byte; plain `smtp://` upgrades with STARTTLS when the
 * server offers it) and `--mail-from "codika <no-reply@example.com>"`. A mail counts as sent
 * once the server has accepted it; a refused connection, a timeout or a refused recipient is a
 * MailDeliveryError (503 MAIL_UNAVAILABLE to the caller). Timeouts are short, so a dead server
 * costs a request seconds, not minutes.
 */
import nodemailer from 'nodemailer';
import { MailDeliveryError, type Mailer } from './mailer.js';

export const SMTP_CONNECTION_TIMEOUT_MS = 10_000;
export const SMTP_GREETING_TIMEOUT_MS = 10_000;
export const SMTP_SOCKET_TIMEOUT_MS = 20_000;

export const DEFAULT_MAIL_FROM = 'codika <no-reply@localhost>';

/** The SMTP URL for messages: without its password. */
export function describeSmtpUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return `${parsed.protocol}//${parsed.username ? `${parsed.username}${parsed.password ? ':***' : ''}@` : ''}${parsed.host}`;
  } catch {
    return 'smtp (unparsable URL)';
  }
}

export function smtpMailer(options: { url: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(
    {
      url: options.url,
      connectionTimeout: SMTP_CONNECTION_TIMEOUT_MS,
      greetingTimeout: SMTP_GREETING_TIMEOUT_MS,
      socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
      // Header values are ours (the subject) or checked addresses; nodemailer encodes them anyway.
      disableFileAccess: true,
      disableUrlAccess: true,
    },
    { from: options.from },
  );
  return {
    description: `SMTP ${describeSmtpUrl(options.url)}, from ${options.from}`,
    async send(message) {
      let info: { accepted?: unknown[]; rejected?: unknown[] };
      try {
        info = await transport.sendMail({ to: message.to, subject: message.subject, text: message.text });
      } catch (err) {
        throw new MailDeliveryError(err instanceof Error ? err.message : String(err), { cause: err });
      }
      if ((info.rejected?.length ?? 0) > 0 || (info.accepted?.length ?? 0) === 0) {
        throw new MailDeliveryError('the SMTP server refused the recipient');
      }
    },
    async close() {
      transport.close();
    },
  };
}
