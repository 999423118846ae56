// A small SVG line chart (log-log), enough for the scale curve: panels side by side, each with its
// series and optional target marks. No dependency: the text is written out directly.

export interface Series {
  name: string;
  values: ReadonlyArray<number | undefined>;
  color: string;
  dashed?: boolean;
}

export interface Panel {
  title: string;
  unit: string;
  series: Series[];
  /** Targets drawn as crosses: at x, the most y may be. */
  marks?: Array<{ x: number; y: number; label: string }>;
}

const W = 380;
const H = 340;
const M = { left: 58, right: 12, top: 34, bottom: 124 };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (v: number) => (v >= 1000 ? `${(v / 1000).toLocaleString("en-US", { maximumFractionDigits: 1 })}k` : v >= 1 ? v.toLocaleString("en-US", { maximumFractionDigits: 1 }) : v.toPrecision(2));

function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

function panel(p: Panel, xs: readonly number[], offsetX: number): string {
  const ys = [...p.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined && v > 0)), ...(p.marks ?? []).map((m) => m.y)];
  const yTicks = decades(Math.min(...ys), Math.max(...ys));
  const [y0, y1] = [Math.log10(yTicks[0]!), Math.log10(yTicks[yTicks.length - 1]!)];
  const [x0, x1] = [Math.log10(xs[0]!), Math.log10(xs[xs.length - 1]!)];
  const px = (x: number) => offsetX + M.left + ((Math.log10(x) - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const py = (y: number) => M.top + (1 - (Math.log10(y) - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom);
  const out: string[] = [];
  out.push(`<text x="${offsetX + W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  out.push(`<text x="${offsetX + 14}" y="${(M.top + H - M.bottom) / 2}" transform="rotate(-90 ${offsetX + 14} ${(M.top + H - M.bottom) / 2})" text-anchor="middle" font-size="11">${esc(p.unit)} (log)</text>`);
  for (const t of yTicks) {
    out.push(`<line x1="${offsetX + M.left}" x2="${offsetX + W - M.right}" y1="${py(t)}" y2="${py(t)}" stroke="#ddd"/>`);
    out.push(`<text x="${offsetX + M.left - 4}" y="${py(t) + 4}" text-anchor="end" font-size="10">${fmt(t)}</text>`);
  }
  for (const x of xs) {
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#eee"/>`);
    out.push(`<text x="${px(x)}" y="${H - M.bottom + 14}" text-anchor="middle" font-size="10">${fmt(x)}</text>`);
  }
  out.push(`<text x="${offsetX + (M.left + W - M.right) / 2}" y="${H - M.bottom + 28}" text-anchor="middle" font-size="11">models (log)</text>`);
  p.series.forEach((s, i) => {
    const pts = s.values.flatMap((v, j) => (v !== undefined && v > 0 ? [`${px(xs[j]!).toFixed(1)},${py(v).toFixed(1)}`] : []));
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ""} points="${pts.join(" ")}"/>`);
    for (const pt of pts) out.push(`<circle cx="${pt.split(",")[0]}" cy="${pt.split(",")[1]}" r="3" fill="${s.color}"/>`);
    const ly = H - M.bottom + 44 + i * 13;
    out.push(`<line x1="${offsetX + M.left}" x2="${offsetX + M.left + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ""}/>`);
    out.push(`<text x="${offsetX + M.left + 24}" y="${ly}" font-size="10">${esc(s.name)}</text>`);
  });
  for (const m of p.marks ?? []) {
    const [cx, cy] = [px(m.x), py(m.y)];
    out.push(`<path d="M${cx - 5},${cy - 5}L${cx + 5},${cy + 5}M${cx - 5},${cy + 5}L${cx + 5},${cy - 5}" stroke="#c00" stroke-width="2"/>`);
    out.push(`<text x="${cx - 8}" y="${cy - 7}" text-anchor="end" font-size="10" fill="#c00">${esc(m.label)}</text>`);
  }
  return out.join("\n");
}

/** Panels side by side over the same x values (numbers of models). */
export function chart(title: string, xs: readonly number[], panels: readonly Panel[], footnote: string): string {
  const width = W * panels.length;
  const height = H + 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<title>${esc(title)}</title>`,
    ...panels.map((p, i) => panel(p, xs, i * W)),
    `<text x="8" y="${height - 8}" font-size="10" fill="#555">${esc(footnote)}</text>`,
    `</svg>`,
    "",
  ].join("\n");
}
