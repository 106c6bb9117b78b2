// Every channel Çözüm can speak. A channel starts when it is configured; the web chat always does.
import type { Channel, ChannelDependencies, ChannelFactory } from './channel.ts';
import { createTelegram } from './telegram.ts';
import { createWebchat } from './web/webchat.ts';
import { createWhatsAppCloud } from './whatsapp-cloud.ts';
import { createWhatsAppBaileys } from './whatsapp-baileys.ts';
import { createBotFramework } from './botframework.ts';

const FACTORIES: ChannelFactory[] = [
  createWebchat,
  createTelegram,
  createWhatsAppCloud,
  createWhatsAppBaileys,
  createBotFramework,
];

export function createChannels(deps: ChannelDependencies): Channel[] {
  return FACTORIES.map((factory) => factory(deps)).filter((channel): channel is Channel => channel !== undefined);
}
