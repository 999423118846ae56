// The package as a stranger gets it: `npm pack`, then `npm install <tarball>` into an empty folder
// (dependencies from the npm cache where it has them; better-sqlite3 compiles, ~2 minutes), then
// the installed command: help, validate, index sync, search, get and serve, on the registry snapshot.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFS } from "./corpus.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(path.join(os.tmpdir(), "fm-package-"));
const app = path.join(work, "app");
const bin = path.join(app, "node_modules", ".bin", "findingmodel");
afterAll(() => rmSync(work, { recursive: true, force: true }), 60_000);

/** The environment without npm's own variables: `npm test` sets npm_config_* (prefix, cache...) that must not leak into the install. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")));
}

let tarball = "";
let packed: string[] = [];

beforeAll(() => {
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: ROOT, encoding: "utf8", env: cleanEnv() });
  const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(work, info!.filename);
  packed = info!.files.map((f) => f.path).sort();
}, 120_000);

describe("the npm package", () => {
  it("holds the compiled code, the web page, README, LICENSE and package.json, and nothing else", () => {
    expect(packed.filter((f) => !f.startsWith("dist/"))).toEqual(["LICENSE", "README.md", "package.json"]);
    expect(packed).toContain("dist/cli/main.js");
    expect(packed).toContain("dist/lib.js");
    expect(packed).toContain("dist/lib.d.ts");
    expect(packed).toContain("dist/store/sqlite/writer-thread.js");
    expect(packed).toEqual(expect.arrayContaining(["dist/server/public/index.html", "dist/server/public/app.js", "dist/server/public/style.css"]));
    // No source maps of sources it does not ship, no benchmark (its peers are dev dependencies), no tests or fixtures.
    expect(packed.filter((f) => f.endsWith(".map") || f.startsWith("dist/bench/") || /test|fixtures/.test(f))).toEqual([]);
  });

  it(
    "installs into an empty folder and its command works: help, validate, index sync, search, get, serve",
    async () => {
      mkdirSync(app);
      writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "consumer", private: true }));
      const install = spawnSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], {
        cwd: app,
        encoding: "utf8",
        env: cleanEnv(),
      });
      expect(install.status, install.stderr).toBe(0);
      expect(JSON.parse(readFileSync(path.join(app, "node_modules", "findingmodel", "package.json"), "utf8")).name).toBe("findingmodel");

      const run = (...args: string[]) => spawnSync(bin, args, { cwd: app, encoding: "utf8", env: cleanEnv() });
      const help = run("--help");
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/Usage: findingmodel/);
      for (const command of ["validate", "search", "serve", "mcp"]) expect(help.stdout).toContain(command);

      const defs = path.join(app, "defs");
      cpSync(DEFS, defs, { recursive: true });
      const count = readFileSync(path.join(ROOT, "fixtures/registry/ids.json"), "utf8").match(/"OIFM_[A-Z]+_\d+":/g)!.length;

      const validate = run("validate", "defs", "--json");
      expect(validate.status, validate.stderr).toBe(0);
      expect(JSON.parse(validate.stdout)).toMatchObject({ files: count, valid: count, invalid: 0 });

      const sync = run("index", "sync", "defs", "--json");
      expect(sync.status, sync.stderr).toBe(0);
      expect(JSON.parse(sync.stdout)).toMatchObject({ added: count, errors: [] });

      const search = run("search", "pneumothorax", "--limit", "3", "--json");
      expect(search.status, search.stderr).toBe(0);
      const results = JSON.parse(search.stdout) as Array<{ name: string; oifm_id: string }>;
      expect(results[0]!.name).toBe("pneumothorax");

      const get = run("get", results[0]!.oifm_id, "--json");
      expect(get.status, get.stderr).toBe(0);
      expect(JSON.parse(get.stdout)).toMatchObject({ name: "pneumothorax" });

      // serve: one request to the page and one to the API, then a graceful stop.
      const server = spawn(bin, ["serve", "--port", "0", "--json"], { cwd: app, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
      const exited = new Promise<number | null>((resolve) => server.on("exit", (code) => resolve(code)));
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        server.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          try {
            resolve((JSON.parse(out) as { url: string }).url);
          } catch {
            // not all of it yet
          }
        });
        void exited.then((code) => reject(new Error(`serve exited (${code}) before listening`)));
      });
      try {
        const page = await fetch(`${url}/`);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain("<html");
        const api = (await (await fetch(`${url}/api/search?q=pneumothorax&limit=1`)).json()) as { results: Array<{ name: string }> };
        expect(api.results[0]!.name).toBe("pneumothorax");
      } finally {
        server.kill("SIGTERM");
      }
      expect(await exited).toBe(0);
    },
    600_000,
  );
});
