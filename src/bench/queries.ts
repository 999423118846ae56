// 100 varied search queries drawn from the real registry by fixed rules, so every run and every
// engine answers the same set: whole names, names in capitals, synonyms, two words of a name,
// plurals, common single words, attribute words.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export function benchQueries(defsDir: string): string[] {
  const files = readdirSync(defsDir).filter((f) => f.endsWith(".fm.json")).sort();
  const models = files.filter((_, i) => i % 23 === 0).map((f) => JSON.parse(readFileSync(path.join(defsDir, f), "utf8")) as { name: string; synonyms?: string[] });
  const pick = <T>(list: T[], n: number, offset = 0) => Array.from({ length: n }, (_, i) => list[(offset + i * 7) % list.length]!);
  const names = models.map((m) => m.name);
  const synonyms = models.flatMap((m) => m.synonyms ?? []);
  const twoWords = names.map((n) => n.split(/\s+/)).filter((w) => w.length >= 3).map((w) => `${w[0]} ${w[w.length - 1]}`);
  const single = ["calcification", "fracture", "mass", "cyst", "effusion", "nodule", "hemorrhage", "stenosis", "aneurysm", "edema"];
  const attributeWords = ["size", "presence", "change from prior", "location", "severity"];
  const queries = [
    ...pick(names, 30),
    ...pick(names, 15, 3).map((n) => n.toUpperCase()),
    ...pick(synonyms, 15),
    ...pick(twoWords, 15),
    ...pick(names, 10, 5).map((n) => `${n}s`),
    ...single,
    ...attributeWords,
  ];
  return queries.slice(0, 100);
}
