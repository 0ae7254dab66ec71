// A real SMTP server on an ephemeral loopback port that keeps what it receives, for mail tests.
// It can refuse the next N messages (a transient 451) to exercise retries.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { waitFor } from './wait.js';

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: string;
}

export interface SmtpSink {
  readonly url: string;
  readonly received: ReceivedMail[];
  /** Refuse the next `count` messages with a temporary error. */
  refuseNext(count: number): void;
  waitForMail(match: (mail: ReceivedMail) => boolean, what?: string): Promise<ReceivedMail>;
  close(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startSmtpSink(t: Teardown): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  let refuse = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refuse > 0) {
          refuse--;
          const error = Object.assign(new Error('try again later'), { responseCode: 451 });
          return callback(error);
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  const sink: SmtpSink = {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuseNext(count) {
      refuse = count;
    },
    waitForMail(match, what = 'a mail') {
      return waitFor(() => received.find(match), what);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  t.teardown(() => sink.close());
  return sink;
}
