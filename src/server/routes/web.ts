// The web page: static HTML, JS and CSS from server/public (plain files, no build step), held in
// memory. Every page URL of the app (/, /models/<id>) answers the same HTML; the script renders
// the view from the URL, so a model's URL can be shared and loaded directly. /api/docs is a second
// page (docs.html) that renders /api/openapi.json. Assets are named in the HTML with a hash of
// their content, so browsers may keep them for a year.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "../errors.js";
import { etagOf, sendCached } from "../http-cache.js";
import { pageRulesModule } from "../page-rules.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** No inline script or style, no other origin: model text that slipped through escaping could still do nothing. */
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  version: string;
}

/**
 * Where the page's files are: in the sources when they are there (a checkout: edits show on the
 * next start, and a build with plain `tsc` needs no copy step), else beside this module (an
 * installed package, whose `npm run build` copied them to dist/server/public).
 */
export function publicDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, "..", "..", "..", "src", "server", "public"), path.join(here, "..", "public")];
  const found = candidates.find((dir) => existsSync(path.join(dir, "index.html")));
  if (!found) throw new Error(`the web page's files are missing (looked in ${candidates.join(", ")}); rebuild with npm run build`);
  return found;
}

function asset(body: Buffer, type: string): Asset {
  const etag = etagOf(body);
  return { body, type, etag, version: etag.slice(1, 13) };
}

/** The page's files, and rules.js: the index's search rules written for the page (page-rules.ts). */
function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type) assets.set(name, asset(readFileSync(path.join(dir, name)), type));
  }
  assets.set("rules.js", asset(Buffer.from(pageRulesModule()), TYPES[".js"]!));
  return assets;
}

export async function webRoutes(app: FastifyInstance, { dir = publicDir() }: { dir?: string } = {}): Promise<void> {
  const assets = loadAssets(dir);
  const page = pageHandler(assets, "index.html", dir);
  app.get("/", page);
  app.get("/models/:id", page);
  // The API's description (/api/openapi.json) as a page a person can read.
  app.get("/api/docs", pageHandler(assets, "docs.html", dir));

  app.get<{ Params: { name: string }; Querystring: { v?: string } }>("/assets/:name", (request, reply) => {
    const name = request.params.name;
    const asset = name.endsWith(".html") ? undefined : assets.get(name);
    if (!asset) throw new HttpError("not-found", `there is no asset ${name.slice(0, 100)}`);
    const immutable = request.query.v === asset.version;
    return sendCached(request, reply, asset.body, asset.type, immutable ? "public, max-age=31536000, immutable" : "no-cache", asset.etag);
  });
}

/** A handler answering the page `name`, pointed at versioned asset URLs (/assets/app.js -> /assets/app.js?v=<hash>). */
function pageHandler(assets: Map<string, Asset>, name: string, dir: string): (request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  const template = assets.get(name);
  if (!template) throw new Error(`${dir} has no ${name}`);
  const html = Buffer.from(
    template.body.toString("utf8").replace(/"\/assets\/([A-Za-z0-9._-]+)"/g, (whole, asset: string) => {
      const found = assets.get(asset);
      return found ? `"/assets/${asset}?v=${found.version}"` : whole;
    }),
  );
  const etag = etagOf(html);
  return (request, reply) => {
    reply.header("Content-Security-Policy", PAGE_CSP).header("X-Frame-Options", "DENY").header("Referrer-Policy", "no-referrer");
    return sendCached(request, reply, html, TYPES[".html"]!, "no-cache", etag);
  };
}
