import type { FastifyInstance } from 'fastify';

/**
 * Every static GET route the app has (no `:param`, no `*`), found by reading Fastify's route tree
 * (`printRoutes`) — there is no route list to ask for once an app is built, and registering an `onRoute`
 * hook would mean changing the app. Each found path is checked with `hasRoute`, so a misread line can
 * only drop a path, never invent one.
 */
export function staticGetPaths(app: FastifyInstance): string[] {
  const tree = app.printRoutes({ method: 'GET', commonPrefix: false });
  const prefixes: string[] = [];
  const paths = new Set<string>();
  for (const line of tree.split('\n')) {
    // "│   ├── en (GET)": four characters of tree drawing per level, then the segment and its methods.
    const match = /^((?:[│ ] {3})*)(?:├── |└── )(.*?)(?: \(([^)]*)\))?$/u.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    const path = (prefixes[depth - 1] ?? '') + (match[2] ?? '');
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    const methods = (match[3] ?? '').split(',').map((m) => m.trim());
    if (!methods.includes('GET') || /[:*]/.test(path)) continue;
    if (app.hasRoute({ method: 'GET', url: path })) paths.add(path);
  }
  return [...paths].sort();
}
