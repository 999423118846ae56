// POST /api/sync: bring the index in step with the server's --defs folder. The only write the API
// offers, and only with the server's bearer token: without a configured token it is refused (403),
// without a presented one 401, with a wrong one 403. One sync at a time, on a thread of its own:
// the server keeps answering while it runs, from the index as it was until the sync commits.
import { createHash, timingSafeEqual } from "node:crypto";
import path from "node:path";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { FindingModelIndex } from "../../index/finding-model-index.js";
import type { FileError } from "../../index/process-files.js";
import type { SyncOptions, SyncReport } from "../../index/sync.js";
import { codeOf, ERRORS } from "../../model/errors.js";
import { errorBody, HttpError } from "../errors.js";

export interface SyncRouteOptions {
  /** The folder POST /api/sync re-syncs. */
  defsDir?: string;
  /** The bearer token that allows it (FINDINGMODEL_API_TOKEN). Without one, sync is refused. */
  apiToken?: string;
  syncOptions?: Pick<SyncOptions, "skipInvalid" | "strictSynonyms">;
  /** Called after each sync, before it is answered (serve --workers tells the other workers to look at the index). */
  onSynced?: () => void;
}

export async function syncRoute(app: FastifyInstance, { index, ...options }: SyncRouteOptions & { index: FindingModelIndex }): Promise<void> {
  let running = false;

  app.post(
    "/api/sync",
    {
      config: {
        openapi: {
          tag: "admin",
          summary: "Re-sync the index from the server's --defs folder (bearer token required)",
          security: true,
          responses: {
            "200": { description: "The sync report (the index changed, or nothing needed to).", schema: "SyncReport" },
            "401": { description: "No bearer token was presented.", schema: "Error" },
            "403": { description: "The token is wrong, or the server has no token configured (sync disabled).", schema: "Error" },
            "409": { description: "A sync is already running, or the server has no --defs folder.", schema: "Error" },
            "422": { description: "Some files are invalid or clash; nothing was changed. The error shape with the report, which lists them.", schema: "SyncFailure" },
          },
        },
      },
    },
    async (request, reply) => {
      authorize(request, options.apiToken);
      if (!options.defsDir) throw new HttpError("sync-unavailable", "this server was started without --defs, so there is no folder to sync");
      if (running) throw new HttpError("sync-unavailable", "a sync is already running; try again when it has finished");
      running = true;
      try {
        const report = await index.sync(options.defsDir, { ...options.syncOptions, onThread: true }).catch((e: unknown) => {
          // The folder vanished or is not a folder: the server's setup, not the request, is wrong.
          const code = codeOf(e);
          if (code !== undefined && ERRORS[code].status === 400) throw new HttpError("sync-unavailable", `cannot sync: ${(e as Error).message}`);
          throw e;
        });
        request.log.info({ sync: { ...report, errors: report.errors.length, warnings: report.warnings.length } }, "sync finished");
        const failed = report.errors.length > 0 && !report.applied && !options.syncOptions?.skipInvalid;
        const shown = relativeToDefs(report, options.defsDir);
        if (!failed) return reply.code(200).send(shown);
        const files = new Set(report.errors.map((e) => e.file)).size;
        const message = `nothing was changed: ${files === 1 ? "1 file" : `${files} files`} of the --defs folder failed (listed in errors); fix them, or start the server with --skip-invalid to index the rest`;
        return reply.code(422).send({ ...errorBody("invalid-files", message), ...shown });
      } finally {
        running = false;
        // (Also after a failed sync: it may have changed the index before it failed.)
        options.onSynced?.();
      }
    },
  );
}

function authorize(request: FastifyRequest, token: string | undefined): void {
  if (!token) throw new HttpError("forbidden", "sync is disabled on this server: it was started without an API token (FINDINGMODEL_API_TOKEN)");
  const challenge = { "WWW-Authenticate": 'Bearer realm="findingmodel"' };
  const header = request.headers.authorization;
  if (!header) throw new HttpError("unauthorized", "sync needs the server's API token: send Authorization: Bearer <token>", challenge);
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header);
  if (!match) throw new HttpError("unauthorized", "the Authorization header must be: Bearer <token>", challenge);
  if (!sameSecret(match[1]!, token)) throw new HttpError("forbidden", "the API token is not valid");
}

/** Compare without leaking, through timing, how much of the secret matched (or its length). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The report with each file named relative to the --defs folder, in `file` and in messages (which
 * name the other model's file): a client learns nothing of where the server keeps its files.
 */
function relativeToDefs(report: SyncReport, defsDir: string): SyncReport {
  const root = path.resolve(defsDir);
  // The folder as given or resolved, where a path starts (not inside another, as "./" is in "../").
  const prefixes = [...new Set([root + path.sep, defsDir.endsWith(path.sep) ? defsDir : defsDir + path.sep])].sort((a, b) => b.length - a.length);
  const folder = new RegExp(`(?<=^|[\\s"'(])(?:${prefixes.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`, "g");
  const strip = (text: string) => text.replace(folder, "");
  const relative = (e: FileError): FileError => ({ file: path.relative(root, path.resolve(e.file)).split(path.sep).join("/"), path: e.path, message: strip(e.message) });
  return { ...report, errors: report.errors.map(relative), warnings: report.warnings.map(relative) };
}
