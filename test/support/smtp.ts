// A local SMTP server (smtp-server) standing in for the municipality's mail server: it accepts
// every e-mail on 127.0.0.1 and keeps it, parsed (mailparser), for the test to read.
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitForEvent } from './wait.ts';

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
}

export class SmtpStandIn {
  readonly mails: ReceivedMail[] = [];
  private readonly events = new EventEmitter();
  private readonly server: SMTPServer;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.mails.push({
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
            });
            this.events.emit('mail');
            callback();
          })
          .catch(callback);
      },
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The first e-mail to `address` that `match` accepts, as soon as it arrives. */
  waitFor(address: string, match: (mail: ReceivedMail) => boolean = () => true, timeoutMs = 15_000): Promise<ReceivedMail> {
    return waitForEvent(this.events, 'mail', () => this.mails.find((mail) => mail.to.includes(address) && match(mail)), {
      what: `an e-mail to ${address}`,
      timeoutMs,
      describe: () => `Received: ${JSON.stringify(this.mails.map((mail) => ({ to: mail.to, subject: mail.subject })))}`,
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
