// A small OpenAI-compatible embeddings server for tests, over real HTTP on 127.0.0.1: each text's
// vector is made from its words (each word and its stem hashed to a few of DIMS places, plus a
// handful of "meaning" groups so that words of one group land near each other), so the same text
// always gets the same vector and texts sharing words or meaning are close. `mode` makes it fail
// in the ways a real service does; `requests` and `texts` record what it was asked.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export const DIMS = 64;

export type ServerMode = "ok" | "slow" | "wrong-dimension" | "garbage" | "error-500" | "flaky" | "zeros";

/** Words that mean the same to this "model": each group's words share a direction. */
const MEANINGS = [
  // A word no model holds: only meaning finds ascites for it.
  ["ascites", "bellywater"],
  ["cardiomegaly", "heart", "cardiac", "enlarged"],
  ["pneumoperitoneum", "diaphragm", "free", "air"],
];

export function vectorOf(text: string): number[] {
  const v = new Array<number>(DIMS).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    const h = createHash("sha256").update(word.replace(/(es|s)$/, "")).digest();
    v[h[0]! % DIMS]! += 1;
    v[h[1]! % DIMS]! += 0.5;
    const group = MEANINGS.findIndex((g) => g.includes(word));
    if (group >= 0) v[DIMS - 1 - group]! += 3;
  }
  if (v.every((x) => x === 0)) v[0] = 1;
  return v;
}

export class EmbeddingServer {
  mode: ServerMode = "ok";
  /** Requests answered (any status). */
  requests = 0;
  /** Every text asked for, in order. */
  texts: string[] = [];
  /** For "slow": how long an answer takes, ms. */
  delayMs = 5000;
  private server: Server | undefined;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c));
      req.on("end", () => {
        this.requests++;
        if (req.method !== "POST" || req.url !== "/v1/embeddings") {
          res.writeHead(404).end("not found");
          return;
        }
        const { input, model } = JSON.parse(body) as { input: string[]; model: string };
        this.texts.push(...input);
        const answer = (status: number, text: string) => res.writeHead(status, { "content-type": "application/json" }).end(text);
        const ok = (twice = false) =>
          answer(200, JSON.stringify({ object: "list", model, data: input.map((t, index) => ({ object: "embedding", index, embedding: twice ? [...vectorOf(t), ...vectorOf(t)] : vectorOf(t) })) }));
        switch (this.mode) {
          case "ok":
            return ok();
          case "slow":
            return void setTimeout(() => ok(), this.delayMs).unref();
          case "wrong-dimension":
            return ok(true);
          case "garbage":
            return answer(200, '{"data": "not vectors"}');
          case "zeros":
            return answer(200, JSON.stringify({ data: input.map((_, index) => ({ index, embedding: new Array(DIMS).fill(0) })) }));
          case "error-500":
            return answer(500, '{"error": "model not loaded"}');
          case "flaky":
            // Every other request fails: retries get through.
            return this.requests % 2 === 1 ? answer(503, '{"error": "busy"}') : ok();
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A URL where nothing listens: a port just opened and closed again. */
export async function refusingUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}
