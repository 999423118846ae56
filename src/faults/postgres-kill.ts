// PostgreSQL: the server ends the sync's connection (pg_terminate_backend), or the server itself
// is restarted, at a random moment. The command must say so plainly (exit 2, no stack trace), and
// the index is then before or after. The restarts are of a server of the suite's own
// (private-postgres.ts): the machine's server is shared with other work.
import { classify } from "./open-defects.js";
import { serverPrograms, startPrivatePostgres } from "./private-postgres.js";
import { dropIndex, indexArgs, looksLikeStackTrace, mustRun, pgQuery, pgWhere, sleep, startCli, stateOf, type PartResult, type SuiteOptions, type Where } from "./workspace.js";

type Folders = { before: string; after: string };

export async function postgresKillPart(opts: SuiteOptions, folders: Folders): Promise<PartResult[]> {
  const schema = `fm_faults_term_${process.pid}`;
  const where = pgWhere(schema);
  const terminated = await interruptedSyncs(opts, where, folders, () => dropIndex(where), async () => {
    // Every connection that works on this schema: the sync's (its statements name the schema).
    const ended = await pgQuery<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database() AND query LIKE $1 AND pg_terminate_backend(pid)",
      [`%${schema}%`],
    );
    return `${ended.length} connections ended`;
  });
  await dropIndex(where);
  opts.log(`postgres: pg_terminate_backend: ${opts.trials} trials, ${terminated.failures.length} findings`);
  return [{ part: "postgres", name: "pg_terminate_backend of the sync's connection", ...terminated }, await restartPart(opts, folders)];
}

/**
 * The server restarted mid-sync, fast (sessions ended cleanly) and immediate (a crash: the server
 * recovers from its WAL on start) in turn, on first and incremental syncs in turn.
 */
async function restartPart(opts: SuiteOptions, folders: Folders): Promise<PartResult> {
  const name = "server restart mid-sync (a server of the suite's own)";
  const programs = serverPrograms();
  if ("missing" in programs) return { part: "postgres", name, trials: 0, failures: [], open: [], skipped: programs.missing };
  let server;
  try {
    server = await startPrivatePostgres(programs.bin);
  } catch (e) {
    return { part: "postgres", name, trials: 0, failures: [`could not start a server of the suite's own: ${String(e).slice(0, 500)}`], open: [] };
  }
  const ours = server;
  try {
    const url = new URL(ours.url);
    url.searchParams.set("schema", "fm_faults_restart");
    const where: Where = { engine: "postgres", url: url.toString(), schema: "fm_faults_restart" };
    const restarts = await interruptedSyncs(opts, where, folders, () => dropIndex(where, ours.url), async (t) => {
      const mode = Math.ceil(t / 2) % 2 === 1 ? "immediate" : "fast";
      await ours.restart(mode);
      return `${mode} restart`;
    });
    opts.log(`postgres: server restarts: ${opts.trials} trials, ${restarts.failures.length} findings`);
    return { part: "postgres", name, ...restarts };
  } finally {
    await ours.stop();
  }
}

/**
 * `opts.trials` syncs, first and incremental in turn, each interrupted at a random moment of its
 * uninterrupted run time; after each: exit 0 or 2 without a stack trace, the index passes its
 * check and holds the state before or after, and the next sync completes.
 */
async function interruptedSyncs(
  opts: SuiteOptions,
  where: Where,
  folders: Folders,
  drop: () => Promise<void>,
  interrupt: (trial: number) => Promise<string>,
): Promise<Pick<PartResult, "trials" | "failures" | "open" | "figures">> {
  const sync = (dir: string) => ["sync", dir, ...indexArgs(where), "--json"];
  const found: string[] = [];
  const outcomes: Record<string, number> = {};
  await drop();
  const first = await mustRun(sync(folders.before));
  const full = await mustRun(sync(folders.after));
  for (let t = 1; t <= opts.trials; t++) {
    const firstSync = t % 2 === 1;
    if (firstSync) await drop();
    else await mustRun(sync(folders.before));
    const { done } = startCli(sync(firstSync ? folders.before : folders.after));
    const atMs = Math.round(Math.random() * (firstSync ? first.ms : full.ms));
    await sleep(atMs);
    const what = await interrupt(t);
    const exit = await done;
    const trial = `${firstSync ? "first" : "incremental"} sync, trial ${t} (${what} at ${atMs} ms, exit ${exit.code})`;
    if (looksLikeStackTrace(exit.stderr)) found.push(`${trial}: a stack trace reached the user: ${exit.stderr.slice(0, 300)}`);
    if (exit.code !== 0 && exit.code !== 2) found.push(`${trial}: exit ${exit.code}, not 0 or 2: ${exit.stderr.slice(0, 300)}`);
    const states: Record<string, string | null> = firstSync ? { empty: null, after: folders.before } : { before: folders.before, after: folders.after };
    const state = await stateOf(where, states);
    for (const p of state.problems) found.push(`${trial}: index check: ${p}`);
    if (state.holds === undefined) found.push(`${trial}: the index holds neither state`);
    outcomes[state.holds ?? "neither"] = (outcomes[state.holds ?? "neither"] ?? 0) + 1;
    await mustRun(sync(firstSync ? folders.before : folders.after)).catch((e: unknown) => found.push(`${trial}: the next sync failed: ${String(e)}`));
  }
  return { trials: opts.trials, ...classify(found), figures: outcomes };
}
