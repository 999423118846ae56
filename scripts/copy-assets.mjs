// After tsc: the files dist needs beside the compiled code, copied afresh (the folder emptied first,
// so that a lexicon file or page removed from src/ is not left behind in dist/ and still read).
import { cpSync, rmSync } from "node:fs";

for (const folder of ["server/public", "index/lexicon"]) {
  rmSync(`dist/${folder}`, { recursive: true, force: true });
  cpSync(`src/${folder}`, `dist/${folder}`, { recursive: true });
}
