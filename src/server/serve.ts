// Listening, and stopping gracefully: on SIGINT or SIGTERM the server stops accepting
// connections, lets the requests in flight finish (up to a grace period), then `closed` resolves
// so the caller can close the index. A second signal stops at once.
import type { FastifyInstance } from "fastify";
import type { FindingModelIndex } from "../index/finding-model-index.js";
import { buildApp, type AppOptions } from "./app.js";
import { warmUp } from "./warm-up.js";

export interface ServeOptions extends AppOptions {
  port: number;
  host: string;
  /** How long requests in flight may take to finish after a signal (default 10 s). */
  graceMs?: number;
  /** Read the search data and do the routes' work a few hundred times before listening (warm-up.ts; default true). */
  warmUp?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  /** The address it listens on, e.g. http://127.0.0.1:8000. */
  url: string;
  /** Resolves once the server has stopped (after a signal, or close()). */
  closed: Promise<void>;
  close(): Promise<void>;
  /** Stop as on a first signal (requests in flight finish, up to the grace period); again, nothing more. */
  stop(): void;
}

export async function serve(index: FindingModelIndex, options: ServeOptions): Promise<RunningServer> {
  const app = await buildApp(index, options);
  if (options.warmUp ?? true) {
    try {
      const report = await warmUp(index);
      app.log.info({ warmUp: { requests: report.requests, ms: Math.round(report.ms) } }, "warmed up");
    } catch (e) {
      // (The index could not be read: the requests' answers say so; the server still starts.)
      app.log.warn({ err: e }, "warm-up failed");
    }
  }
  const url = await app.listen({ port: options.port, host: options.host });
  const graceMs = options.graceMs ?? 10_000;

  let closing: Promise<void> | undefined;
  let stopped!: () => void;
  const closed = new Promise<void>((resolve) => (stopped = resolve));

  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      app.log.warn({ signal }, "second signal: stopping now");
      process.exit(1);
    }
    stop(signal);
  };

  const stop = (signal?: NodeJS.Signals) => {
    if (closing) return;
    app.log.info(signal ? { signal } : {}, "stopping: finishing requests in flight");
    const timer = setTimeout(() => {
      app.log.error({ graceMs }, "requests still running after the grace period; closing their connections");
      app.server.closeAllConnections();
    }, graceMs);
    timer.unref();
    void close().finally(() => clearTimeout(timer));
  };

  const close = (): Promise<void> =>
    (closing ??= app.close().finally(() => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      app.log.info("stopped");
      stopped();
    }));

  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return { app, url, closed, close, stop: () => stop() };
}
