// What the platform stand-ins share: a platform that takes its time to answer a send (`slowMs`),
// or does not answer at all until the test lets it (`hold` / `release`).
export class Latency {
  /** Milliseconds every send waits before it is answered. */
  slowMs = 0;
  private gate: { promise: Promise<void>; open: () => void } | undefined;

  /** Sends wait from now on, until `release()`. */
  hold(): void {
    if (this.gate) return;
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gate = { promise, open };
  }

  release(): void {
    this.gate?.open();
    this.gate = undefined;
  }

  /** Waits as the platform would before answering a send. */
  async wait(): Promise<void> {
    if (this.gate) await this.gate.promise;
    if (this.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, this.slowMs));
  }
}
