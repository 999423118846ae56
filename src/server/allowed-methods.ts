// Which methods the app answers at a path, for a 405's Allow header: a request the router did
// not match whose path some route has (DELETE /api/search) used the wrong method, not a wrong path.
// Only asked on the way to a 404, so matching here costs the routes that exist nothing.
import type { FastifyInstance, RouteOptions } from "fastify";

interface RoutePattern {
  pattern: RegExp;
  methods: Set<string>;
}

/** Start collecting routes; call before any route is added. Returns the lookup. */
export function collectMethods(app: FastifyInstance): (path: string) => string[] {
  const routes = new Map<string, RoutePattern>();
  app.addHook("onRoute", (route: RouteOptions) => {
    const known = routes.get(route.url) ?? { pattern: patternOf(route.url), methods: new Set<string>() };
    for (const method of [route.method].flat()) known.methods.add(method.toUpperCase());
    routes.set(route.url, known);
  });
  return (path) => {
    const methods = new Set<string>();
    for (const route of routes.values()) if (route.pattern.test(path)) for (const m of route.methods) methods.add(m);
    return [...methods].sort(byUsualOrder);
  };
}

/** "/api/models/:id/full" -> /^\/api\/models\/[^/]+\/full$/ (a parameter is one non-empty segment). */
function patternOf(url: string): RegExp {
  const source = url
    .split("/")
    .map((segment) => (segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}$`);
}

const ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function byUsualOrder(a: string, b: string): number {
  const rank = (m: string) => (ORDER.includes(m) ? ORDER.indexOf(m) : ORDER.length);
  return rank(a) - rank(b) || a.localeCompare(b);
}
