// HeldData (src/index/held-data.ts): what search answers from, built from the whole index and held
// until it changes. Each build here returns the "state" it read (a counter the test moves as the
// index would change), so every answer says which state it is of.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { HeldData } from "../src/index/held-data.js";

/** An index whose state is a number; a build reads it after `ms`, or fails while `failing`. */
function source(ms = 20) {
  const s = { state: 1, builds: 0, failing: false, current: 0 };
  const build = async () => {
    s.builds++;
    const seen = s.state;
    await sleep(ms);
    if (s.failing) throw new Error("the store is unreachable");
    return seen;
  };
  return { s, build };
}

describe("HeldData", () => {
  it("builds once and holds the build until a change", async () => {
    const { s, build } = source();
    const held = new HeldData(build, { staleMs: 0 });
    expect(await Promise.all([held.get(), held.get()])).toEqual([1, 1]);
    expect(await held.get()).toBe(1);
    expect(s.builds).toBe(1);
  });

  it("without staleMs, a use after a change waits for a build of the changed state, also when a build of the old one was running", async () => {
    const { s, build } = source();
    const held = new HeldData(build, { staleMs: 0 });
    expect(await held.get()).toBe(1);
    s.state = 2;
    held.changed();
    const running = held.get(); // starts a build that reads state 2...
    s.state = 3;
    held.changed(); // ...but the state moved on while it ran
    expect(await held.get()).toBe(3);
    expect(await running).toBeGreaterThanOrEqual(2);
  });

  it("with staleMs, answers from the last build while the new one runs, then from the new one; tells onCurrent", async () => {
    const { s, build } = source();
    let told = 0;
    const held = new HeldData(build, { staleMs: 1000, onCurrent: () => told++ });
    expect(await held.get()).toBe(1);
    s.state = 2;
    held.changed();
    expect(await held.get()).toBe(1);
    expect(await held.current()).toBe(2);
    expect(await held.get()).toBe(2);
    expect(told).toBe(1);
  });

  it("with staleMs, waits once the change is older than staleMs", async () => {
    const { s, build } = source(50);
    const held = new HeldData(build, { staleMs: 30 });
    expect(await held.get()).toBe(1);
    s.state = 2;
    held.changed();
    await sleep(40);
    expect(await held.get()).toBe(2);
  });

  it("after drop (this program's own write), never answers from a build before it", async () => {
    const { s, build } = source();
    const held = new HeldData(build, { staleMs: 1000 });
    expect(await held.get()).toBe(1);
    s.state = 2;
    held.changed();
    const stale = held.get(); // the last build, while one of state 2 runs
    s.state = 3;
    held.drop();
    expect(await stale).toBe(1);
    expect(await held.get()).toBe(3);
  });

  it("a failed build fails the uses that wait for it, not those answered from the last build; the next use builds again", async () => {
    const { s, build } = source();
    const held = new HeldData(build, { staleMs: 1000 });
    expect(await held.get()).toBe(1);
    s.state = 2;
    s.failing = true;
    held.changed();
    expect(await held.get()).toBe(1);
    await expect(held.current()).rejects.toThrow("unreachable");
    s.failing = false;
    expect(await held.current()).toBe(2);
  });
});
