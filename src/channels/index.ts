// Every channel Çözüm can speak. A channel starts when it is configured; the web chat always does.
import type { Channel, ChannelDependencies, ChannelFactory } from './channel.ts';
import { createTelegram } from './telegram/index.ts';
import { createWebchat } from './web/index.ts';
import { createWhatsAppCloud } from './whatsapp-cloud/index.ts';
import { createWhatsAppBaileys } from './whatsapp-baileys/index.ts';
import { createBotFramework } from './botframework/index.ts';

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
