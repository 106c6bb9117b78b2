// What every channel module provides, so that main.ts starts and stops them all alike.
import type { Router } from 'express';
import type { ChatAdapter } from '../messaging/adapter.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { ConversationStore } from '../messaging/conversation-store.ts';
import type { Database } from '../storage/database.ts';
import type { RateLimitStore } from '../storage/rate-limits.ts';

/** The assistant's own words a channel shows itself (bot/texts.yaml). */
export interface ChannelTexts {
  webGreeting: string;
  menuButton: string;
  /** The apology when a turn fails inside a channel's own runtime (Bot Framework's CloudAdapter). */
  turnFailed: string;
  /** WhatsApp's list message: text above a list sent without one, the button that opens it, the list's title. */
  chooseBody: string;
  chooseListButton: string;
  chooseListTitle: string;
  /** The web chat page's own labels (its title, box, button…), switched to the citizen's language. */
  webTitle: string;
  webSubtitle: string;
  webChatLabel: string;
  webInputLabel: string;
  webPlaceholder: string;
  webSend: string;
  webOffline: string;
  webSendAgain: string;
  /** The embedded chat's button ("{{title}}: sohbeti aç") and the panel's close button. */
  webOpen: string;
  webClose: string;
  /** What the web chat's server answers when it refuses a request, in the citizen's language. */
  webNoSession: string;
  webUnreadable: string;
  webUploadEmpty: string;
  format(key: 'webTooManySessions' | 'webTooManyMessages' | 'webTooManyReads' | 'webMessageTooLong' | 'mediaTooLarge', values: Record<string, string | number>): string;
  /** "5 dakika": a wait as the citizen reads it. */
  duration(seconds: number): string;
  /** The attach and location buttons, how a sent photo or pin shows in the log, and the word when the browser gives no location. */
  webAttach: string;
  webLocation: string;
  webPhoto: string;
  webPin: string;
  webLocationRefused: string;
}

/**
 * A part of a channel that must run on one instance at a time, when several share one database
 * (Telegram long polling: Telegram refuses a second poller; the WhatsApp session: one connection
 * per linked device). `start` when this instance takes it over, `stop` when it stops or loses it.
 */
export interface ExclusiveJob {
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export interface ExclusiveRun {
  /** Settles once the first try to take the job is over: it started here, or runs elsewhere. */
  readonly tried: Promise<void>;
  /** Stops the job here (if it runs here) and lets another instance take it. */
  stop(): Promise<void>;
  /** The instance running the job when it is another one (for an operator's page); undefined when it is this one or nobody. */
  elsewhere(): Promise<string | undefined>;
}

/** Runs `job` on one instance at a time (main.ts: a storage/cluster.ts Singleton when several instances share the database). */
export type RunExclusively = (name: string, job: ExclusiveJob) => ExclusiveRun;

/** One process: the job runs here, at once (a job logs its own trouble: a start that throws is not tried again). */
export const runHere: RunExclusively = (_name, job) => {
  const started = Promise.resolve().then(() => job.start());
  return {
    tried: started,
    async stop() {
      await started.catch(() => undefined);
      await job.stop();
    },
    elsewhere: async () => undefined,
  };
};

export interface ChannelDependencies {
  config: Config;
  adapter: ChatAdapter;
  store: ConversationStore;
  db: Database;
  logger: Logger;
  /** Where rate-limit counters that must outlive a restart are kept (storage/rate-limits.ts); the database by default. */
  limits?: RateLimitStore;
  /**
   * Where the counters checked on every request are kept (web chat messages and reads): Redis when
   * several instances run, else this process's memory (the default).
   */
  fastLimits?: RateLimitStore;
  /**
   * The same words in a citizen's language (Contact.language; locales/<language>/bot/texts.yaml),
   * for what a channel says itself to a known citizen; `texts` when not given or unknown.
   */
  textsIn?: (language: string | null | undefined) => ChannelTexts;
  /** The languages citizens may write in (content/languages.ts), Turkish first. */
  languages?: readonly string[];
  /** The assistant's own words (bot/texts.yaml), for what a channel shows before any message (the web chat's greeting). */
  texts?: ChannelTexts;
  /** How a channel runs what only one instance may (Telegram long polling, the WhatsApp session); `runHere` when not given. */
  runExclusively?: RunExclusively;
}

export interface Channel {
  /** The channel id stored with contacts and messages ("telegram", "whatsapp", "webchat"…). */
  readonly name: string;
  /** HTTP routes (webhooks, admin pages) mounted on the main server before it listens. */
  readonly router?: Router;
  /** Connects to the platform (polling, sockets); called once the HTTP server is listening. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds a channel from the configuration, or returns undefined (after logging why) when it is
 * not configured. A configured channel with a wrong setting throws: start-up stops with the reason.
 */
export type ChannelFactory = (deps: ChannelDependencies) => Channel | undefined;
