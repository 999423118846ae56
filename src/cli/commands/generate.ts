import type { Command } from "commander";
import { printJson, printLine } from "../output.js";

export function registerGenerate(parent: Command): void {
  parent
    .command("generate")
    .description("write realistic synthetic models with unique names and IDs (for demos and scale tests)")
    .argument("<dir>", "folder to write into (created; must hold no model files yet)")
    .requiredOption("--count <n>", "how many models")
    .option("--seed <n>", "random seed: the same seed gives the same models", "1")
    .option("--json", "machine-readable output on stdout")
    .action(async (dir: string, opts: { count: string; seed: string; json?: boolean }) => {
      const started = performance.now();
      const { generateFolder } = await import("../../index/generate-folder.js");
      const result = generateFolder(dir, Number(opts.count), { seed: Number(opts.seed) });
      const ms = Math.round(performance.now() - started);
      if (opts.json) printJson({ ...result, ms });
      else printLine(`wrote ${result.files} models to ${result.dir} in ${ms} ms`);
    });
}
