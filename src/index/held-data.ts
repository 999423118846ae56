// Data built by reading the whole index (search's in-memory data), held until the index changes,
// then built again on its next use. Reading thousands of models takes a good part of a second: a
// server whose every search waited for it after each sync would answer nothing for that long. So,
// when allowed (`staleMs`), a change made by another connection leaves the last build answering
// while the new one is read, for at most `staleMs` after the change; from then on, uses wait for
// the new build. After this program's own write (drop), uses always wait.
//
// Builds are numbered by generation (bumped by every change): a build that started before a
// change is not of the index as it is, and a use that must be current waits for a later one.

export interface HeldDataOptions {
  /**
   * How long after another connection's change the last build may still answer while the new one
   * is read; 0: never (every use after a change waits for the new build).
   */
  staleMs: number;
  /** Called when a build of the index as it is lands after the last one answered for it (stale answers made from that one may go). */
  onCurrent?: () => void;
}

export class HeldData<T> {
  /** The last build that landed, and the generation it was started in. */
  private last: { data: T; generation: number } | undefined;
  private generation = 0;
  /** When the last build stopped being of the index as it is (the first change since); undefined while it is, or after drop(). */
  private staleSince: number | undefined;
  /** Whether a use was answered from a stale build since it went stale. */
  private servedStale = false;
  private building: { promise: Promise<T>; generation: number } | undefined;

  constructor(
    private readonly build: () => Promise<T>,
    private readonly options: HeldDataOptions,
  ) {}

  /** Whether a build is held or under way (else the next use must wait for a whole build). */
  held(): boolean {
    return this.last !== undefined || this.building !== undefined;
  }

  /** The data: of the index as it is, or (within staleMs of another connection's change, while the new build is read) the last build. */
  get(): Promise<T> {
    const last = this.last;
    if (last && last.generation === this.generation) return Promise.resolve(last.data);
    const current = this.atLeast(this.generation);
    if (last && this.staleSince !== undefined && performance.now() - this.staleSince < this.options.staleMs) {
      // The new build's failure is for the next use that waits for it.
      current.catch(() => {});
      this.servedStale = true;
      return Promise.resolve(last.data);
    }
    return current;
  }

  /** Another connection changed the index: the next use starts a new build (and may be answered from the last one meanwhile). */
  changed(): void {
    if (this.last && this.last.generation === this.generation) this.staleSince = performance.now();
    this.generation++;
  }

  /** The last build when it is of the index as it is (nothing changed since it started); else undefined. Starts nothing. */
  ifCurrent(): T | undefined {
    const last = this.last;
    return last && last.generation === this.generation ? last.data : undefined;
  }

  /** The last build that landed, current or not (undefined after drop()). Starts nothing. */
  latest(): T | undefined {
    return this.last?.data;
  }

  /** Forget every build: the next use waits for a new one (after this program's own write, or when the store failed). */
  drop(): void {
    this.last = undefined;
    this.staleSince = undefined;
    this.generation++;
  }

  /** The data of the index as it is now, built if need be (waiting for it). */
  current(): Promise<T> {
    return this.atLeast(this.generation);
  }

  /** A build started in `generation` or later. */
  private async atLeast(generation: number): Promise<T> {
    for (;;) {
      const last = this.last;
      if (last && last.generation >= generation) return last.data;
      const running = this.building ?? this.start();
      const data = await running.promise;
      if (running.generation >= generation) return data;
    }
  }

  private start(): { promise: Promise<T>; generation: number } {
    const generation = this.generation;
    const running = {
      generation,
      promise: this.build().then(
        (data) => {
          if (this.building === running) this.building = undefined;
          // (A build started before drop() is kept too, but never answers: it is not current, and
          // staleSince, unset by drop(), is set again only when a current build goes stale.)
          if (this.last === undefined || this.last.generation < generation) {
            this.last = { data, generation };
          }
          if (generation === this.generation) {
            this.staleSince = undefined;
            if (this.servedStale) {
              this.servedStale = false;
              this.options.onCurrent?.();
            }
          }
          return data;
        },
        (e: unknown) => {
          if (this.building === running) this.building = undefined;
          throw e;
        },
      ),
    };
    this.building = running;
    return running;
  }
}
