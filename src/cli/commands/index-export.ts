import type { Command } from "commander";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { printJson, printLine } from "../output.js";
import { indexOptions, withIndex, type IndexCommandOptions } from "../with-index.js";

export function registerIndexExport(parent: Command): void {
  indexOptions(
    parent
      .command("export")
      .description("write the registry's index.md and ids.json from the index (no text/; links as the registry lays them out: defs/<file>, text/<slug>.md)")
      .requiredOption("--out <dir>", "folder to write index.md and ids.json into (the registry's folder, for its links to work)"),
  ).action(async (opts: IndexCommandOptions & { out: string }) => {
    const { writeFileAtomic } = await import("../../index/atomic-write.js");
    const files = await withIndex(opts, async (index) => {
      await mkdir(opts.out, { recursive: true });
      const written = [path.join(opts.out, "index.md"), path.join(opts.out, "ids.json")];
      await writeFileAtomic(written[0]!, await index.toIndexMarkdown());
      await writeFileAtomic(written[1]!, await index.toIdsJson());
      return written;
    });
    if (opts.json) printJson({ written: files });
    else printLine(`wrote ${files.join(" and ")}`);
  });
}
