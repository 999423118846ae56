// ETag and Cache-Control for answers that are the same until the index changes: the ETag is a
// hash of the exact bytes sent, so it is right whatever changed (a model's file, its rendering,
// the server's version), and a client that has those bytes gets a 304 with no body.
import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

/** Model answers may be reused for a minute, then must be revalidated (a cheap 304). */
export const MODEL_CACHE_CONTROL = "public, max-age=60, must-revalidate";

export function etagOf(body: string | Buffer): string {
  return `"${createHash("sha1").update(body).digest("base64url")}"`;
}

/** Whether an If-None-Match header (a list of entity tags, weak or strong, or "*") matches `etag`. */
export function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(",") : header;
  if (value.trim() === "*") return true;
  return value.split(",").some((tag) => {
    const t = tag.trim();
    return (t.startsWith("W/") ? t.slice(2) : t) === etag;
  });
}

/** Send `body` with its ETag and `cacheControl`, or a bodiless 304 when the client already has it. */
export function sendCached(request: FastifyRequest, reply: FastifyReply, body: string | Buffer, contentType: string, cacheControl = MODEL_CACHE_CONTROL, etag = etagOf(body)): FastifyReply {
  reply.header("ETag", etag).header("Cache-Control", cacheControl);
  if (etagMatches(request.headers["if-none-match"], etag)) return reply.code(304).send();
  return reply.type(contentType).send(body);
}
