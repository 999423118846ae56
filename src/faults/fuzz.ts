// Hostile input: random and adversarial strings through search (library, HTTP and MCP), random
// mutations of real model files through validate and sync, random request bodies through the HTTP
// API. Never a crash or a hang: a search answers or refuses with a message, every file is valid or
// has its own errors, every bad request is a 4xx with a message, never a 5xx.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import fc from "fast-check";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { checkModelFiles } from "../index/check-folder.js";
import { InvalidRequestError } from "../index/errors.js";
import { openIndex } from "../index/open-index.js";
import { buildApp } from "../server/app.js";
import { classify } from "./open-defects.js";
import { CLI, type PartResult, type SuiteOptions } from "./workspace.js";

/** Strings people and programs send that break naive query parsers. */
const ADVERSARIAL = ['"', "'", "*", "NEAR(a b)", "a OR", "AND", "-", "^", "(", ")", ":", "name:pneumo", "\u0000", "\uFFFF", "\uD800", "🫁 lung", "x".repeat(5000), "a ".repeat(400), "%", "_", "\\", "{}", "[]", "null", "0x10", "Infinity", "NaN", "-1", "1e400", "<script>", "' OR 1=1 --"];

const query = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 300 }), fc.constantFrom(...ADVERSARIAL), fc.array(fc.constantFrom(...ADVERSARIAL), { maxLength: 6 }).map((a) => a.join(" ")));

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`hung: ${what} took more than ${ms} ms`)), ms).unref())]);
}

export async function fuzzPart(opts: SuiteOptions, folder: string): Promise<PartResult[]> {
  const runs = opts.short ? 150 : 3000;
  const results: PartResult[] = [];
  const db = path.join(opts.work, "fuzz.db");
  const index = await openIndex({ db, cache: false });
  await index.sync(folder);
  const app = await buildApp(index);
  const base = await app.listen({ port: 0, host: "127.0.0.1" });
  try {
    // Search through the library.
    {
      const found: string[] = [];
      await fc.assert(
        fc.asyncProperty(query, async (q) => {
          try {
            await withTimeout(index.search(q, { limit: 10 }), 10_000, `search ${JSON.stringify(q.slice(0, 40))}`);
          } catch (e) {
            if (!(e instanceof InvalidRequestError) || e.message.length === 0) found.push(`search ${JSON.stringify(q.slice(0, 60))}: ${String(e).slice(0, 200)}`);
          }
        }),
        { numRuns: runs },
      );
      results.push({ part: "fuzz", name: "search (library)", trials: runs, ...classify(found.slice(0, 20)) });
    }
    // Search and lookups over HTTP: never a 5xx; a 4xx says why.
    {
      const found: string[] = [];
      await fc.assert(
        fc.asyncProperty(query, fc.constantFrom("/api/search?q=", "/api/models/", "/api/search?limit=", "/api/models?limit="), async (q, route) => {
          // A URL carries UTF-8: lone surrogates are sent as U+FFFD, as a browser does.
          const r = await fetch(base + route + encodeURIComponent((q as string & { toWellFormed(): string }).toWellFormed()));
          const text = await r.text();
          if (r.status >= 500) found.push(`GET ${route}${JSON.stringify(q.slice(0, 40))}: ${r.status} ${text.slice(0, 200)}`);
          else if (r.status >= 400 && !/"message"\s*:\s*"[^"]/.test(text)) found.push(`GET ${route}${JSON.stringify(q.slice(0, 40))}: ${r.status} without a message: ${text.slice(0, 200)}`);
        }),
        { numRuns: runs },
      );
      results.push({ part: "fuzz", name: "search and lookups over HTTP", trials: runs, ...classify(found.slice(0, 20)) });
    }
    // Request bodies: random JSON and random bytes to the batch search.
    {
      const found: string[] = [];
      const body = fc.oneof(
        fc.json({ maxDepth: 4 }),
        fc.string({ maxLength: 200 }),
        fc.record({ queries: fc.array(query, { maxLength: 5 }), limit: fc.oneof(fc.integer(), fc.double(), fc.string()) }).map((o) => JSON.stringify(o)),
      );
      await fc.assert(
        fc.asyncProperty(body, fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded"), async (b, type) => {
          const r = await fetch(base + "/api/search/batch", { method: "POST", headers: { "content-type": type }, body: b });
          const text = await r.text();
          if (r.status >= 500) found.push(`POST /api/search/batch ${JSON.stringify(b.slice(0, 60))} (${type}): ${r.status} ${text.slice(0, 200)}`);
          else if (r.status >= 400 && !/"message"\s*:\s*"[^"]/.test(text)) found.push(`POST /api/search/batch ${JSON.stringify(b.slice(0, 60))}: ${r.status} without a message`);
        }),
        { numRuns: runs },
      );
      results.push({ part: "fuzz", name: "HTTP request bodies (POST /api/search/batch)", trials: runs, ...classify(found.slice(0, 20)) });
    }
    // Mutated real model files through validate and sync.
    {
      const found: string[] = [];
      const sources = readdirSync(folder).filter((f) => f.endsWith(".fm.json")).slice(0, 20).map((f) => readFileSync(path.join(folder, f), "utf8"));
      const mutation = fc.tuple(fc.nat({ max: sources.length - 1 }), fc.nat(), fc.constantFrom("truncate", "insert", "delete", "replace", "nest", "number"), fc.string({ unit: "binary", maxLength: 8 }));
      const rounds = opts.short ? 4 : 40;
      for (let round = 0; round < rounds; round++) {
        const dir = path.join(opts.work, `mutated-${round}`);
        mkdirSync(dir, { recursive: true });
        const made = fc.sample(mutation, 25);
        made.forEach(([i, at, kind, text], n) => {
          const src = sources[i]!;
          const p = at % (src.length + 1);
          const out =
            kind === "truncate" ? src.slice(0, p)
            : kind === "insert" ? src.slice(0, p) + text + src.slice(p)
            : kind === "delete" ? src.slice(0, p) + src.slice(p + 1 + (at % 20))
            : kind === "replace" ? src.slice(0, p) + text + src.slice(p + text.length)
            : kind === "nest" ? src.slice(0, p) + "[".repeat(3000 + (at % 3000)) + src.slice(p)
            : src.replace(/(\d+(\.\d+)?)/, "1e400");
          writeFileSync(path.join(dir, `m${n}.fm.json`), out);
        });
        try {
          const report = await withTimeout(checkModelFiles([dir]), 60_000, `validate of round ${round}`);
          if (report.files !== 25) found.push(`validate, round ${round}: ${report.files} files checked of 25`);
          const failedFiles = new Set(report.errors.map((e) => e.file));
          if (report.valid + failedFiles.size < 25) found.push(`validate, round ${round}: ${25 - report.valid - failedFiles.size} files neither valid nor with an error of their own`);
        } catch (e) {
          found.push(`validate, round ${round}: ${String(e).slice(0, 300)}`);
        }
        const target = await openIndex({ db: path.join(opts.work, `mutated-${round}.db`) });
        try {
          const report = await withTimeout(target.sync(dir, { skipInvalid: true }), 60_000, `sync of round ${round}`);
          if (report.added + report.skipped < 25 && report.errors.length === 0) found.push(`sync, round ${round}: ${report.added} added and ${report.skipped} skipped of 25`);
        } catch (e) {
          found.push(`sync, round ${round}: ${String(e).slice(0, 300)}`);
        } finally {
          await target.close();
        }
      }
      results.push({ part: "fuzz", name: "mutated real model files through validate and sync --skip-invalid", trials: rounds * 25, ...classify(found.slice(0, 20)) });
    }
  } finally {
    await app.close();
    await index.close();
  }
  results.push(await mcpFuzz(db, runs));
  for (const r of results) opts.log(`fuzz: ${r.name}: ${r.trials} runs, ${r.failures.length} findings`);
  return results;
}

/**
 * Random arguments to the MCP server's search tool (`findingmodel mcp`, a child process over
 * stdio, as an agent runs it): every call is answered, with results, a tool error that says why,
 * or a -32602 with a message; never an internal error, a hang or the server gone.
 */
async function mcpFuzz(db: string, runs: number): Promise<PartResult> {
  const name = "search through MCP (findingmodel mcp over stdio)";
  const found: string[] = [];
  const seen = { results: 0, "tool errors": 0, "-32602": 0 };
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, "mcp", "--db", db], stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: "findingmodel-faults", version: "1.0.0" });
  await client.connect(transport);
  try {
    const anything = fc.oneof(query, fc.integer(), fc.double(), fc.constant(null), fc.array(query, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), query, { maxKeys: 2 }));
    const args = fc.record(
      // Mostly well-typed (so that the search itself is reached), sometimes anything at all.
      {
        query: fc.oneof({ arbitrary: query, weight: 6 }, { arbitrary: anything, weight: 1 }),
        limit: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 100 }), weight: 4 }, { arbitrary: fc.integer({ min: -5, max: 2000 }), weight: 1 }, { arbitrary: anything, weight: 1 }),
        tags: fc.oneof({ arbitrary: fc.array(fc.constantFrom("CT", "chest", "MR", "XR"), { maxLength: 3 }), weight: 4 }, { arbitrary: fc.array(query, { maxLength: 25 }), weight: 1 }, { arbitrary: anything, weight: 1 }),
        mode: fc.oneof({ arbitrary: fc.constantFrom("lexical", "hybrid"), weight: 4 }, { arbitrary: anything, weight: 1 }),
      },
      { requiredKeys: ["query"] },
    );
    await fc.assert(
      fc.asyncProperty(args, async (a) => {
        const what = `search_finding_models ${JSON.stringify(a).slice(0, 80)}`;
        try {
          const r = (await withTimeout(client.callTool({ name: "search_finding_models", arguments: a }), 10_000, what)) as { isError?: boolean; content?: Array<{ text?: string }> };
          if (r.isError && !r.content?.[0]?.text) found.push(`${what}: a tool error without a message`);
          seen[r.isError ? "tool errors" : "results"]++;
        } catch (e) {
          if (!(e instanceof McpError && e.code === -32602 && e.message.length > 0)) found.push(`${what}: ${String(e).slice(0, 200)}`);
          else seen["-32602"]++;
        }
      }),
      { numRuns: runs },
    );
    // Still serving, and it said nothing on stderr (no stack traces).
    await withTimeout(client.listTools(), 10_000, "tools/list after the fuzz run").catch((e: unknown) => found.push(`the server stopped answering: ${String(e)}`));
    if (stderr.trim() !== "") found.push(`wrote to stderr: ${stderr.slice(0, 300)}`);
  } finally {
    await client.close();
  }
  return { part: "fuzz", name, trials: runs, ...classify(found.slice(0, 20)), figures: seen };
}
