// Every channel Çözüm can speak. A channel starts when it is configured; the web chat always does.
import type { Channel, ChannelDependencies, ChannelFactory } from './channel.ts';
import { createWebchat } from './web/webchat.ts';

const FACTORIES: ChannelFactory[] = [
  createWebchat,
];

export function createChannels(deps: ChannelDependencies): Channel[] {
  return FACTORIES.map((factory) => factory(deps)).filter((channel): channel is Channel => channel !== undefined);
}
