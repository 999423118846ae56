// `serve --workers N`: N processes (node:cluster) answering on one port, each with its own
// connection to the index and its own search data, each seeing the others' writes (POST /api/sync
// in one of them) as it sees any other program's: by the store's change mark. The primary only
// starts them, prints the address once, tells the others when one has synced (so that they look
// at the index at once, not on their next request), and stops them: a signal to it stops every
// worker gracefully; a worker that stops on its own stops the rest (a supervisor restarts the service).
import cluster, { type Worker } from "node:cluster";

/** What a worker tells the primary: once it listens (where), and after each of its syncs. */
interface WorkerMessage<T> {
  listening?: T;
  synced?: true;
}

/** A worker of `serve --workers` (not the primary, and not a lone server). */
export function isServeWorker(): boolean {
  return cluster.isWorker;
}

/** In a worker: tell the primary it listens; stop (gracefully) when the primary says so, look at the index when it says another worker synced. */
export function joinPrimary<T>(listening: T, on: { stop: () => void; look: () => void }): void {
  process.send?.({ listening } satisfies WorkerMessage<T>);
  process.on("message", (message) => {
    if (message === "stop") on.stop();
    else if (message === "look") on.look();
  });
  // The primary gone (killed) means no one will stop this worker: stop now.
  process.on("disconnect", on.stop);
}

/** In a worker: tell the primary this worker synced (for the others to look at the index). */
export function reportSynced(): void {
  if (cluster.isWorker && process.connected) process.send?.({ synced: true } satisfies WorkerMessage<never>);
}

/**
 * In the primary: start `count` workers (this program again, with the same arguments and Node
 * flags), call `onListening` with what the first said once every one listens (so that the first
 * clients' connections are handed to all of them), and resolve with the exit code once all have
 * stopped: 0 when every one stopped after a signal to the primary, else the first failing code.
 */
export function runWorkers<T>(count: number, onListening: (listening: T) => void): Promise<number> {
  return new Promise((resolve) => {
    const workers = new Set<Worker>();
    let stopping = false;
    let exitCode = 0;
    const listening: T[] = [];
    const stopAll = () => {
      for (const w of workers) if (w.isConnected()) w.send("stop");
    };
    const onSignal = () => {
      // A second signal stops at once, as it does a lone server.
      if (stopping) for (const w of workers) w.process.kill("SIGKILL");
      stopping = true;
      stopAll();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    for (let i = 0; i < count; i++) {
      const worker = cluster.fork();
      workers.add(worker);
      worker.on("message", (message: WorkerMessage<T>) => {
        if (message.listening !== undefined && listening.push(message.listening) === count) onListening(listening[0]!);
        if (message.synced) for (const w of workers) if (w !== worker && w.isConnected()) w.send("look");
      });
      worker.on("exit", (code, signal) => {
        workers.delete(worker);
        if (!stopping) {
          // One worker stopping on its own (a failure to start, a crash) stops the rest.
          stopping = true;
          exitCode = code || (signal ? 1 : 0) || 1;
          process.stderr.write(`findingmodel: a serve worker stopped (${signal ?? `exit ${code}`}); stopping the others\n`);
          stopAll();
        } else if (code !== 0 && exitCode === 0 && !signal) exitCode = code ?? 1;
        if (workers.size === 0) {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          resolve(exitCode);
        }
      });
    }
  });
}
