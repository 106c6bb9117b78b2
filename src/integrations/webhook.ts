// Outgoing webhooks: a department's ticket events POSTed to its own system, signed so that the
// receiver knows they come from Çözüm and are fresh. The signature is HMAC-SHA256, keyed with the
// department's secret, over `<timestamp>.<body>`; the timestamp (Unix seconds) travels in its own
// header and is inside what is signed, so a captured call replayed later fails the receiver's
// window check (docs/integrations.md: five minutes). Delivered by the outbox (deliveries.ts):
// a 5xx, 408, 429 or a network error is tried again with backoff; another 4xx is refused for good.
import { createHmac } from 'node:crypto';
import type { Config } from '../config.ts';
import { isLoopbackHost } from '../http/loopback.ts';
import { sameSecret } from '../http/same-secret.ts';
import { DeliveryError, type ChannelSender, type DeliveryTarget } from '../messaging/delivery.ts';
import type { OutboundMessage } from '../messaging/message.ts';

export const SIGNATURE_HEADER = 'X-Cozum-Signature';
export const TIMESTAMP_HEADER = 'X-Cozum-Timestamp';
export const EVENT_HEADER = 'X-Cozum-Event';
export const DELIVERY_HEADER = 'X-Cozum-Delivery';
/** How old a call a receiver should still accept (and how far in the future, for clocks apart). */
export const REPLAY_WINDOW_SECONDS = 300;
const TIMEOUT_MS = 10_000;

/** `sha256=<hex>` of `<timestamp>.<body>`. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does (docs/integrations.md shows the same in a few lines): signature, then freshness. */
export function verifyWebhook(input: { secret: string; body: string; timestamp: string | undefined; signature: string | undefined; now?: Date }): boolean {
  const { timestamp, signature } = input;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) return false;
  if (!sameSecret(signature, signWebhook(input.secret, timestamp, input.body))) return false;
  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return Math.abs(now - Number(timestamp)) <= REPLAY_WINDOW_SECONDS;
}

/** A webhook's address must be https, or http on this machine (tests, a receiver on the same host). */
export function webhookUrlProblem(url: string): string | undefined {
  const parsed = new URL(url);
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return undefined;
  return 'must be https (http only for a receiver on this machine)';
}

const TRY_AGAIN = new Set([408, 425, 429]);

export class WebhookSender implements ChannelSender {
  constructor(
    private readonly departments: Config['integrations']['departments'],
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async send(target: DeliveryTarget, message: OutboundMessage): Promise<void> {
    const department = String(target.address.department ?? '');
    const webhook = this.departments.find((entry) => entry.name === department)?.webhook;
    if (!webhook) throw new DeliveryError(`no webhook configured for department "${department}"`, { permanent: true });
    const body = message.text;
    const timestamp = String(Math.floor(this.clock().getTime() / 1000));
    const kind = (JSON.parse(body) as { type?: string }).type ?? '';
    let response: Response;
    try {
      response = await fetch(webhook.url, {
        method: 'POST',
        // Redirects are not followed: the signed body goes only where the configuration says.
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Cozum-Webhook/1',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhook(webhook.secret, timestamp, body),
          [EVENT_HEADER]: kind,
          ...(target.messageId && { [DELIVERY_HEADER]: target.messageId }),
        },
        body,
      });
    } catch (error) {
      throw new DeliveryError(`webhook call failed: ${(error as Error).message}`, { cause: error });
    }
    await response.body?.cancel();
    if (response.ok) return;
    const retryAfter = Number(response.headers.get('retry-after'));
    const reason = `webhook answered ${response.status}`;
    if (response.status >= 500 || TRY_AGAIN.has(response.status)) throw new DeliveryError(reason, Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {});
    throw new DeliveryError(reason, { permanent: true });
  }
}
