// Crash trials: kill -9 at a random moment of a first sync, an incremental sync, validate
// --reformat and export. After each: the index passes its own check and holds exactly the folder
// before or the folder after; the next run completes; every file is its old or its new bytes.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { classify } from "./open-defects.js";
import { dropIndex, indexArgs, mustRun, removeAll, startCli, stateOf, type PartResult, type SuiteOptions, type Where } from "./workspace.js";

/** Kill the command `args` after a random part of `fullMs`; what it printed, and when it was killed. */
async function killedRun(args: string[], fullMs: number): Promise<{ atMs: number; finished: boolean }> {
  const atMs = Math.round(Math.random() * fullMs);
  const { child, done } = startCli(args);
  const timer = setTimeout(() => child.kill("SIGKILL"), atMs);
  const exit = await done;
  clearTimeout(timer);
  return { atMs, finished: exit.signal === null };
}

/** Trials of kill -9 during syncs into the index at `where`: a first sync, then an incremental one. */
export async function syncCrashTrials(opts: SuiteOptions, where: Where, folders: { before: string; after: string }): Promise<PartResult[]> {
  const results: PartResult[] = [];
  const sync = (dir: string) => ["sync", dir, ...indexArgs(where), "--json"];
  const expectState = async (trial: string, states: Record<string, string | null>, found: string[]): Promise<string | undefined> => {
    const state = await stateOf(where, states);
    for (const p of state.problems) found.push(`${trial}: index check: ${p}`);
    if (state.holds === undefined) found.push(`${trial}: the index holds neither ${Object.keys(states).join(" nor ")}`);
    return state.holds;
  };

  // A first sync into an empty index.
  {
    const found: string[] = [];
    await dropIndex(where);
    const full = await mustRun(sync(folders.before));
    const outcomes: Record<string, number> = {};
    for (let t = 1; t <= opts.trials; t++) {
      await dropIndex(where);
      const { atMs, finished } = await killedRun(sync(folders.before), full.ms);
      const trial = `${where.engine} first sync, trial ${t} (killed at ${atMs} ms${finished ? ", had finished" : ""})`;
      const holds = await expectState(trial, { empty: null, after: folders.before }, found);
      outcomes[holds ?? "neither"] = (outcomes[holds ?? "neither"] ?? 0) + 1;
      const next = await mustRun(sync(folders.before)).catch((e: unknown) => (found.push(`${trial}: the next sync failed: ${String(e)}`), undefined));
      if (next) await expectState(`${trial}, after the next sync`, { after: folders.before }, found);
    }
    results.push({ part: "crash", name: `${where.engine}: kill -9 during a first sync`, trials: opts.trials, ...classify(found), figures: { "sync ms (uncrashed)": Math.round(full.ms), ...outcomes } });
    opts.log(`crash: ${where.engine} first sync: ${opts.trials} trials, ${found.length} findings`);
  }

  // An incremental sync: before -> after, killed; completed; back to before for the next trial.
  {
    const found: string[] = [];
    const full = await mustRun(sync(folders.after));
    await mustRun(sync(folders.before));
    const outcomes: Record<string, number> = {};
    for (let t = 1; t <= opts.trials; t++) {
      const { atMs, finished } = await killedRun(sync(folders.after), full.ms);
      const trial = `${where.engine} incremental sync, trial ${t} (killed at ${atMs} ms${finished ? ", had finished" : ""})`;
      const holds = await expectState(trial, { before: folders.before, after: folders.after }, found);
      outcomes[holds ?? "neither"] = (outcomes[holds ?? "neither"] ?? 0) + 1;
      const next = await mustRun(sync(folders.after)).catch((e: unknown) => (found.push(`${trial}: the next sync failed: ${String(e)}`), undefined));
      if (next) await expectState(`${trial}, after the next sync`, { after: folders.after }, found);
      await mustRun(sync(folders.before));
    }
    results.push({ part: "crash", name: `${where.engine}: kill -9 during an incremental sync`, trials: opts.trials, ...classify(found), figures: { "sync ms (uncrashed)": Math.round(full.ms), ...outcomes } });
    opts.log(`crash: ${where.engine} incremental sync: ${opts.trials} trials, ${found.length} findings`);
  }
  // The suite's schemas are dropped after (docs/reliability.md): a full run leaves 10,000 models otherwise.
  await dropIndex(where);
  return results;
}

/** Every file under `dir`, by relative path, with its bytes. */
function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, full), readFileSync(full));
  }
  return out;
}

/**
 * Each file of `dir` is one of the versions given. A killed run cannot remove its temporary files
 * (`tempsAllowed`); the next run removes them, so after it any left is a finding.
 */
function compareFiles(trial: string, dir: string, versions: ReadonlyArray<Map<string, Buffer>>, found: string[], tempsAllowed = false): void {
  for (const [name, bytes] of filesOf(dir)) {
    if (/(^|\/)\.[^/]*\.tmp$/.test(name)) {
      if (!tempsAllowed) found.push(`${trial}: temporary file left: ${name}`);
      continue;
    }
    const known = versions.filter((v) => v.has(name));
    if (known.length === 0) found.push(`${trial}: ${name} is a file no version has`);
    else if (!known.some((v) => v.get(name)!.equals(bytes))) found.push(`${trial}: ${name} is neither its old nor its new bytes (${bytes.length} bytes: truncated or mixed)`);
  }
}

/** Trials of kill -9 during validate --reformat and export (files only; no index). */
export async function fileCrashTrials(opts: SuiteOptions, source: string): Promise<PartResult[]> {
  const results: PartResult[] = [];
  const work = path.join(opts.work, "file-crash");
  removeAll(work);

  // validate --reformat: files written with 4-space indentation, rewritten canonically.
  {
    const messy = path.join(work, "messy");
    cpSync(source, messy, { recursive: true });
    for (const [name, bytes] of filesOf(messy)) writeFileSync(path.join(messy, name), JSON.stringify(JSON.parse(bytes.toString("utf8")), null, 4) + "\n");
    const old = filesOf(messy);
    const reference = path.join(work, "canonical");
    cpSync(messy, reference, { recursive: true });
    const full = await mustRun(["validate", "--reformat", reference, "--json"]).catch((e: unknown) => ({ ms: 0, error: e }));
    const canonical = filesOf(reference);
    const found: string[] = [];
    if ("error" in full) found.push(`validate --reformat failed uncrashed: ${String(full.error)}`);
    const target = path.join(work, "target");
    for (let t = 1; t <= opts.trials && !("error" in full); t++) {
      removeAll(target);
      cpSync(messy, target, { recursive: true });
      const { atMs, finished } = await killedRun(["validate", "--reformat", target, "--json"], full.ms);
      const trial = `validate --reformat, trial ${t} (killed at ${atMs} ms${finished ? ", had finished" : ""})`;
      compareFiles(trial, target, [old, canonical], found, true);
      await mustRun(["validate", "--reformat", target, "--json"]).catch((e: unknown) => found.push(`${trial}: the next run failed: ${String(e)}`));
      compareFiles(`${trial}, after the next run`, target, [canonical], found);
    }
    results.push({ part: "crash", name: "kill -9 during validate --reformat", trials: opts.trials, ...classify(found), figures: { "ms (uncrashed)": Math.round("error" in full ? 0 : full.ms), files: old.size } });
    opts.log(`crash: validate --reformat: ${opts.trials} trials, ${found.length} findings`);
  }

  // export: into an empty folder; each file written is whole.
  {
    const reference = path.join(work, "export-reference");
    const full = await mustRun(["export", source, "--out", reference, "--json"]).catch((e: unknown) => ({ ms: 0, error: e }));
    const complete = filesOf(reference);
    const found: string[] = [];
    if ("error" in full) found.push(`export failed uncrashed: ${String(full.error)}`);
    const out = path.join(work, "export-out");
    for (let t = 1; t <= opts.trials && !("error" in full); t++) {
      rmSync(out, { recursive: true, force: true });
      const { atMs, finished } = await killedRun(["export", source, "--out", out, "--json"], full.ms);
      const trial = `export, trial ${t} (killed at ${atMs} ms${finished ? ", had finished" : ""})`;
      compareFiles(trial, out, [complete], found, true);
      await mustRun(["export", source, "--out", out, "--json"]).catch((e: unknown) => found.push(`${trial}: the next run failed: ${String(e)}`));
      compareFiles(`${trial}, after the next run`, out, [complete], found);
      const missing = [...complete.keys()].filter((k) => !existsSync(path.join(out, k)));
      if (missing.length > 0) found.push(`${trial}: after the next run, ${missing.length} files are missing (${missing[0]}, …)`);
    }
    results.push({ part: "crash", name: "kill -9 during export", trials: opts.trials, ...classify(found), figures: { "ms (uncrashed)": Math.round("error" in full ? 0 : full.ms), files: complete.size } });
    opts.log(`crash: export: ${opts.trials} trials, ${found.length} findings`);
  }
  removeAll(work);
  return results;
}
