// The console's live events across instances (several instances on one PostgreSQL database):
// each event emitted on one instance is sent to the others through PostgreSQL NOTIFY
// (storage/cluster.ts batches the events of one pass of the event loop into one notice) and
// emitted there as if it had happened there. Only ids travel, as in-process.
import type { Cluster } from '../storage/cluster.ts';
import type { CozumEventName, CozumEvents } from './events.ts';

const NAMES: readonly CozumEventName[] = ['message', 'conversation', 'ticket'];

export function relayEvents(events: CozumEvents, cluster: Cluster): void {
  events.relayTo((name, payload) => void cluster.notify('event', { name, payload }));
  cluster.on('event', (notice) => {
    const name = notice.name as CozumEventName;
    if (NAMES.includes(name)) events.emitRelayed(name, notice.payload);
  });
}
