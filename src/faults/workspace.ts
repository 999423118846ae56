// What every part of the fault suite shares: a scratch folder, the compiled command run as a child
// process, folders of generated models in a before and an after version, the index checked from
// outside (index check against a folder), PostgreSQL schemas of the suite's own.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { openIndex, type OpenIndexOptions } from "../index/open-index.js";
import type { IndexCheckReport } from "../index/check-index.js";

export const CLI = fileURLToPath(new URL("../cli/main.js", import.meta.url));
export const PG_BASE = process.env.FINDINGMODEL_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** One part's result: how many trials, which failed and why, and findings that are known open defects. */
export interface PartResult {
  part: string;
  name: string;
  trials: number;
  failures: string[];
  /** Findings of defects known to be open (see open-defects.ts): reported, not counted as failures. */
  open: string[];
  figures?: Record<string, number | string>;
  /** Why the part did not run here. */
  skipped?: string;
}

export interface SuiteOptions {
  short: boolean;
  trials: number;
  /** Seconds of each load run (default 20, 2 with short). */
  seconds?: number;
  /** Processes of the load part's server (as serve --workers; default 1). */
  workers?: number;
  /** Models of a first sync and of the base of an incremental sync. */
  models: number;
  /** Changes (edits, adds, deletes) of an incremental sync. */
  changes: number;
  work: string;
  log: (line: string) => void;
}

export function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), "fm-faults-"));
}

export function removeAll(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Start the command; `done` resolves when it exits, however. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Exit> } {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<Exit>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - started })));
  return { child, done };
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Exit> {
  return startCli(args, env).done;
}

/** Run the command and fail unless it exits 0. */
export async function mustRun(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Exit> {
  const exit = await runCli(args, env);
  if (exit.code !== 0) throw new Error(`findingmodel ${args.join(" ")} exited ${exit.code ?? exit.signal}: ${exit.stderr.slice(0, 2000)}`);
  return exit;
}

/**
 * Two versions of a folder of generated models: `before` with `models` files, `after` with
 * `changes` of them changed: a third edited (another description), a third deleted, a third added.
 * Unchanged files keep their size and time, so a sync from before to after reads only the changes.
 */
export async function twoVersions(root: string, models: number, changes: number): Promise<{ before: string; after: string }> {
  const added = Math.floor(changes / 3);
  const deleted = Math.floor(changes / 3);
  const edited = changes - added - deleted;
  const all = path.join(root, "generated");
  await mustRun(["generate", "--count", String(models + added), all]);
  const files = readdirSync(all).filter((f) => f.endsWith(".fm.json")).sort();
  const before = path.join(root, "before");
  const after = path.join(root, "after");
  const kept = files.slice(0, models);
  for (const f of kept) cpSync(path.join(all, f), path.join(before, f), { preserveTimestamps: true });
  cpSync(before, after, { recursive: true, preserveTimestamps: true });
  // Spread over the folder: edits, then deletes, from every few files.
  const step = Math.max(1, Math.floor(models / (edited + deleted)));
  let e = 0;
  let d = 0;
  for (let i = 0; i < models && e + d < edited + deleted; i += step) {
    const file = path.join(after, kept[i]!);
    if (e < edited) {
      const model = JSON.parse(readFileSync(file, "utf8")) as { description: string };
      model.description = `${model.description} (edited)`;
      writeFileSync(file, JSON.stringify(model, null, 2) + "\n");
      e++;
    } else {
      rmSync(file);
      d++;
    }
  }
  for (const f of files.slice(models)) cpSync(path.join(all, f), path.join(after, f), { preserveTimestamps: true });
  removeAll(all);
  return { before, after };
}

/** Where an index is: a SQLite file or a PostgreSQL schema. */
export type Where = { engine: "sqlite"; db: string } | { engine: "postgres"; url: string; schema: string };

export function indexArgs(where: Where): string[] {
  return where.engine === "sqlite" ? ["--db", where.db] : ["--postgres", where.url];
}

export function openOptions(where: Where): OpenIndexOptions {
  return where.engine === "sqlite" ? { db: where.db } : { postgres: where.url };
}

export function pgWhere(schema: string): Where {
  const url = new URL(PG_BASE);
  url.searchParams.set("schema", schema);
  return { engine: "postgres", url: url.toString(), schema };
}

/** One statement on the server at `base` (default: the machine's server of the suite). */
export async function pgQuery<R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], base = PG_BASE): Promise<R[]> {
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function pgReachable(): Promise<boolean> {
  try {
    await pgQuery("SELECT 1");
    return true;
  } catch {
    return false;
  }
}

/** Empty the index: remove the file, or drop the schema (on the server at `base`). */
export async function dropIndex(where: Where, base = PG_BASE): Promise<void> {
  if (where.engine === "sqlite") for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(where.db + suffix, { force: true });
  else await pgQuery(`DROP SCHEMA IF EXISTS "${where.schema}" CASCADE`, [], base);
}

/**
 * The index checked (index check) against each folder: which one it holds exactly (undefined: none),
 * and the problems of its own check (those of the folder comparison left out). An index that does
 * not exist holds the empty folder.
 */
export async function stateOf(where: Where, folders: Record<string, string | null>): Promise<{ holds: string | undefined; problems: string[] }> {
  let index;
  try {
    index = await openIndex({ ...openOptions(where), readonly: true });
  } catch (e) {
    // A first sync killed after creating the file and before creating the index leaves an empty file: no index, as before the sync.
    if (/there is no index|no index at|holds no index yet|does not exist/i.test(String(e))) {
      const empty = Object.entries(folders).find(([, dir]) => dir === null);
      return { holds: empty?.[0], problems: [] };
    }
    throw e;
  }
  try {
    let holds: string | undefined;
    let problems: string[] = [];
    for (const [name, dir] of Object.entries(folders)) {
      const report: IndexCheckReport = await index.check(dir ?? undefined);
      problems = report.problems.filter((p) => p.kind !== "folder").map((p) => `${p.kind}: ${p.message}`);
      const folderProblems = report.problems.filter((p) => p.kind === "folder");
      if (dir === null ? report.models === 0 : folderProblems.length === 0) holds ??= name;
    }
    return { holds, problems };
  } finally {
    await index.close();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A stack trace or an unhandled error in a command's output: never what a user should see. */
export function looksLikeStackTrace(text: string): boolean {
  return /\n\s+at .+\(.+:\d+:\d+\)|Unhandled 'error' event|node:internal/.test(text);
}
