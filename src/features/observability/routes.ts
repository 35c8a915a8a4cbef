import { createServer, type Server } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { listMigrations } from '../../db/migrate.ts';
import type { Database } from '../../db/database.ts';
import { bothLocales } from '../../web/routing.ts';
import { createMetrics, metricsContentType, metricsText, recordRequest, type AppMetrics } from './metrics.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus metrics; pass to `recordJobRun` for the job scheduler. */
    metrics: AppMetrics;
  }
}

const READY_TIMEOUT_MS = 2000;
const SUBMIT_PATHS = new Set(bothLocales('/melden/versturen'));

/**
 * Health, readiness and metrics. `/healthz` and `/readyz` are for the orchestrator: they say only
 * whether the process lives and whether it can serve (database reachable, schema current), in a short
 * JSON reason without stack traces. `/metrics` answers with a bearer token on the public port, or
 * without one on a separate listener (METRICS_PORT, 127.0.0.1 by default); with neither configured it
 * does not exist. Registered on the root app before the routes, so the request hook sees all of them.
 */
export function registerObservability(app: FastifyInstance): void {
  const { config, db, logger } = app.deps;
  const metrics = createMetrics(db, logger);
  app.decorate('metrics', metrics);
  // The files this code was built with; a database behind them cannot serve it.
  const expectedMigrations = listMigrations().map((migration) => migration.name);

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    recordRequest(metrics, {
      method: request.method,
      route,
      status: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
    });
    if (request.method === 'POST' && route && SUBMIT_PATHS.has(route) && reply.statusCode === 303) {
      metrics.reportsReceived.inc();
    }
    done();
  });

  app.get('/healthz', (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

  // Public and unauthenticated: requests arriving together share one check, so a flood of them costs
  // the database one pair of queries at a time.
  let inFlight: Promise<ReadinessProblem | undefined> | undefined;
  app.get('/readyz', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    inFlight ??= readinessProblem(db, expectedMigrations).finally(() => {
      inFlight = undefined;
    });
    const problem = await inFlight;
    if (problem) {
      request.log.warn({ reason: problem.reason, err: problem.error }, 'not ready');
      return reply.code(503).send({ status: 'unavailable', reason: problem.reason });
    }
    return reply.send({ status: 'ok' });
  });

  if (config.metrics.token !== undefined) {
    const expected = digest(config.metrics.token);
    app.get('/metrics', async (request, reply) => {
      reply.header('cache-control', 'no-store');
      if (!hasToken(request, expected)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="metrics"')
          .send({ status: 'unauthorized' });
      }
      return reply.header('content-type', metricsContentType).send(await metricsText(metrics));
    });
  }

  if (config.metrics.port !== undefined) {
    const { port, host, token } = config.metrics;
    const expected = token === undefined ? undefined : digest(token);
    let server: Server | undefined;
    // Only when the app itself listens: tests that inject requests open no port.
    app.addHook('onListen', async () => {
      server = createServer((request, response) => {
        void serveInternal(metrics, expected, request.url, request.headers.authorization).then(
          ({ status, body, contentType }) => {
            response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
            response.end(body);
          },
          (error: unknown) => {
            logger.warn({ err: error }, 'metrics listener failed');
            response.writeHead(500).end();
          },
        );
      });
      await new Promise<void>((resolve, reject) => {
        server?.once('error', reject);
        server?.listen(port, host, () => resolve());
      });
      logger.info({ metricsPort: port, metricsHost: host }, 'metrics listening');
    });
    app.addHook('onClose', async () => {
      if (server?.listening) await new Promise<void>((resolve) => server?.close(() => resolve()));
    });
  }
}

async function serveInternal(
  metrics: AppMetrics,
  expected: Buffer | undefined,
  url: string | undefined,
  authorization: string | undefined,
): Promise<{ status: number; body: string; contentType: string }> {
  if ((url ?? '').split('?')[0] !== '/metrics') {
    return { status: 404, body: 'not found\n', contentType: 'text/plain' };
  }
  if (expected && !tokenMatches(authorization, expected)) {
    return { status: 401, body: 'unauthorized\n', contentType: 'text/plain' };
  }
  return { status: 200, body: await metricsText(metrics), contentType: metricsContentType };
}

/** Hashing both sides first makes the comparison constant-time whatever the lengths. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function tokenMatches(authorization: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return timingSafeEqual(digest(match?.[1] ?? ''), expected);
}

function hasToken(request: FastifyRequest, expected: Buffer): boolean {
  return tokenMatches(request.headers.authorization, expected);
}

interface ReadinessProblem {
  reason: 'database_unreachable' | 'migrations_pending';
  error?: unknown;
}

async function readinessProblem(db: Database, expected: string[]): Promise<ReadinessProblem | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('database check timed out')), READY_TIMEOUT_MS);
  });
  try {
    await Promise.race([sql`select 1`.execute(db), timeout]);
  } catch (error) {
    return { reason: 'database_unreachable', error };
  } finally {
    clearTimeout(timer);
  }
  try {
    const applied = new Set(
      (await sql<{ name: string }>`select name from schema_migration`.execute(db)).rows.map((r) => r.name),
    );
    if (expected.some((name) => !applied.has(name))) return { reason: 'migrations_pending' };
  } catch (error) {
    // No migrations table: the schema was never set up.
    return { reason: 'migrations_pending', error };
  }
  return undefined;
}
