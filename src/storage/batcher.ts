// Groups small database writes made at about the same moment into one statement. Two hundred citizens
// writing at once cost a handful of statements per event-loop turn instead of hundreds, and every
// caller still waits until its own row is written. Batches run one after another, in the order their
// items were added; a batch that fails is retried item by item, so one bad row fails only its caller.

export interface BatcherOptions {
  /** Largest number of items written by one call of `run`. */
  maxBatch?: number;
}

interface Entry<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class Batcher<I, O> {
  private queue: Entry<I, O>[] = [];
  private scheduled = false;
  private running: Promise<void> | undefined;
  private readonly maxBatch: number;
  private idle: (() => void)[] = [];

  /** `run` writes the items and returns one result per item, in the same order. */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    options: BatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 200;
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything added so far has been written (or has failed). */
  drain(): Promise<void> {
    if (!this.running && !this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    // setImmediate, not a microtask: every turn that can reach this point in the current pass of the
    // event loop adds its row first.
    setImmediate(() => {
      this.scheduled = false;
      this.running = this.flush().finally(() => {
        this.running = undefined;
        if (this.queue.length > 0) this.schedule();
        else for (const resolve of this.idle.splice(0)) resolve();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      const results = await this.run(batch.map((entry) => entry.item));
      batch.forEach((entry, index) => entry.resolve(results[index]!));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      for (const entry of batch) {
        try {
          const [result] = await this.run([entry.item]);
          entry.resolve(result!);
        } catch (single) {
          entry.reject(single);
        }
      }
    }
  }
}
