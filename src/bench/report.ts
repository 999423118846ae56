// The figures of a bench run: printed as they come, and kept for --json with the machine and date.
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

/** What a figure is set beside. */
export type VsKind = "floor" | "straightforward" | "peer" | "before";

export interface Figure {
  /** plan | floors | peers | quality | scale | model */
  section: string;
  name: string;
  value: number;
  unit: string;
  /** The figure it is compared with, in the same unit: a floor, the straightforward path (a switch), a peer library, or before a change. */
  vs?: { kind: VsKind; name: string; value: number };
  /** How the two compare, as `ratioOf` says. */
  ratio?: number;
  /** "ours/theirs" (value / vs; below 1 we are faster or smaller) or "speedup" (vs / value: how many times faster ours is). */
  ratioOf?: "ours/theirs" | "speedup";
  target?: string;
  met?: boolean;
  note?: string;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

const UNIT_DIGITS: Record<string, number> = { ms: 1, MB: 0, queries: 0, statements: 0, calls: 0, models: 0, exponent: 2 };

function show(v: number, unit: string): string {
  if (!Number.isFinite(v)) return String(v);
  if (unit === "ratio" || unit === "share") return v.toFixed(3);
  const digits = unit === "ms" && v < 10 ? 3 : (UNIT_DIGITS[unit] ?? 2);
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export class Report {
  readonly figures: Figure[] = [];
  private section = "";

  /** Start a section of the printout. */
  heading(section: string, title: string): void {
    this.section = section;
    console.log(`\n== ${title}`);
  }

  add(f: Omit<Figure, "section">): Figure {
    const figure: Figure = { section: this.section, ...f };
    this.figures.push(figure);
    let line = `${f.name.padEnd(58)} ${show(f.value, f.unit).padStart(10)} ${f.unit}`;
    if (f.vs) line += `   ${f.vs.kind} (${f.vs.name}) ${show(f.vs.value, f.unit)} ${f.unit}`;
    if (f.ratio !== undefined) line += `   ${f.ratioOf === "speedup" ? "speedup" : "ours/theirs"} ${f.ratio.toFixed(2)}x`;
    if (f.target) line += `   target ${f.target}: ${f.met ? "met" : "NOT met"}`;
    if (f.note) line += `   (${f.note})`;
    console.log(line);
    return figure;
  }

  /** A line of explanation in the printout (not a figure). */
  note(text: string): void {
    console.log(`(${text})`);
  }

  /** A figure beside the straightforward way (a switch in the code): speedup = straightforward / ours. */
  speedup(name: string, ours: number, straightforward: { name: string; value: number }, unit: string, targetSpeedup?: number, note?: string): Figure {
    const ratio = straightforward.value / ours;
    return this.add({
      name,
      value: ours,
      unit,
      vs: { kind: "straightforward", ...straightforward },
      ratio,
      ratioOf: "speedup",
      ...(targetSpeedup === undefined ? {} : { target: `${Math.round((targetSpeedup - 1) * 100)}% faster (speedup >= ${targetSpeedup})`, met: ratio >= targetSpeedup }),
      ...(note ? { note } : {}),
    });
  }

  /** A figure beside another: ratio = ours / theirs. */
  /** `target`: a text and whether it is met; or a greatest ratio ours/theirs ("within 2x of floor"). */
  versus(name: string, ours: number, kind: VsKind, theirs: { name: string; value: number }, unit: string, target?: { text: string; met: boolean } | { maxRatio: number }, note?: string): Figure {
    const ratio = theirs.value === 0 ? undefined : ours / theirs.value;
    const t = target === undefined ? undefined : "maxRatio" in target ? { text: `within ${target.maxRatio}x of ${kind}`, met: ratio !== undefined && ratio <= target.maxRatio } : target;
    return this.add({
      name,
      value: ours,
      unit,
      vs: { kind, ...theirs },
      ...(ratio === undefined ? {} : { ratio, ratioOf: "ours/theirs" as const }),
      ...(t ? { target: t.text, met: t.met } : {}),
      ...(note ? { note } : {}),
    });
  }

  write(file: string, extra: Record<string, unknown>): void {
    writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine: machine(), ...extra, figures: this.figures }, null, 2) + "\n");
  }
}
