// Runs tasks one after another per key, and different keys side by side: the messages of one chat
// are answered in the order they arrived, while other citizens are not kept waiting.
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** True while a task of `key` is queued or running. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }
}
