// The demo's mail: nothing leaves the machine. Each mail is appended to mail.log in the data
// folder and announced to listeners (the timeline prints it, the scenario waits for it).
import { appendFile } from 'node:fs/promises';
import type { Logger } from '../shared/log.js';
import type { Mailer, OutgoingMail } from '../server/mail/mailer.js';

export interface SentMail extends OutgoingMail {
  readonly at: number;
}

export class DemoMailer implements Mailer {
  readonly sent: SentMail[] = [];
  private readonly listeners = new Set<(mail: SentMail) => void>();

  constructor(
    private readonly file: string,
    private readonly log: Logger,
  ) {}

  async send(mail: OutgoingMail): Promise<void> {
    const sent: SentMail = { ...mail, at: Date.now() };
    const text = `--- ${new Date(sent.at).toISOString()}\nTo: ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text.trimEnd()}\n\n`;
    await appendFile(this.file, text);
    this.log.info({ to: mail.to, subject: mail.subject, file: this.file }, 'demo: mail written to the mail log, not sent');
    this.sent.push(sent);
    for (const listener of this.listeners) listener(sent);
  }

  onSent(listener: (mail: SentMail) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
