/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The web page end to end, in headless Chromium (Debian's, driven by playwright-core) against
// `node dist/cli/main.js serve` on a real index of the registry plus one hostile model: search as
// you type, tag filters, keyboard navigation to a model page, what the model page shows, shareable
// URLs, and that model text is never run as markup. Screenshots go to /tmp.
//
// Without /usr/bin/chromium the suite is skipped with a warning, except under CI (CI=true), where
// that is a failure: `.ci/run` installs it.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openIndex } from "../src/index/open-index.js";
import { toCanonicalJson } from "../src/model/canonical.js";
import { createStub } from "../src/model/stub.js";
import type { FindingModelFull } from "../src/model/types.js";
import { DEFS } from "./corpus.js";
import { buildIfStale } from "./dist.js";

// Runs the compiled command (dist/): never stale code.
buildIfStale();

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = path.join(ROOT, "dist", "cli", "main.js");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const IN_CI = !!process.env.CI && !["0", "false"].includes(process.env.CI.toLowerCase());
const SEARCH_SHOT = "/tmp/findingmodel-search.png";
const MODEL_SHOT = "/tmp/findingmodel-model.png";

const HOSTILE_NAME = `<img src=x onerror="window.__xss=1"> & <script>window.__xss=2</script> hostile`;
const HOSTILE_DESCRIPTION = `</p><svg onload="window.__xss=3"> "quoted" & 'single' <b>not bold</b>`;
const HOSTILE_VALUE = `<img src=y onerror="window.__xss=4">`;

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !IN_CI) console.warn(`web.test.ts: SKIPPED — no Chromium at ${CHROMIUM} (apt-get install chromium); under CI this fails`);

describe.runIf(!haveChromium && IN_CI)("web page (CI)", () => {
  it("needs Chromium", () => {
    throw new Error(`no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) — browser tests may not be skipped in CI`);
  });
});

describe.runIf(haveChromium)("web page", () => {
  // Made in beforeAll, not here: a describe skipped for want of Chromium still runs its body, never its afterAll.
  let work = "";
  let DB = "";
  let server: ChildProcess;
  let base = "";
  let serverLog = "";
  let browser: Browser;
  let context: BrowserContext;
  let hostileId = "";
  /** Console errors, page errors and CSP violations: there must be none. */
  const problems: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "fm-web-"));
    DB = path.join(work, "registry.db");
    // The registry, plus one model whose every text is markup.
    const index = await openIndex({ db: DB });
    try {
      const report = await index.sync(DEFS);
      expect(report.errors).toEqual([]);
      const hostile: FindingModelFull = createStub(
        { name: HOSTILE_NAME, description: HOSTILE_DESCRIPTION, synonyms: ["<b>bold synonym</b>"], tags: ["<i>tag</i>"] },
        "EVIL",
      );
      hostile.contributors = [{ github_username: "mallory", email: "mallory@example.com", name: "<a href=javascript:alert(1)>Mallory</a>", organization_code: "EVIL", url: "javascript:alert(1)" }];
      const first = hostile.attributes[0]!;
      if (first.type === "choice") {
        first.values[0]!.name = HOSTILE_VALUE;
        first.values[0]!.index_codes = [{ system: "<SYS>", code: "<code onclick=x>", display: "<i>display</i>" }];
      }
      hostileId = hostile.oifm_id;
      const dir = path.join(work, "hostile");
      mkdirSync(dir);
      const file = path.join(dir, "hostile.fm.json");
      writeFileSync(file, toCanonicalJson(hostile));
      await index.addOrUpdateFromFile(file);
    } finally {
      await index.close();
    }

    server = spawn(process.execPath, [CLI, "serve", "--db", DB, "--port", "0", "--host", "127.0.0.1"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    server.stderr!.on("data", (d) => (serverLog += d));
    base = await new Promise<string>((resolve, reject) => {
      let out = "";
      server.stdout!.on("data", (d) => {
        out += d;
        const url = /http:\/\/[\d.]+:\d+/.exec(out)?.[0];
        if (url) resolve(url);
      });
      server.on("exit", (code) => reject(new Error(`serve exited ${code}:\n${serverLog}`)));
    });

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server.on("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function open(url: string): Promise<Page> {
    const page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("dialog", (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(base + url);
    return page;
  }

  const resultNames = (page: Page) => page.locator("#results .result-name").allTextContents();

  it("searches as you type", async () => {
    const page = await open("/");
    // Before typing: every model, by name.
    await expect.poll(() => page.locator("#status").textContent()).toMatch(/All 2,383 models by name/);
    await expect.poll(() => page.locator("#total").textContent()).toBe("2,383 models");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("q"); // the box has the focus

    await page.keyboard.type("pulmonary nod", { delay: 30 });
    await expect.poll(() => resultNames(page)).toContain("Pulmonary Nodule");
    expect(page.url()).toBe(`${base}/?q=pulmonary+nod`);
    await expect.poll(() => page.locator("#status").textContent()).toMatch(/match “pulmonary nod”/);
    // The words typed are marked in the names.
    expect(await page.locator("#results .result-name mark").count()).toBeGreaterThan(0);

    await page.fill("#q", "");
    await page.keyboard.type("rib fracture", { delay: 20 });
    await expect.poll(async () => (await resultNames(page))[0]).toBe("Rib Fracture");
    await page.screenshot({ path: SEARCH_SHOT });
    await page.close();
  }, 60_000);

  it("marks whole words of the query, in every form the search matches", async () => {
    const page = await open("/?q=nodule");
    await expect.poll(async () => (await resultNames(page)).length).toBeGreaterThan(5);
    const marks = await page.locator("#results mark").evaluateAll((nodes) =>
      nodes.map((m) => ({ text: m.textContent ?? "", before: m.previousSibling?.textContent?.slice(-1) ?? "", after: m.nextSibling?.textContent?.slice(0, 1) ?? "" })),
    );
    expect(marks.map((m) => m.text.toLowerCase())).toContain("nodules");
    for (const m of marks) {
      expect(m.text.toLowerCase(), JSON.stringify(m)).toMatch(/^nodul/);
      // Nothing of the word is left outside its mark.
      expect(m.before + m.after, JSON.stringify(m)).not.toMatch(/[\p{L}\p{N}]/u);
    }
    await page.close();
  }, 60_000);

  it("says which attribute a result matched through when nothing else it shows holds the word", async () => {
    const page = await open("/?q=margins");
    const result = page.locator("#results li", { has: page.locator(".result-name", { hasText: /^Incidental Pulmonary Nodules$/ }) });
    await expect.poll(() => result.count()).toBe(1);
    expect(await result.locator(".result-matched").textContent()).toBe("matched attribute: Margin");
    expect(await result.locator(".result-matched mark").textContent()).toBe("Margin");
    // The best results hold the word in their name or description: no such line.
    const first = page.locator("#results li").first();
    expect((await first.textContent())?.toLowerCase()).toContain("margin");
    expect(await first.locator(".result-matched").count()).toBe(0);
    await page.close();
  }, 60_000);

  it("filters by tag with the chips and the tag box", async () => {
    const page = await open("/?q=fracture");
    await expect.poll(async () => (await resultNames(page)).length).toBeGreaterThan(5);
    const unfiltered = await resultNames(page);

    const ct = page.locator('#tag-chips button[data-tag="CT"]');
    await ct.click();
    await expect.poll(() => ct.getAttribute("aria-pressed")).toBe("true");
    await expect.poll(() => page.url()).toBe(`${base}/?q=fracture&tag=CT`);
    await expect.poll(() => page.locator("#status").textContent()).toMatch(/tagged CT/);
    const tagLists = await page.locator("#results li").evaluateAll((items) => items.map((li) => [...li.querySelectorAll(".tag")].map((t) => t.textContent)));
    expect(tagLists.length).toBeGreaterThan(0);
    for (const tags of tagLists) expect(tags).toContain("CT");
    expect(await resultNames(page)).not.toEqual(unfiltered);

    // A tag beyond the chips, typed into the tag box.
    await page.fill("#tag-input", "musculoskeletal");
    await page.press("#tag-input", "Enter");
    const msk = page.locator('#tag-chips button[data-tag="musculoskeletal"]');
    await expect.poll(() => msk.getAttribute("aria-pressed")).toBe("true");
    await expect.poll(() => page.url()).toBe(`${base}/?q=fracture&tag=CT&tag=musculoskeletal`);
    await expect.poll(async () => {
      const lists = await page.locator("#results li").evaluateAll((items) => items.map((li) => [...li.querySelectorAll(".tag")].map((t) => t.textContent)));
      return lists.length > 0 && lists.every((tags) => tags.includes("CT") && tags.includes("musculoskeletal"));
    }).toBe(true);

    // Pressing a chip again removes its filter.
    await ct.click();
    await expect.poll(() => page.url()).toBe(`${base}/?q=fracture&tag=musculoskeletal`);
    await page.close();
  }, 60_000);

  it("goes from the box to a model page and back by keyboard alone", async () => {
    const page = await open("/");
    // The page focuses the box itself; type only once it has (a loaded machine can be slower).
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("q");
    await page.keyboard.type("abdominal aortic aneurysm", { delay: 10 });
    // The answer to the whole query, not to one typed on the way.
    await expect.poll(() => page.locator("#status").textContent()).toMatch(/match “abdominal aortic aneurysm”/);
    expect((await resultNames(page))[0]).toBe("abdominal aortic aneurysm");

    await page.keyboard.press("ArrowDown");
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.id)).toBe("OIFM_MSFT_134126");
    await page.keyboard.press("ArrowDown");
    const second = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.id);
    expect(second).toMatch(/^OIFM_/);
    expect(second).not.toBe("OIFM_MSFT_134126");
    await page.keyboard.press("ArrowUp");
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.id)).toBe("OIFM_MSFT_134126");
    await page.keyboard.press("Enter");

    await expect.poll(() => page.url()).toBe(`${base}/models/OIFM_MSFT_134126`);
    await expect.poll(() => page.locator("#model-view h1").textContent()).toBe("abdominal aortic aneurysm");
    expect(await page.title()).toBe("abdominal aortic aneurysm — Finding models");
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("H1");

    // Escape goes back to the search, with the query kept and the focus on the model opened.
    await page.keyboard.press("Escape");
    await expect.poll(() => page.url()).toBe(`${base}/?q=abdominal+aortic+aneurysm`);
    expect(await page.inputValue("#q")).toBe("abdominal aortic aneurysm");
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLElement).dataset.id)).toBe("OIFM_MSFT_134126");
    // Typing goes back into the box; Enter in the box opens the first result.
    await page.keyboard.press("ArrowUp");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("q");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.url()).toBe(`${base}/models/OIFM_MSFT_134126`);
    // "/" from a model page goes to the search box.
    await page.keyboard.press("/");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("q");
    expect(await page.isVisible("#search-view")).toBe(true);
    await page.close();
  }, 60_000);

  it("shows the model: description, synonyms, attributes with their values and codes, contributors", async () => {
    const page = await open("/models/OIFM_MSFT_134126");
    const view = page.locator("#model-view");
    await expect.poll(() => view.locator("h1").textContent()).toBe("abdominal aortic aneurysm");
    expect(await view.locator("#model-id").textContent()).toBe("OIFM_MSFT_134126");
    expect(await view.locator(".description").textContent()).toMatch(/^An abdominal aortic aneurysm \(AAA\) is a localized dilation/);
    expect(await view.locator(".facts").first().textContent()).toMatch(/SynonymsAAA/);

    const presence = view.locator('section.attribute[aria-label="presence"]');
    expect(await presence.locator("h3").textContent()).toMatch(/presence\s*OIFMA_MSFT_898601\s*choose one/);
    expect(await presence.locator(".attr-codes").textContent()).toMatch(/SNOMED\s*705057003\s*Presence \(property\) \(qualifier value\)/);
    const rows = await presence.locator("tbody tr").evaluateAll((trs) =>
      trs.map((tr) => [...tr.children].map((c) => (c.querySelector(".code") ? [...c.querySelectorAll(".code")].map((code) => code.textContent).join(" | ") : (c.textContent ?? "").trim()))),
    );
    expect(rows.map((r) => r[0])).toEqual(["absent", "present", "indeterminate", "unknown"]);
    expect(rows[1]).toEqual(["present", "OIFMA_MSFT_898601.1", "Abdominal aortic aneurysm is present", "RADLEX RID28472 present | SNOMED 52101004 Present (qualifier value)"]);
    expect(await presence.locator("thead th").allTextContents()).toEqual(["Value", "Code", "Description", "Index codes"]);
    // RadLex and SNOMED codes link to their public browsers, in a new tab.
    const links = await presence.locator("tbody tr").nth(1).locator(".code a").evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute("href"), a.getAttribute("target"), a.getAttribute("rel")]));
    expect(links).toEqual([
      ["RID28472", "https://radlex.org/RID/RID28472", "_blank", expect.stringMatching(/\bnoopener\b/)],
      ["52101004", "https://browser.ihtsdotools.org/?perspective=full&conceptId1=52101004&edition=MAIN&release=&languages=en", "_blank", expect.stringMatching(/\bnoopener\b/)],
    ]);
    expect(await view.locator('section.attribute[aria-label="change from prior"] tbody tr').count()).toBeGreaterThan(4);

    const contributor = view.locator(".contributors li").first();
    expect(await contributor.textContent()).toMatch(/Heather Chase \(MSFT\)/);
    expect(await contributor.locator('a[href="mailto:heatherchase@microsoft.com"]').count()).toBe(1);
    expect(await contributor.locator('a[href="https://www.linkedin.com/in/heatherwalkerchase/"]').count()).toBe(1);
    expect(await view.locator('a[href="/api/models/OIFM_MSFT_134126/markdown"]').count()).toBe(1);
    await page.screenshot({ path: MODEL_SHOT, fullPage: true });

    // Value tables leave out a column no value fills.
    await page.goto(`${base}/models/OIFM_CDE_000126`);
    const headers = (name: string) => page.locator(`section.attribute[aria-label="${name}"] thead th`).allTextContents();
    await expect.poll(() => headers("Aortic dissection")).toEqual(["Value", "Code"]);
    expect(await page.locator('section.attribute[aria-label="Aortic dissection"] tbody tr').first().locator("td, th").count()).toBe(2);
    expect(await headers("Aortic emergencies")).toEqual(["Value", "Code", "Description"]);
    await page.goto(`${base}/models/OIFM_MSFT_440456`);
    await expect.poll(() => headers("presence")).toEqual(["Value", "Code", "Index codes"]);

    // The registry also spells SNOMED CT "SNOMEDCT"; a model's own codes link too.
    await page.goto(`${base}/models/OIFM_MSFT_103477`);
    const modelCode = page.locator(".facts .code", { hasText: "113305005" });
    await expect.poll(() => modelCode.locator("a").getAttribute("href")).toBe(
      "https://browser.ihtsdotools.org/?perspective=full&conceptId1=113305005&edition=MAIN&release=&languages=en",
    );
    expect(await modelCode.locator(".system").textContent()).toBe("SNOMEDCT");

    // A numeric attribute shows its range and unit.
    await page.goto(`${base}/models/OIFM_CDE_000195`);
    const size = page.locator('section.attribute[aria-label="Size"]');
    await expect.poll(() => size.locator("h3").textContent()).toMatch(/Size\s*OIFMA_CDE_001302\s*number/);
    expect(await size.locator("dl").textContent()).toMatch(/Unit\s*mm/);
    await page.close();
  }, 60_000);

  it("has shareable URLs: a model's address (by ID or name) and a search's load directly", async () => {
    const fresh = await browser.newContext();
    try {
      const page = await fresh.newPage();
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      await page.goto(`${base}/models/OIFM_MSFT_134126`);
      await expect.poll(() => page.locator("#model-view h1").textContent()).toBe("abdominal aortic aneurysm");
      expect(await page.isVisible("#search-view")).toBe(false);

      // By synonym: the address becomes the model's ID address.
      await page.goto(`${base}/models/AAA`);
      await expect.poll(() => page.locator("#model-view h1").textContent()).toBe("abdominal aortic aneurysm");
      expect(page.url()).toBe(`${base}/models/OIFM_MSFT_134126`);

      await page.goto(`${base}/?q=pneumothorax&tag=XR`);
      expect(await page.inputValue("#q")).toBe("pneumothorax");
      await expect.poll(() => page.locator('#tag-chips button[data-tag="XR"]').getAttribute("aria-pressed")).toBe("true");
      await expect.poll(async () => (await resultNames(page))[0]).toBe("pneumothorax");

      await page.goto(`${base}/models/no%20such%20model`);
      await expect.poll(() => page.locator("#model-view h1").textContent()).toBe("No such model");
      expect(await page.locator("#model-view").textContent()).toMatch(/no model has the ID, name or synonym "no such model"/);

      // Back and forward move between the views.
      await page.goto(`${base}/?q=aaa`);
      await expect.poll(async () => (await resultNames(page))[0]).toBe("abdominal aortic aneurysm");
      await page.click("#results a.result >> nth=0");
      await expect.poll(() => page.url()).toBe(`${base}/models/OIFM_MSFT_134126`);
      await page.goBack();
      await expect.poll(() => page.url()).toBe(`${base}/?q=aaa`);
      expect(await page.isVisible("#search-view")).toBe(true);
      await page.goForward();
      await expect.poll(() => page.locator("#model-view h1").textContent()).toBe("abdominal aortic aneurysm");
    } finally {
      await fresh.close();
    }
  }, 60_000);

  it("shows model text as text: markup in a model is never run or rendered", async () => {
    const page = await open("/");
    await page.keyboard.type("hostile", { delay: 10 });
    await expect.poll(() => resultNames(page)).toContain(HOSTILE_NAME);
    expect(await page.locator("#results img, #results script, #results svg, #results b").count()).toBe(0);

    await page.goto(`${base}/models/${hostileId}`);
    const view = page.locator("#model-view");
    await expect.poll(() => view.locator("h1").textContent()).toBe(HOSTILE_NAME);
    expect(await view.locator(".description").textContent()).toBe(HOSTILE_DESCRIPTION);
    expect(await view.locator("tbody th").first().textContent()).toBe(HOSTILE_VALUE);
    expect(await view.textContent()).toContain("<b>bold synonym</b>");
    expect(await view.textContent()).toContain("<SYS> <code onclick=x> <i>display</i>");
    expect(await page.locator("img, svg, script:not([src]), b, i, #model-view a[href^='javascript']").count()).toBe(0);
    // The contributor's javascript: URL is not made a link; the name is text.
    expect(await view.locator(".contributors li").textContent()).toContain("<a href=javascript:alert(1)>Mallory</a>");
    expect(await view.locator(".contributors li a").evaluateAll((links) => links.map((a) => a.getAttribute("href")))).toEqual(["mailto:mallory@example.com"]);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await page.close();
  }, 60_000);

  it("shows the API's description as a page, linked from the search page", async () => {
    const page = await open("/");
    await page.click("header >> text=API");
    await expect.poll(() => page.url()).toBe(`${base}/api/docs`);
    await expect.poll(() => page.locator("h1").textContent()).toMatch(/^findingmodel HTTP API \d+\.\d+\.\d+/);
    expect(await page.title()).toMatch(/API/);

    const search = page.locator('section.operation[aria-label="GET /api/search"]');
    expect(await search.locator("h3").textContent()).toBe("GET /api/search");
    expect(await search.textContent()).toMatch(/exact ID, name or synonym first, then full text/);
    const q = search.locator("tbody tr", { has: page.locator("code", { hasText: /^q$/ }) });
    expect(await q.locator("th").textContent()).toBe("qrequired");
    expect(await q.locator("td").allTextContents()).toEqual(["query", "text, not empty, at most 500 characters", expect.stringMatching(/^Words to search for/)]);
    const tag = search.locator("tbody tr", { has: page.locator("code", { hasText: /^tag$/ }) });
    expect(await tag.locator("td").first().textContent()).toBe("query (repeat it)");
    // Answers name their shape, linked to its description.
    const bad = search.locator(".responses tbody tr", { has: page.locator("th", { hasText: /^400$/ }) });
    expect(await bad.locator("a").getAttribute("href")).toBe("#schema-Error");

    const batch = page.locator('section.operation[aria-label="POST /api/search/batch"]');
    expect(await batch.textContent()).toMatch(/Request body \(JSON\)/);
    expect(await batch.locator("table.fields").first().textContent()).toMatch(/queriesrequiredlist of text, not empty, at most 500 characters \(at least 1, at most 100\)/);
    expect(await page.locator('section.operation[aria-label="POST /api/sync"]').textContent()).toMatch(/bearer token/);

    // Every route of the description is there, and each shape with its fields.
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const expected = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
    expect(await page.locator("section.operation").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")))).toEqual(expected);
    const entry = page.locator("#schema-IndexEntry");
    expect(await entry.locator(":scope > table > tbody > tr > th code").allTextContents()).toEqual(["oifm_id", "name", "slugName", "filename", "description", "synonyms", "tags", "contributors", "attributes"]);

    await page.click('section.operation[aria-label="GET /api/search"] a[href="#schema-SearchResult"]');
    await expect.poll(() => page.url()).toBe(`${base}/api/docs#schema-SearchResult`);
    await page.screenshot({ path: "/tmp/findingmodel-api-docs.png", fullPage: false });
    await page.close();
  }, 60_000);

  it("logged no console errors, page errors or dialogs", () => {
    expect(problems).toEqual([]);
  });
});
