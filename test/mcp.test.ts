// `findingmodel mcp` end to end: the official SDK's client spawns `node dist/cli/main.js mcp`
// over stdio on a real index of the registry, lists the tools and calls each one, including with
// bad arguments; then the process must stop by itself when the client goes away.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Ajv } from "ajv";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openIndex } from "../src/index/open-index.js";
import { MAX_QUERY_LENGTH, MAX_REQUEST_LIMIT, MAX_TAG_LENGTH, MAX_TAG_LIST_LIMIT, MAX_TAGS } from "../src/index/limits.js";
import { DEFS } from "./corpus.js";
import { buildIfStale } from "./dist.js";

// Runs the compiled command (dist/): never stale code.
buildIfStale();

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = path.join(ROOT, "dist", "cli", "main.js");
const work = mkdtempSync(path.join(tmpdir(), "fm-mcp-"));
const DB = path.join(work, "registry.db");

let client: Client;
let transport: StdioClientTransport;
let stderr = "";

interface TextResult {
  content: Array<{ type: string; text: string }>;
  structuredContent?: Record<string, any>;
  isError?: boolean;
}

const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as TextResult;

beforeAll(async () => {
  const index = await openIndex({ db: DB });
  try {
    const report = await index.sync(DEFS);
    expect(report.errors).toEqual([]);
  } finally {
    await index.close();
  }
  transport = new StdioClientTransport({ command: process.execPath, args: [CLI, "mcp", "--db", DB], cwd: ROOT, stderr: "pipe" });
  transport.stderr?.on("data", (d) => (stderr += d));
  client = new Client({ name: "findingmodel-test", version: "1.0.0" });
  await client.connect(transport);
}, 60_000);

afterAll(async () => {
  await client?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("findingmodel mcp", () => {
  it("introduces itself, with instructions", () => {
    expect(client.getServerVersion()).toMatchObject({ name: "findingmodel", version: expect.any(String) });
    expect(client.getServerCapabilities()?.tools).toBeDefined();
    expect(client.getInstructions()).toMatch(/search_finding_models/);
  });

  it("lists the four read-only tools with their input schemas", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["count_finding_models", "get_finding_model", "list_finding_model_tags", "search_finding_models"]);
    for (const tool of tools) {
      expect(tool.description?.length).toBeGreaterThan(20);
      expect(tool.annotations?.readOnlyHint).toBe(true);
      expect(tool.inputSchema.type).toBe("object");
      expect(tool.outputSchema?.type).toBe("object");
    }
    const search = tools.find((t) => t.name === "search_finding_models")!;
    expect(search.inputSchema.required).toEqual(["query"]);
    expect(Object.keys(search.inputSchema.properties ?? {}).sort()).toEqual(["limit", "mode", "query", "tags"]);
    expect(tools.find((t) => t.name === "get_finding_model")!.inputSchema.required).toEqual(["id_or_name"]);
  });

  it("search_finding_models: exact synonym first, limit, and the same answer as text and as structured content", async () => {
    const result = await call("search_finding_models", { query: "lung nodule", limit: 3 });
    expect(result.isError).toBeFalsy();
    const results = result.structuredContent!.results as Array<Record<string, any>>;
    expect(results).toHaveLength(3);
    expect(results[0]).toMatchObject({ oifm_id: "OIFM_CDE_000195", name: "Pulmonary Nodule", synonyms: expect.arrayContaining(["lung nodule"]) });
    expect(results[0]!.attributes).toEqual(expect.arrayContaining(["Composition", "Size"]));
    expect(JSON.parse(result.content[0]!.text)).toEqual(result.structuredContent);
    // Default limit 10.
    expect((await call("search_finding_models", { query: "lesion" })).structuredContent!.results).toHaveLength(10);
  });

  it("search_finding_models: tags filter the results (all must match)", async () => {
    const result = await call("search_finding_models", { query: "lesion", limit: 20, tags: ["CT", "chest"] });
    const results = result.structuredContent!.results as Array<{ tags: string[] }>;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(r.tags).toEqual(expect.arrayContaining(["CT", "chest"]));
  });

  it("get_finding_model: the whole model by ID, by name or by synonym", async () => {
    const file = JSON.parse(readFileSync(DEFS + "abdominal_aortic_aneurysm.fm.json", "utf8"));
    for (const key of ["OIFM_MSFT_134126", "Abdominal Aortic Aneurysm", "AAA"]) {
      const result = await call("get_finding_model", { id_or_name: key });
      expect(result.isError, key).toBeFalsy();
      expect(result.structuredContent).toEqual(file);
      expect(JSON.parse(result.content[0]!.text)).toEqual(file);
      // Compact, like every other tool's answer.
      expect(result.content[0]!.text).toBe(JSON.stringify(result.structuredContent));
    }
    const model = (await call("get_finding_model", { id_or_name: "pulmonary nodule" })).structuredContent!;
    const composition = model.attributes.find((a: { name: string }) => a.name === "Composition");
    expect(composition.values.length).toBeGreaterThan(1);
    expect(composition.values[0]).toMatchObject({ value_code: expect.stringMatching(/^OIFMA_CDE_001301\.\d+$/), name: expect.any(String) });
  });

  it("get_finding_model: an unknown model is a tool error that says what to do", async () => {
    const result = await call("get_finding_model", { id_or_name: "no such finding at all" });
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/no finding model has the ID, name or synonym "no such finding at all"; try search_finding_models/);
  });

  it("list_finding_model_tags: the most used tags with their counts (100 unless limit says), and how many there are in all", async () => {
    const all = (await call("list_finding_model_tags", { limit: 1000 })).structuredContent! as { tags: Array<{ tag: string; count: number }>; total: number };
    const tags = all.tags;
    expect(tags.length).toBeGreaterThan(100);
    expect(all.total).toBe(tags.length);
    expect(tags[0]).toEqual({ tag: "finding", count: expect.any(Number) });
    expect(tags.map((t) => t.count)).toEqual([...tags.map((t) => t.count)].sort((a, b) => b - a));
    const page = await call("list_finding_model_tags");
    expect(page.structuredContent).toEqual({ tags: tags.slice(0, 100), total: tags.length });
    expect(page.content[0]!.text).toBe(JSON.stringify(page.structuredContent));
    expect((await call("list_finding_model_tags", { limit: 3 })).structuredContent).toEqual({ tags: tags.slice(0, 3), total: tags.length });
  });

  it("count_finding_models: models, people and organizations", async () => {
    const counts = (await call("count_finding_models")).structuredContent!;
    expect(counts.models).toBe(2382);
    expect(counts.people).toBeGreaterThan(0);
    expect(counts.organizations).toBeGreaterThan(0);
  });

  it("answers bad arguments with tool errors that name the argument and the limit", async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["search_finding_models", {}, /^query must be text; got nothing$/],
      ["search_finding_models", { query: "" }, /^query is blank/],
      ["search_finding_models", { query: "   " }, /^query is blank/],
      ["search_finding_models", { query: 42 }, /^query must be text; got number$/],
      ["search_finding_models", { query: "a".repeat(501) }, /^query must be at most 500 characters long; got 501$/],
      ["search_finding_models", { query: "lung", limit: 0 }, /^limit must be a whole number from 1 to 100; got 0$/],
      ["search_finding_models", { query: "lung", limit: 101 }, /limit must be a whole number from 1 to 100; got 101/],
      ["search_finding_models", { query: "lung", limit: "5" }, /limit must be a whole number from 1 to 100; got "5"/],
      ["search_finding_models", { query: "lung", tags: "CT" }, /^tags must be a list of tag names/],
      ["search_finding_models", { query: "lung", tags: Array(21).fill("CT") }, /tags must have at most 20 items; got 21/],
      ["search_finding_models", { query: "lung", limt: 5 }, /^unknown argument "limt"; this tool takes query, limit, tags, mode$/],
      ["get_finding_model", {}, /^id_or_name must be text; got nothing$/],
      ["get_finding_model", { id: "OIFM_MSFT_134126" }, /unknown argument "id"; this tool takes id_or_name/],
      ["count_finding_models", { x: 1 }, /this tool takes no arguments/],
      ["list_finding_model_tags", { limit: 0 }, /^limit must be a whole number from 1 to 1000; got 0$/],
      ["list_finding_model_tags", { limit: 1001 }, /^limit must be a whole number from 1 to 1000; got 1001$/],
      ["list_finding_model_tags", { limit: "5" }, /^limit must be a whole number from 1 to 1000; got "5"$/],
      ["list_finding_model_tags", { max: 5 }, /^unknown argument "max"; this tool takes limit$/],
    ];
    for (const [tool, args, message] of cases) {
      const result = await call(tool, args);
      expect(result.isError, `${tool} ${JSON.stringify(args).slice(0, 80)}`).toBe(true);
      expect(result.content[0]!.text).toMatch(message);
    }
    // Punctuation and query syntax are only words.
    const odd = await call("search_finding_models", { query: '"pulmonary nodule" AND NEAR(*) OR 1=1 --' });
    expect(odd.isError).toBeFalsy();
    expect((odd.structuredContent!.results as Array<{ oifm_id: string }>).map((r) => r.oifm_id)).toContain("OIFM_CDE_000195");
  });

  it("checks arguments by the schema it lists: the index's limits, and what the listed JSON Schema refuses the tool refuses", async () => {
    const { tools } = await client.listTools();
    const schemaOf = (name: string) => tools.find((t) => t.name === name)!.inputSchema as Record<string, any>;
    const search = schemaOf("search_finding_models").properties;
    expect([search.query.maxLength, search.limit.maximum, search.tags.maxItems, search.tags.items.maxLength]).toEqual([MAX_QUERY_LENGTH, MAX_REQUEST_LIMIT, MAX_TAGS, MAX_TAG_LENGTH]);
    expect(schemaOf("list_finding_model_tags").properties.limit.maximum).toBe(MAX_TAG_LIST_LIMIT);
    expect(schemaOf("get_finding_model").properties.id_or_name.maxLength).toBe(MAX_QUERY_LENGTH);
    const ajv = new Ajv({ strict: false });
    const texts = [undefined, 42, "", "lung", "a".repeat(MAX_QUERY_LENGTH), "a".repeat(MAX_QUERY_LENGTH + 1), ["lung"]];
    const limits = [undefined, 0, 1, MAX_REQUEST_LIMIT, MAX_REQUEST_LIMIT + 1, MAX_TAG_LIST_LIMIT, MAX_TAG_LIST_LIMIT + 1, "5", 2.5];
    const tagLists = [undefined, "CT", [], ["CT", "chest"], ["CT", 1], Array(MAX_TAGS).fill("CT"), Array(MAX_TAGS + 1).fill("CT"), ["x".repeat(MAX_TAG_LENGTH)], ["x".repeat(MAX_TAG_LENGTH + 1)]];
    let refused = 0;
    for (const t of tools) {
      const listed = ajv.compile(t.inputSchema);
      const seen = new Set<string>();
      for (const text of texts) for (const limit of limits) for (const tags of tagLists) for (const mode of [undefined, "lexical", "semantic"]) for (const extra of [{}, { limt: 5 }]) {
        const args: Record<string, unknown> = { ...extra, query: text, id_or_name: text, limit, tags, mode };
        for (const key of Object.keys(args)) if (args[key] === undefined || (!(key in (t.inputSchema.properties ?? {})) && key !== "limt")) delete args[key];
        const key = JSON.stringify(args);
        if (seen.has(key)) continue;
        seen.add(key);
        const answer = await call(t.name, args);
        const refusedArguments = Boolean(answer.isError) && !/^no finding model has/.test(answer.content[0]!.text);
        expect(refusedArguments, `${t.name} ${key.slice(0, 120)}: ${answer.content[0]?.text.slice(0, 100)}`).toBe(!listed(args));
        if (refusedArguments) refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
  }, 120_000);

  it("refuses a tool that does not exist with a protocol error", async () => {
    await expect(client.callTool({ name: "delete_everything", arguments: {} })).rejects.toThrow(/there is no tool "delete_everything"; the tools are/);
  });

  it("answers many calls at once", async () => {
    const queries = ["rib fracture", "pneumothorax", "aaa", "lung nodule", "kidney stone", "appendicitis", "brain", "liver lesion"];
    const results = await Promise.all(queries.map((query) => call("search_finding_models", { query, limit: 2 })));
    for (const r of results) expect(r.isError).toBeFalsy();
    expect(results[2]!.structuredContent!.results[0].oifm_id).toBe("OIFM_MSFT_134126");
  });

  it("writes nothing but diagnostics to stderr", () => {
    expect(stderr).toBe("");
  });
});

/** `findingmodel mcp` on the registry as a child process; finish() closes its input and waits (5 s at most) for it to exit. */
function startMcp() {
  const child = spawn(process.execPath, [CLI, "mcp", "--db", DB], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const finish = async () => {
    child.stdin.end();
    const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve("still running after 5 s"), 5000))]);
    if (code === "still running after 5 s") child.kill("SIGKILL");
    return { code, out, err };
  };
  return { child, finish };
}

describe("findingmodel mcp as a process", () => {
  it("speaks only JSON-RPC on stdout, answers all it was asked, and exits 0 when its input closes", async () => {
    const mcp = startMcp();
    const { child } = mcp;
    const send = (message: object) => child.stdin.write(JSON.stringify(message) + "\n");
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "count_finding_models", arguments: {} } });
    send({ jsonrpc: "2.0", id: 3, method: "no/such/method" });
    send({ jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "search_finding_models", arguments: { query: "lung nodule", limit: 1 } } });
    // Close the input at once: what was asked is still answered before the process exits.
    const { code, out, err } = await mcp.finish();
    expect(code).toBe(0);
    // Every line is a JSON-RPC message; answers may come in any order.
    const messages = out.trim().split("\n").map((line) => JSON.parse(line) as { jsonrpc: string; id: number; result?: any; error?: any });
    for (const m of messages) expect(m.jsonrpc).toBe("2.0");
    messages.sort((a, b) => a.id - b.id);
    expect(messages.map((m) => m.id)).toEqual([1, 2, 3, 4]);
    expect(messages[0]!.result.serverInfo.name).toBe("findingmodel");
    expect(messages[1]!.result.structuredContent.models).toBe(2382);
    expect(messages[2]!.error.code).toBe(-32601); // method not found
    expect(messages[3]!.result.structuredContent.results[0].oifm_id).toBe("OIFM_CDE_000195");
    expect(err).toBe("");
  }, 20_000);

  it("answers a line that is not JSON with a parse error (id null), one that is not JSON-RPC with an invalid request, and goes on serving", async () => {
    const mcp = startMcp();
    const { child } = mcp;
    child.stdin.write("this is not json\n");
    child.stdin.write('{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": \n');
    child.stdin.write('{"hello": "world"}\n');
    const send = (message: object) => child.stdin.write(JSON.stringify(message) + "\n");
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    child.stdin.write("{oops\n");
    send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "count_finding_models", arguments: {} } });
    const { code, out, err } = await mcp.finish();
    expect(code).toBe(0);
    const messages = out.trim().split("\n").map((line) => JSON.parse(line) as { jsonrpc: string; id: number | null; result?: any; error?: any });
    for (const m of messages) expect(m.jsonrpc).toBe("2.0");
    const errors = messages.filter((m) => m.id === null);
    expect(errors.map((m) => m.error.code)).toEqual([-32700, -32700, -32600, -32700]);
    expect(errors[0]!.error.message).toMatch(/^Parse error: the line is not JSON/);
    expect(errors[2]!.error.message).toMatch(/^Invalid Request: the line is JSON but not a JSON-RPC 2\.0 message/);
    const answers = messages.filter((m) => m.id !== null).sort((a, b) => a.id! - b.id!);
    expect(answers.map((m) => m.id)).toEqual([1, 2]);
    expect(answers[1]!.result.structuredContent.models).toBe(2382);
    // Each unreadable line is also noted on stderr, named.
    for (const line of err.trim().split("\n")) expect(line).toMatch(/^findingmodel: mcp: /);
  }, 20_000);

  it("answers params of the wrong type with -32602 and a plain message naming the field, and goes on serving", async () => {
    const mcp = startMcp();
    const send = (message: object) => mcp.child.stdin.write(JSON.stringify(message) + "\n");
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: 5 } });
    send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "search_finding_models", arguments: "lung" } });
    send({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "count_finding_models", arguments: {} } });
    const { code, out } = await mcp.finish();
    expect(code).toBe(0);
    const messages = out.trim().split("\n").map((line) => JSON.parse(line) as { id: number; result?: any; error?: { code: number; message: string } });
    const byId = new Map(messages.map((m) => [m.id, m]));
    expect(byId.get(2)!.error).toEqual({ code: -32602, message: "Invalid params for tools/call: params.name: Invalid input: expected string, received number" });
    expect(byId.get(3)!.error).toEqual({ code: -32602, message: "Invalid params for tools/call: params.arguments: Invalid input: expected record, received string" });
    // A plain message: no validation report (JSON) inside it.
    for (const id of [2, 3]) expect(byId.get(id)!.error!.message).not.toMatch(/[[{\n]/);
    expect(byId.get(5)!.result.structuredContent.models).toBe(2382);
  }, 20_000);

  it("refuses --json: a usage error, since it speaks JSON-RPC on stdout already", async () => {
    const child = spawn(process.execPath, [CLI, "mcp", "--db", DB, "--json"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(2);
    expect(err).toBe("findingmodel: mcp answers in JSON-RPC on stdout already; leave out --json\n");
    expect(JSON.parse(out)).toEqual({ error: { code: "usage", message: "mcp answers in JSON-RPC on stdout already; leave out --json" } });
  }, 20_000);

  it("exits 2 with a message when the index is missing", async () => {
    const child = spawn(process.execPath, [CLI, "mcp", "--db", path.join(work, "missing.db")], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/no index at/);
  }, 20_000);
});
