// Every channel Çözüm can speak. A channel starts when it is configured; the web chat always does.
import type { Channel, ChannelDependencies, ChannelFactory } from './channel.ts';
import { createTelegram } from './telegram/index.ts';
import { createWebchat } from './web/index.ts';
import { createWhatsAppCloud } from './whatsapp-cloud/index.ts';
import { createBotFramework } from './botframework/index.ts';

const FACTORIES: ((deps: ChannelDependencies) => Promise<Channel | undefined>)[] = [
  async (deps) => createWebchat(deps),
  async (deps) => createTelegram(deps),
  async (deps) => createWhatsAppCloud(deps),
  // Baileys and its Signal, protobuf and QR code libraries are the largest of all to load: a start
  // without this channel does not pay for them (about a second of a two-core machine's start-up).
  async (deps) => {
    if (!deps.config.channels.whatsappBaileys.enabled) {
      deps.logger.info('WhatsApp (Baileys) off: set WHATSAPP_BAILEYS=true to pair a phone by QR code');
      return undefined;
    }
    const { createWhatsAppBaileys }: { createWhatsAppBaileys: ChannelFactory } = await import('./whatsapp-baileys/index.ts');
    return createWhatsAppBaileys(deps);
  },
  async (deps) => createBotFramework(deps),
];

export async function createChannels(deps: ChannelDependencies): Promise<Channel[]> {
  const channels: Channel[] = [];
  for (const factory of FACTORIES) {
    const channel = await factory(deps);
    if (channel) channels.push(channel);
  }
  return channels;
}
