// Work on a whole index done a few milliseconds at a time, so that other work on the thread (a
// server's requests) runs between slices instead of waiting for all of it: the loop asks due()
// after each piece and, when the slice's time is up, awaits pause(). Work written once as Steps (a
// generator that yields between pieces) runs either in slices (run) or all at once (allAtOnce), for
// a caller that needs its result now.

/** Work in pieces: yields between them, returns its result. */
export type Steps<T> = Generator<void, T, void>;

/** The result of `steps`, all of them at once. */
export function allAtOnce<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

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

  /** The result of `steps`, pausing whenever a slice's time is up. */
  async run<T>(steps: Steps<T>): Promise<T> {
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      if (this.due()) await this.pause();
    }
  }
}
