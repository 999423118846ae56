import type { Command } from "commander";
import { EXIT_INVALID, printJson, printLine, UsageError, warn } from "../output.js";
import { stat } from "node:fs/promises";

export function registerFmToMarkdown(program: Command): void {
  program
    .command("fm-to-markdown")
    .description("render one model file as the registry's Markdown text")
    .argument("<file>", "a *.fm.json file")
    .option("-o, --output <file>", "write the Markdown here instead of stdout")
    .option("--json", "print {file, markdown} (or {file, errors}) as JSON")
    .action(async (file: string, opts: { output?: string; json?: boolean }) => {
      const info = await stat(file).catch(() => undefined);
      if (!info) throw new UsageError(`${file} does not exist`);
      if (info.isDirectory()) throw new UsageError(`${file} is a directory; give one model file`);
      const { processFile } = await import("../../index/process-files.js");
      const { writeFileAtomic } = await import("../../index/atomic-write.js");
      const loaded = processFile(file, { markdown: true });
      if (loaded.markdown === undefined) {
        if (opts.json) printJson({ file, errors: loaded.errors });
        else for (const e of loaded.errors) warn(`findingmodel: ${file}: ${e.path}: ${e.message}`);
        process.exitCode = EXIT_INVALID;
        return;
      }
      const markdown = loaded.markdown;
      if (opts.output) await writeFileAtomic(opts.output, markdown);
      if (opts.json) printJson({ file, ...(opts.output ? { output: opts.output } : { markdown }) });
      else if (!opts.output) process.stdout.write(markdown.endsWith("\n") ? markdown : markdown + "\n");
      else printLine(`wrote ${opts.output}`);
    });
}
