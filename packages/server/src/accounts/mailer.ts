/**
 * How the server hands a mail over: an SMTP server (smtp-mailer.ts) or, when none is
 * configured, the console outbox, which prints each mail's gist — the code — in one line on the
 * server's own terminal (the way Django's console e-mail backend works). Injected into buildApp
 * (AppDeps.mailer), so tests use a real SMTP server in-process or an outbox they can read.
 */

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** One line for the console outbox: what the mail says, e.g. "sign-in code 123456 (valid 10 minutes)". */
  gist: string;
}

export interface Mailer {
  /** Said at start: which mailer is on. */
  readonly description: string;
  /** Resolves once the mail is accepted for delivery; rejects with MailDeliveryError otherwise. */
  send(message: MailMessage): Promise<void>;
  close?(): Promise<void>;
}

/** The mail was not accepted (no mail server, a dead one, a refused recipient): 503 MAIL_UNAVAILABLE. */
export class MailDeliveryError extends Error {
  override name = 'MailDeliveryError';
}

/** buildApp's default: no way to deliver, so every mail fails (never a silent success). */
export const noMailer: Mailer = {
  description: 'none (no mail can be sent)',
  async send() {
    throw new MailDeliveryError('no mailer is configured');
  },
};

/** The console outbox: one line per mail through `write` (the start command's output). */
export function consoleMailer(write: (line: string) => void): Mailer {
  return {
    description: 'console outbox (no SMTP server configured; codes are printed here)',
    async send(message) {
      write(`[mail] to ${message.to}: ${message.gist}\n`);
    },
  };
}

/** An outbox kept in memory: tests read what was sent; `fail` makes the next sends fail. */
export interface MemoryOutbox extends Mailer {
  readonly messages: MailMessage[];
  /** The last message sent to an address. */
  last(to: string): MailMessage | undefined;
  fail: boolean;
}

export function memoryOutbox(): MemoryOutbox {
  const messages: MailMessage[] = [];
  const outbox: MemoryOutbox = {
    description: 'memory outbox',
    messages,
    fail: false,
    last: (to) => messages.filter((m) => m.to === to.toLowerCase()).at(-1),
    async send(message) {
      if (outbox.fail) throw new MailDeliveryError('the outbox refuses mail (test)');
      messages.push(message);
    },
  };
  return outbox;
}
