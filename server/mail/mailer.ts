// Sending mail: a small interface, implemented over SMTP with nodemailer. Without an SMTP URL
// the transport renders the mail as JSON and the message is logged instead of sent (the demo).
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../../shared/log.js';

export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;
  private readonly logOnly: boolean;

  constructor(
    settings: { readonly smtpUrl?: string | undefined; readonly mailFrom: string },
    private readonly log: Logger,
  ) {
    this.logOnly = !settings.smtpUrl;
    this.transport = settings.smtpUrl
      ? nodemailer.createTransport(settings.smtpUrl, { from: settings.mailFrom })
      : nodemailer.createTransport({ jsonTransport: true }, { from: settings.mailFrom });
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail({ to: mail.to, subject: mail.subject, text: mail.text });
    if (this.logOnly) this.log.info({ to: mail.to, subject: mail.subject }, 'no SMTP configured (smtpUrl): mail logged, not sent');
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
