// Before a sync removes most of an index that was synced from another folder (the demo's sample
// models over the registry, or the other way round), a person at a terminal is asked; a script is
// not (piped, --json, or not on a terminal: the sync goes on as asked), and --yes answers for them.
import { createInterface } from "node:readline/promises";
import type { RemovalPlan } from "../index/sync.js";
import { plural } from "./output.js";

/** Whether this run can ask: a person at a terminal, not a script reading --json. */
export function canAsk(json: boolean | undefined): boolean {
  return !json && process.stdin.isTTY === true && process.stderr.isTTY === true;
}

/** Ask on stderr whether to go on; true only for an answer of yes. */
export async function confirmRemoval(plan: RemovalPlan, where: string): Promise<boolean> {
  const from = plan.syncedFrom === undefined ? "a folder it does not record" : plan.syncedFrom;
  const question =
    `The index at ${where} holds ${plural(plan.indexed, "model")} synced from ${from}.\n` +
    `Syncing ${plan.folder} would remove ${plan.removing} of them (the files are not there).\n` +
    "Use another index for this folder with --db <file>; or go on, and the index will hold this folder's models only.\n" +
    "Go on? [y/N] ";
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
