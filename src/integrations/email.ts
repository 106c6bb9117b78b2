// E-mail through the municipality's SMTP server (nodemailer), for two readers: a department told
// of a new ticket (what deliveries.ts stored), and a citizen who filed through Open311 and gave an
// address, who receives what an agent or a department sends them (status changes, replies): the
// `open311` channel's sender, so the outbox delivers to them as to any chat. The words are content
// (bot/emails.yaml). An SMTP answer 5xx is refused for good; anything else is tried again.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.ts';
import type { Emails } from '../content/emails.ts';
import { DeliveryError, type ChannelSender, type DeliveryTarget } from '../messaging/delivery.ts';
import type { OutboundMessage } from '../messaging/message.ts';
import { renderText } from '../messaging/text-format.ts';
import { StoredEmail } from './payloads.ts';

export class Mailer {
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(url);
  }

  async send(to: string, email: { subject: string; text: string }): Promise<void> {
    try {
      await this.transport.sendMail({ from: this.from, to, subject: email.subject, text: email.text });
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      // The address itself, which the receiving server may quote, stays out of the stored reason.
      throw new DeliveryError(`SMTP refused the e-mail${code ? ` (${code})` : ''}: ${(error as Error).message.replaceAll(to, '<recipient>')}`, {
        permanent: code !== undefined && code >= 500,
        cause: error,
      });
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** A department's e-mails (deliveries.ts rows of channel "email"); the address is read from the configuration at each attempt. */
export class DepartmentEmailSender implements ChannelSender {
  constructor(
    private readonly mailer: Mailer,
    private readonly departments: Config['integrations']['departments'],
  ) {}

  async send(target: DeliveryTarget, message: OutboundMessage): Promise<void> {
    const department = String(target.address.department ?? '');
    const to = this.departments.find((entry) => entry.name === department)?.email;
    if (!to) throw new DeliveryError(`no e-mail address configured for department "${department}"`, { permanent: true });
    await this.mailer.send(to, StoredEmail.parse(JSON.parse(message.text)));
  }
}

/**
 * The `open311` channel: a requester's messages, by e-mail to the address they gave. One who gave
 * none (or a server without SMTP) follows the request through Open311 itself, where the status and
 * its note are published: the message counts as delivered there, instead of waiting forever for a
 * channel or filling the console's list of failures. Replies, which Open311 does not publish, are
 * refused before they are written (handoff.ts `reachable`).
 */
export class RequesterEmailSender implements ChannelSender {
  constructor(
    private readonly mailer: Mailer | undefined,
    private readonly emails: Emails,
  ) {}

  async send(target: DeliveryTarget, message: OutboundMessage): Promise<void> {
    const to = target.address.email;
    if (typeof to !== 'string' || to === '' || !this.mailer) return;
    // Choices (a rating's 1–5) cannot be answered by e-mail: only the text goes.
    await this.mailer.send(to, this.emails.render('toRequester', { message: renderText(message.text, 'plain') }));
  }
}
