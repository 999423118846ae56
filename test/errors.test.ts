// The error registry (src/model/errors.ts): every error the product raises has a registered code,
// every code is defined consistently and raised somewhere, and the CLI, the HTTP server and the
// MCP tools decide what to do by the code alone (an error of the base class with a given code is
// treated as any error of that code).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { failureOf } from "../src/cli/failure.js";
import { CommandError, UsageError } from "../src/cli/output.js";
import { MissingPathError } from "../src/index/check-folder.js";
import { CheckFolderError } from "../src/index/check-index.js";
import { EmbeddingsError } from "../src/index/embeddings/provider.js";
import { EnvironmentVariableError } from "../src/index/environment.js";
import { InvalidRequestError } from "../src/index/errors.js";
import { IndexWriteError } from "../src/index/finding-model-index.js";
import { GenerateFolderError } from "../src/index/generate-folder.js";
import { FileChangedDuringSyncError } from "../src/index/held-json.js";
import { LexiconError } from "../src/index/lexicon.js";
import { IndexLocationError } from "../src/index/open-index.js";
import { SearchQueryError } from "../src/index/search/query-input.js";
import { SyncDeclinedError, SyncDirectoryError } from "../src/index/sync.js";
import { NotARegistryError } from "../src/index/update-registry.js";
import { callTool, ToolArgumentError } from "../src/mcp/tools.js";
import { codeOf, CodedError, ERRORS, errorDefinition, type ErrorCode } from "../src/model/errors.js";
import { HttpError, installErrorHandlers } from "../src/server/errors.js";
import { StoreError, type StoreErrorCode } from "../src/store/store.js";
import type { FindingModelIndex } from "../src/index/finding-model-index.js";

const SRC = fileURLToPath(new URL("../src", import.meta.url));
const CODES = Object.keys(ERRORS) as ErrorCode[];
const STORE_CODES: StoreErrorCode[] = ["locked", "readonly", "corrupt", "too-new", "unreachable", "auth", "timeout", "constraint", "changed", "other"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : /\.(ts|js)$/.test(name) ? [file] : [];
  });
}

describe("the error registry", () => {
  it("defines each code consistently: a status, an exit code of DESIGN.md, a CLI kind, and a text for the client where the message may not be shown", () => {
    for (const code of CODES) {
      const d = errorDefinition(code);
      expect(code, code).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(d.means.length, code).toBeGreaterThan(10);
      expect(d.status, code).toBeGreaterThanOrEqual(400);
      expect(d.status, code).toBeLessThan(600);
      expect([1, 2], code).toContain(d.exit);
      expect(["usage", "not-found", "conflict", "database", "environment"], code).toContain(d.cli);
      if (d.status >= 500) expect(d.hidden, `${code} answers ${d.status}: the client must get a text of its own`).toBeTruthy();
    }
  });

  it("gives every error the product raises a registered code", () => {
    const raised: Error[] = [
      new InvalidRequestError("x"),
      new SearchQueryError("x"),
      new MissingPathError(["/nowhere"]),
      new CheckFolderError("x"),
      new EnvironmentVariableError("x"),
      new GenerateFolderError("x"),
      new IndexLocationError("x"),
      new SyncDirectoryError("x"),
      new SyncDeclinedError("x"),
      new NotARegistryError("x"),
      new FileChangedDuringSyncError("a.fm.json"),
      new LexiconError("x"),
      new IndexWriteError("x"),
      new EmbeddingsError("timeout", "x"),
      new ToolArgumentError("x"),
      new HttpError("forbidden", "x"),
      new CommandError("not-found", "x"),
      new UsageError("x"),
      ...STORE_CODES.map((c) => new StoreError(c, "x")),
    ];
    for (const e of raised) {
      expect(e, e.name).toBeInstanceOf(CodedError);
      expect(CODES, e.name).toContain(codeOf(e));
    }
    // Each kind of request error has a code of its own.
    expect(new Set(raised.slice(0, 10).map(codeOf)).size).toBe(10);
    // Errors not of the product have none.
    expect(codeOf(new Error("x"))).toBeUndefined();
    expect(codeOf(Object.assign(new Error("x"), { code: "ENOENT" }))).toBeUndefined();
  });

  it("has no code that nothing raises: each one is named outside the registry, in the source", () => {
    const sources = sourceFiles(SRC)
      .filter((f) => !f.endsWith(path.join("model", "errors.ts")))
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    const unused = CODES.filter((code) => !sources.includes(`"${code}"`));
    expect(unused).toEqual([]);
  });
});

describe("each surface maps by code", () => {
  it("the CLI: exit code and --json kind come from the code", () => {
    for (const code of CODES) {
      const failure = failureOf(new CodedError(code, "what went wrong"));
      expect(failure, code).toEqual({ code: ERRORS[code].cli, message: "what went wrong", exitCode: ERRORS[code].exit });
    }
    expect(failureOf(new StoreError("locked", "busy"))).toEqual({ code: "database", message: "busy", exitCode: 2 });
    expect(failureOf(new CommandError("not-found", "no such model"))).toEqual({ code: "not-found", message: "no such model", exitCode: 1 });
    expect(failureOf(Object.assign(new Error("no space left"), { code: "ENOSPC" }))).toEqual({ code: "environment", message: "ENOSPC: no space left", exitCode: 2 });
  });

  it("the HTTP server: status and body code come from the code, and a hidden message stays in the log", async () => {
    const app = Fastify();
    installErrorHandlers(app, () => []);
    app.get<{ Params: { code: ErrorCode } }>("/raise/:code", (request) => {
      throw new CodedError(request.params.code, "/srv/secret/defs/a.fm.json: details");
    });
    app.get("/crash", () => {
      throw new TypeError("x is undefined at /srv/secret");
    });
    try {
      for (const code of CODES) {
        const response = await app.inject({ method: "GET", url: `/raise/${code}` });
        const d = errorDefinition(code);
        expect(response.statusCode, code).toBe(d.status);
        const body = response.json() as { statusCode: number; code: string; message: string; error: string };
        expect(body.statusCode, code).toBe(d.status);
        expect(body.code, code).toBe(code);
        expect(body.message, code).toBe(d.hidden ?? "/srv/secret/defs/a.fm.json: details");
        if (d.hidden !== undefined) expect(response.body, code).not.toContain("/srv/secret");
      }
      const crash = await app.inject({ method: "GET", url: "/crash" });
      expect(crash.statusCode).toBe(500);
      expect(crash.json()).toMatchObject({ statusCode: 500, code: "internal", message: ERRORS.internal.hidden });
      expect(crash.body).not.toContain("/srv/secret");
      const unknown = await app.inject({ method: "GET", url: "/nothing/here" });
      expect(unknown.json()).toMatchObject({ statusCode: 404, code: "not-found" });
    } finally {
      await app.close();
    }
  });

  it("the MCP tools: a client's error (status below 500) is a tool error with its message, any other is thrown", async () => {
    const throwing = (e: Error) => ({ search: () => Promise.reject(e), searchAnswer: () => Promise.reject(e) }) as unknown as FindingModelIndex;
    for (const code of CODES) {
      const run = callTool(throwing(new CodedError(code, "what went wrong")), "search_finding_models", { query: "lung" });
      if (ERRORS[code].status < 500) expect(await run, code).toEqual({ isError: true, content: [{ type: "text", text: "what went wrong" }] });
      else await expect(run, code).rejects.toThrow("what went wrong");
    }
  });
});
