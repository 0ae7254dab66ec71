// Every route a Fastify instance serves, read from its own route tree (`printRoutes`), so a
// route added later is fuzzed without anyone listing it here.
import type { FastifyInstance } from 'fastify';

export interface RouteEntry {
  readonly method: string;
  /** As registered: `/api/v1/subscriptions/:subscriptionId/boosts`, `/docs/*`. */
  readonly url: string;
}

/**
 * Parses `printRoutes({ commonPrefix: false })`: one node per line, `├── ` or `└── ` at four
 * columns per level, the node's path segment, then `(GET, HEAD)` when a route ends there.
 */
export function listRoutes(app: FastifyInstance): RouteEntry[] {
  const tree = app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: RouteEntry[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([\s│]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const segment = match[2]!;
    stack.length = depth;
    const parent = stack[depth - 1] ?? '';
    const path = parent === '' || parent.endsWith('/') || segment.startsWith('/') ? parent + segment : `${parent}/${segment}`;
    stack.push(path);
    if (!match[3]) continue;
    const url = path.replace(/\/{2,}/g, '/');
    for (const method of match[3].split(',').map((m) => m.trim())) routes.push({ method, url });
  }
  if (routes.length === 0) throw new Error(`no routes read from the route tree:\n${tree}`);
  return routes;
}

/** The `:name` and `*` parameters of a route URL. */
export function routeParams(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)|\*/g)].map((m) => m[1] ?? '*');
}

/** The URL with each parameter replaced by `fill(name)` (already encoded). */
export function fillRoute(url: string, fill: (name: string) => string): string {
  return url.replace(/:([A-Za-z0-9_]+)|\*/g, (_all, name: string | undefined) => fill(name ?? '*'));
}
