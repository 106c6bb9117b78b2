// The municipality's other systems, wired: the back-office API and its OpenAPI document, the feed
// of ticket events to departments' webhooks and e-mails (their own outbox, on IntegrationDelivery
// rows), and e-mail as the Open311 requesters' channel. main.ts starts it and closes it.
import type { Router } from 'express';
import { ConfigError, type Config } from '../config.ts';
import type { Emails } from '../content/emails.ts';
import type { Handoff } from '../handoff/handoff.ts';
import type { Logger } from '../log.ts';
import type { ChannelSender } from '../messaging/delivery.ts';
import type { CozumEvents } from '../messaging/events.ts';
import { Outbox, OUTBOX_DEFAULTS } from '../messaging/outbox.ts';
import type { Cluster } from '../storage/cluster.ts';
import type { ApiKeys } from '../open311/keys.ts';
import type { Database } from '../storage/database.ts';
import type { RateLimitStore } from '../storage/rate-limits.ts';
import { createBackofficeRouter } from './backoffice.ts';
import { IntegrationDeliveries, OUTBOX_CHANNEL } from './deliveries.ts';
import { DepartmentEmailSender, Mailer, RequesterEmailSender } from './email.ts';
import { TicketFeed } from './feed.ts';
import { createOpenApiRouter } from './openapi.ts';
import { WebhookSender, webhookUrlProblem } from './webhook.ts';

export { IntegrationDeliveries } from './deliveries.ts';

export interface Integrations {
  routers: Router[];
  deliveries: IntegrationDeliveries;
  /** The webhooks' and e-mails' outbox: the console's "send again" goes through it. */
  outbox: Outbox;
  feed: TicketFeed;
  /** The `open311` channel's sender (e-mail to requesters who gave an address, when SMTP is set up). */
  requesterSender: ChannelSender;
  close(): Promise<void>;
}

export function checkIntegrationsConfig(config: Config): void {
  for (const [index, entry] of config.integrations.departments.entries()) {
    const problem = entry.webhook && webhookUrlProblem(entry.webhook.url);
    if (problem) throw new ConfigError(`Invalid configuration:\n  - integrations.departments.${index}.webhook.url: ${problem}`);
    if (entry.email && !config.integrations.smtp.url) throw new ConfigError(`Invalid configuration:\n  - integrations.departments.${index}.email: needs integrations.smtp.url (or SMTP_URL)`);
  }
}

export async function startIntegrations(deps: {
  config: Config;
  db: Database;
  handoff: Handoff;
  events: CozumEvents;
  keys: ApiKeys;
  emails: Emails;
  logger: Logger;
  limits: RateLimitStore;
  categoryNames: ReadonlyMap<string, string>;
  /** Several instances on PostgreSQL (storage/cluster.ts): deliveries are claimed. */
  cluster?: Cluster;
}): Promise<Integrations> {
  const { config, db, logger } = deps;
  checkIntegrationsConfig(config);
  const settings = config.integrations;
  const mailer = settings.smtp.url ? new Mailer(settings.smtp.url, settings.smtp.from || config.municipality.email) : undefined;
  const senders = new Map<string, ChannelSender>([[OUTBOX_CHANNEL.webhook, new WebhookSender(settings.departments)]]);
  if (mailer) senders.set(OUTBOX_CHANNEL.email, new DepartmentEmailSender(mailer, settings.departments));
  const deliveries = new IntegrationDeliveries(db, undefined, deps.cluster);
  const outbox = new Outbox(deliveries, logger, (channel) => senders.get(channel), {
    maxAttempts: settings.maxAttempts,
    baseDelayMs: settings.retryBaseSeconds * 1000,
    maxDelayMs: OUTBOX_DEFAULTS.maxDelayMs,
    concurrency: 4,
    sendTimeoutMs: 30_000,
  });
  await outbox.start();
  // Several instances: what a dead instance claimed and did not send is claimed and sent here.
  const adopting = deps.cluster
    ? setInterval(() => {
        void deliveries.leftoverDeliveries().then((rows) => outbox.adopt(rows), (error: unknown) => logger.warn({ err: error }, 'integrations: claiming deliveries failed'));
      }, deps.cluster.leaseMs).unref()
    : undefined;
  const feed = new TicketFeed({ db, config, outbox, emails: deps.emails, logger, mail: mailer !== undefined, categoryNames: deps.categoryNames, claimant: () => deliveries.claimant });

  const look = () => void feed.sweep().catch((error: unknown) => logger.error({ err: error }, 'integrations: reading ticket events failed'));
  const onTicket = () => look();
  const timer = feed.active ? setInterval(look, settings.feedSeconds * 1000).unref() : undefined;
  if (feed.active) {
    deps.events.on('ticket', onTicket);
    look();
  }
  const routers = [
    createBackofficeRouter({ handoff: deps.handoff, db, keys: deps.keys, logger, limits: deps.limits, callsPerKeyPerMinute: settings.callsPerKeyPerMinute }),
    createOpenApiRouter(deps.handoff, db),
  ];
  return {
    routers,
    deliveries,
    outbox,
    feed,
    requesterSender: new RequesterEmailSender(mailer, deps.emails),
    async close() {
      clearInterval(timer);
      clearInterval(adopting);
      deps.events.off('ticket', onTicket);
      await feed.sweep().catch(() => 0);
      await outbox.close();
      mailer?.close();
    },
  };
}
