// Work on a whole index done a few milliseconds at a time, so that other work on the thread (a
// server's requests) runs between slices instead of waiting for all of it: the loop asks due()
// after each piece and, when the slice's time is up, awaits pause().

export class Slices {
  private started = performance.now();

  /** @param ms - how long a slice may run before other work waiting gets its turn */
  constructor(readonly ms: number) {}

  /** Whether this slice's time is up. */
  due(): boolean {
    return performance.now() - this.started >= this.ms;
  }

  /** Let the other work waiting run, then start a new slice. */
  async pause(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.started = performance.now();
  }
}
