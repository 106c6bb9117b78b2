// Ids and timestamps for the rows written by hand (messages, tickets). Both only grow within a process,
// so rows made in the same millisecond still sort in the order they were made by (createdAt, id): the
// order in which replies are delivered and a recovered chat is replayed.
import { randomBytes } from 'node:crypto';

/** Distinguishes two processes that write in the same millisecond. */
const PROCESS_TAG = randomBytes(6).readUIntBE(0, 6).toString(36).padStart(10, '0').slice(-8);
const COUNTER_LIMIT = 36 ** 4;

let lastTime = 0;
let counter = 0;

export interface Stamp {
  id: string;
  at: Date;
}

/** A fresh id and its creation time: never earlier than the previous stamp, even if the clock steps back. */
export function nextStamp(): Stamp {
  let time = Date.now();
  if (time <= lastTime) {
    time = lastTime;
    counter++;
    if (counter >= COUNTER_LIMIT) {
      time = lastTime + 1;
      counter = 0;
    }
  } else {
    counter = 0;
  }
  lastTime = time;
  // "m" + 9 time digits + 4 counter digits + 8 process digits, all base 36: 22 characters.
  const id = `m${time.toString(36).padStart(9, '0')}${counter.toString(36).padStart(4, '0')}${PROCESS_TAG}`;
  return { id, at: new Date(time) };
}

