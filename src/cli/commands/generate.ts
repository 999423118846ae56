import type { Command } from "commander";
import { printJson, printLine, wholeNumberOption } from "../output.js";

export function registerGenerate(parent: Command): void {
  parent
    .command("generate")
    .description("write realistic synthetic models with unique names and IDs (for demos and scale tests)")
    .argument("<dir>", "folder to write into (created; must hold no model files yet)")
    .requiredOption("--count <n>", "how many models")
    .option("--seed <n>", "random seed: the same seed gives the same models", "1")
    .option("--json", "machine-readable output on stdout")
    .action(async (dir: string, opts: { count: string; seed: string; json?: boolean }) => {
      const count = wholeNumberOption("--count", opts.count, 1, 1_000_000);
      const seed = wholeNumberOption("--seed", opts.seed, 0, 2 ** 32 - 1);
      const started = performance.now();
      const { generateFolder } = await import("../../index/generate-folder.js");
      const result = generateFolder(dir, count, { seed });
      const ms = performance.now() - started;
      if (opts.json) printJson({ ...result, ms });
      else printLine(`wrote ${result.files} models to ${result.dir} in ${Math.round(ms)} ms`);
    });
}
