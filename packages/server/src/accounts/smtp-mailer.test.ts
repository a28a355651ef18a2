import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadPort, startSmtpServer, type TestSmtpServer } from '../test-support/smtp.js';
import { MailDeliveryError } from './mailer.js';
import { describeSmtpUrl, smtpMailer } from './smtp-mailer.js';

const MESSAGE = {
  to: 'ada@example.com',
  subject: 'Your codika sign-in code',
  text: 'Your codika sign-in code is 123456\n',
  gist: '',
};

describe('smtpMailer', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp.close();
  });

  it('describes its server without the password', () => {
    expect(describeSmtpUrl('smtp://mailer:s3cret@mail.example.com:587')).toBe('smtp://mailer:***@mail.example.com:587');
    expect(describeSmtpUrl('smtps://mail.example.com')).toBe('smtps://mail.example.com');
    expect(smtpMailer({ url: 'smtp://u:pw@localhost:25', from: 'a@b.test' }).description).not.toContain('pw');
  });

  it('hands a mail to the server: one recipient, the sender given, the subject and text as written', async () => {
    await smtpMailer({ url: smtp.url, from: 'codika <no-reply@acme.test>' }).send(MESSAGE);
    const mail = await smtp.waitFor('ada@example.com');
    expect(mail).toMatchObject({ to: ['ada@example.com'], from: 'no-reply@acme.test', subject: 'Your codika sign-in code' });
    expect(mail.text).toContain('Your codika sign-in code is 123456');
  });

  it('a refused recipient and a dead server are MailDeliveryErrors', async () => {
    smtp.refuse.add('bob@example.com');
    const mailer = smtpMailer({ url: smtp.url, from: 'a@b.test' });
    await expect(mailer.send({ ...MESSAGE, to: 'bob@example.com' })).rejects.toBeInstanceOf(MailDeliveryError);
    const dead = smtpMailer({ url: `smtp://127.0.0.1:${await deadPort()}`, from: 'a@b.test' });
    await expect(dead.send(MESSAGE)).rejects.toBeInstanceOf(MailDeliveryError);
  });
});
