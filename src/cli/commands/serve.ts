// `findingmodel serve`: the HTTP JSON API and the web page over an index, until SIGINT/SIGTERM.
// Read-only unless POST /api/sync is enabled (--defs and FINDINGMODEL_API_TOKEN both given).
// Logs are JSON lines on stderr; stdout gets the address once listening.
import type { Command } from "commander";
import { statSync } from "node:fs";
import { printJson, printLine, UsageError, warn, wholeNumberOption } from "../output.js";
import { strictSynonyms, synonymOptions, type SynonymCommandOptions } from "../synonym-options.js";
import { indexOptions, withIndex, type IndexCommandOptions } from "../with-index.js";
import { SEARCH_STALE_MS } from "../../server/limits.js";

interface ServeCommandOptions extends IndexCommandOptions, SynonymCommandOptions {
  port: string;
  host: string;
  defs?: string;
  skipInvalid?: boolean;
  logLevel: string;
  workers: string;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
/** More processes than this would hold that many copies of the search data for little gain. */
const MAX_WORKERS = 64;
/** A token shorter than this is too easy to guess. */
const MIN_TOKEN_LENGTH = 16;

export function registerServe(program: Command): void {
  indexOptions(
    synonymOptions(
      program
        .command("serve")
        .description("serve the HTTP JSON API (/api/...) and the web page (/) over the index")
        .option("--port <n>", "port to listen on (0 for any free port)", "8000")
        .option("--host <address>", "address to listen on (0.0.0.0 for every interface)", "127.0.0.1")
        .option("--defs <dir>", "folder that POST /api/sync re-syncs (needs FINDINGMODEL_API_TOKEN)"),
      "POST /api/sync: ",
    )
      .option("--skip-invalid", "POST /api/sync: index the valid files and report the others")
      .option("--log-level <level>", `log level: ${LOG_LEVELS.join(", ")}`, "info")
      .option("--workers <n>", `processes answering on the port, each holding its own search data (1 to ${MAX_WORKERS})`, "1"),
  ).action(async (opts: ServeCommandOptions) => {
    const strict = strictSynonyms(opts);
    const port = wholeNumberOption("--port", opts.port, 0, 65535);
    const workers = wholeNumberOption("--workers", opts.workers, 1, MAX_WORKERS);
    if (!LOG_LEVELS.includes(opts.logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")}; got "${opts.logLevel}"`);
    const apiToken = process.env.FINDINGMODEL_API_TOKEN || undefined;
    if (apiToken !== undefined && apiToken.length < MIN_TOKEN_LENGTH) {
      throw new UsageError(`FINDINGMODEL_API_TOKEN is too short to be safe: use at least ${MIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 32)`);
    }
    if (opts.defs !== undefined && !isDirectory(opts.defs)) throw new UsageError(`--defs ${opts.defs} is not a folder`);
    const syncEnabled = opts.defs !== undefined && apiToken !== undefined;
    const { isServeWorker, joinPrimary, reportSynced, runWorkers } = await import("../../server/workers.js");
    const worker = isServeWorker();
    if (opts.defs !== undefined && !apiToken && !worker) warn("findingmodel: POST /api/sync is disabled: set FINDINGMODEL_API_TOKEN to enable re-syncing --defs");
    const announce = ({ url, readOnly }: { url: string; readOnly: boolean }) => {
      if (opts.json) printJson({ url, readOnly, workers });
      else printLine(`serving ${url} (${readOnly ? "read-only" : "POST /api/sync enabled"}${workers > 1 ? `, ${workers} workers` : ""}); Ctrl-C to stop`);
    };
    if (workers > 1 && !worker) {
      // The primary: the workers run this command again and each opens the index.
      process.exitCode = await runWorkers(workers, announce);
      return;
    }

    await withIndex(
      opts,
      async (index) => {
        const { serve } = await import("../../server/serve.js");
        const server = await serve(index, {
          port,
          host: opts.host,
          defsDir: syncEnabled ? opts.defs : undefined,
          apiToken,
          syncOptions: { strictSynonyms: strict, skipInvalid: opts.skipInvalid },
          onSynced: worker ? reportSynced : undefined,
          logger: { level: opts.logLevel, stream: process.stderr },
        });
        // (A look that fails is the next request's to report.)
        if (worker) joinPrimary({ url: server.url, readOnly: !syncEnabled }, { stop: server.stop, look: () => void index.lookNow().catch(() => undefined) });
        else announce({ url: server.url, readOnly: !syncEnabled });
        await server.closed;
        // (The channel to the primary would keep this worker running.)
        if (worker) process.disconnect?.();
      },
      syncEnabled ? "write" : "read",
      { staleSearchMs: SEARCH_STALE_MS },
    );
  });
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
