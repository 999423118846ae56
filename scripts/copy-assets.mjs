// After tsc: the files dist needs beside the compiled code, copied afresh (the folder emptied first,
// so that a lexicon file or page removed from src/ is not left behind in dist/ and still read);
// then the lexicon checked and compiled once, so that a program reads it without parsing its files
// (a malformed line fails the build, naming the file, the line and the reason).
import { cpSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

for (const folder of ["server/public", "index/lexicon"]) {
  rmSync(`dist/${folder}`, { recursive: true, force: true });
  cpSync(`src/${folder}`, `dist/${folder}`, { recursive: true });
}

const { COMPILED_FILE, readLexiconFolder } = await import("../dist/index/lexicon.js");
// Read from src/ (the same files just copied), so that an error names the file to edit.
const source = fileURLToPath(new URL("../src/index/lexicon/", import.meta.url));
const folder = fileURLToPath(new URL("../dist/index/lexicon/", import.meta.url));
try {
  writeFileSync(folder + COMPILED_FILE, JSON.stringify(readLexiconFolder(source).compiled(source)));
} catch (e) {
  console.error(`lexicon: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
