import type { Command } from "commander";
import { readFile, stat } from "node:fs/promises";
import { ANY_ID_IN_TEXT, SOURCE_CODE_PATTERN } from "../../model/ids.js";
import { nameKey } from "../../model/names.js";
import { CommandError, printJson, printLine, UsageError, warn } from "../output.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface StubOptions {
  source: string;
  description?: string;
  synonym?: string[];
  tag?: string[];
  defs?: string;
  output?: string;
  json?: boolean;
}

export function registerStub(program: Command): void {
  program
    .command("stub")
    .description('create a new model with the standard "presence" and "change from prior" attributes and fresh IDs')
    .argument("<name>", "the finding's name, e.g. \"pulmonary nodule\"")
    .requiredOption("--source <ORG>", "organization code for the IDs (3-4 capital letters, e.g. MSFT)")
    .option("--description <text>", "one or two sentences describing the finding")
    .option("--synonym <text>", "another name for the finding (repeatable)", collect)
    .option("--tag <text>", "a tag (repeatable)", collect)
    .option("--defs <dir>", "existing definitions: the new IDs and name must not clash with them")
    .option("-o, --output <file>", "write the model here (refuses to overwrite) instead of stdout")
    .option("--json", "print {model, output} as JSON")
    .action(async (name: string, opts: StubOptions) => {
      if (!SOURCE_CODE_PATTERN.test(opts.source)) throw new UsageError(`--source must be 3 or 4 capital letters (an organization code such as MSFT); got "${opts.source}"`);
      if (name.trim().length < 5) throw new UsageError(`the name must be at least 5 characters long; got "${name}"`);
      const taken = new Set<string>();
      if (opts.defs !== undefined) {
        const clash = await collectTaken(opts.defs, name, taken);
        if (clash) throw new CommandError("name-taken", `a model named "${name}" already exists in ${clash}`);
      }
      if (opts.output !== undefined && (await stat(opts.output).catch(() => undefined))) {
        throw new UsageError(`${opts.output} already exists; choose another file or remove it first`);
      }
      const { createStub } = await import("../../model/stub.js");
      const { toCanonicalJson } = await import("../../model/canonical.js");
      const { writeFileAtomic } = await import("../../index/atomic-write.js");
      const model = createStub({ name, description: opts.description, synonyms: opts.synonym, tags: opts.tag }, opts.source, taken);
      if (!opts.description) warn(`findingmodel: note: no --description given; the model has a placeholder description to replace`);
      const text = toCanonicalJson(model);
      if (opts.output !== undefined) await writeFileAtomic(opts.output, text);
      if (opts.json) printJson({ model, ...(opts.output ? { output: opts.output } : {}) });
      else if (opts.output !== undefined) printLine(`wrote ${model.oifm_id} "${model.name}" to ${opts.output}`);
      else printLine(text);
    });
}

/**
 * Every model and attribute ID used under `dir` (read from the raw text, so that files which do
 * not validate still reserve their IDs); returns the file holding a model named `name`, if any.
 */
async function collectTaken(dir: string, name: string, taken: Set<string>): Promise<string | undefined> {
  const { findModelFiles } = await import("../../index/scan.js");
  const { parseJsonText } = await import("../../model/json-text.js");
  const scan = findModelFiles([dir]);
  if (scan.missing.length > 0) throw new UsageError(`--defs ${dir} does not exist`);
  // The name as the stub will write it (trimmed), compared as the registry checks compare names.
  const wanted = nameKey(name.trim());
  let clash: string | undefined;
  for (const file of scan.files) {
    const bytes = await readFile(file).catch(() => undefined);
    if (!bytes) continue;
    const text = bytes.toString("utf8");
    for (const m of text.matchAll(ANY_ID_IN_TEXT)) taken.add(m[0]);
    const parsed = parseJsonText(bytes);
    const existing = parsed.ok ? (parsed.value as { name?: unknown } | null)?.name : undefined;
    if (typeof existing === "string" && nameKey(existing) === wanted) clash ??= file;
  }
  return clash;
}
