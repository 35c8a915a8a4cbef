import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import type { Database } from './db/database.ts';
import { createTranslators, loadCatalogs, type Locale, type Translator } from './i18n/i18n.ts';
import { buildAssets, type Assets } from './web/assets.ts';
import { answerFrameworkError, registerSecurityHeaders } from './web/security-headers.ts';
import { registerErrorHandling } from './web/error-handling.tsx';
import { registerPortalRoutes } from './features/portal/routes.tsx';
import { registerIntakeRoutes } from './features/intake/routes.tsx';
import { registerSetupRoutes } from './features/setup/routes.tsx';
import { registerAuthRoutes } from './features/auth/routes.tsx';
import { registerPasskeyRoutes } from './features/passkeys/routes.tsx';
import { registerInboxRoutes } from './features/inbox/routes.tsx';
import { registerUsersRoutes } from './features/users/routes.tsx';
import { registerStaffLinkRoutes } from './features/users/link-routes.tsx';
import { registerAuditRoutes } from './features/audit/routes.tsx';
import { registerCaseRoutes } from './features/cases/routes.tsx';
import { registerIndicatorRoutes } from './features/indicators/routes.tsx';
import { registerPersonRoutes } from './features/persons/routes.tsx';
import { registerTaskRoutes } from './features/tasks/routes.tsx';
import { registerPolicy } from './web/policy.ts';
import { registerSearchRoutes } from './features/search/routes.tsx';
import { registerSubjectRightsRoutes } from './features/subject-rights/routes.tsx';
import { registerRetentionRoutes } from './features/retention/routes.tsx';
import { registerObservability } from './features/observability/routes.ts';

/** What every feature may use; passed in so tests can build an app on their own database. */
export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  translators: Record<Locale, Translator>;
  assets: Assets;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}

// Whole-request ceiling; per-file and per-form limits are enforced (with friendly errors) by each form.
const MAX_FORM_BODY_BYTES = 256 * 1024;

export async function buildApp(options: {
  config: Config;
  db: Database;
  logger: Logger;
}): Promise<FastifyInstance> {
  const { config } = options;
  const deps: AppDeps = {
    ...options,
    translators: createTranslators(loadCatalogs()),
    assets: buildAssets(),
  };
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = Fastify({
    loggerInstance,
    // Fastify's own request log records client IPs; we log requests ourselves (see below).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: config.trustProxy,
    bodyLimit: MAX_FORM_BODY_BYTES,
    routerOptions: { ignoreTrailingSlash: true },
    // Malformed URLs are answered before any hook: as our error page, with every security header.
    frameworkErrors: answerFrameworkError,
  });
  app.decorate('deps', deps);

  const logRequests = options.logger.isLevelEnabled('info');
  app.addHook('onResponse', (request, reply, done) => {
    if (!logRequests) {
      done();
      return;
    }
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
    done();
  });

  await app.register(cookie);
  await app.register(formbody);
  await app.register(multipart, {
    limits: {
      fileSize: config.intake.maxFileBytes,
      files: config.intake.maxFiles + 1,
      fields: 40,
      // Above the longest text a form accepts (20,000 characters of up to 4 bytes), so an over-long
      // text is refused with a message instead of cut off silently.
      fieldSize: 128 * 1024,
      parts: 50,
    },
  });
  registerSecurityHeaders(app, config);
  registerErrorHandling(app);
  // Before any route: every back-office route must declare its access rule, or the app does not start.
  registerPolicy(app);
  // Health, readiness and metrics; its request hook must precede the routes it measures.
  registerObservability(app);

  app.get('/assets/:file', (request, reply) => {
    const asset = deps.assets.byPath.get(request.url.split('?')[0] ?? '');
    if (!asset) return reply.callNotFound();
    return reply.header('content-type', asset.contentType).send(asset.body);
  });

  await app.register(registerPortalRoutes);
  await app.register(registerIntakeRoutes);
  await app.register(registerSetupRoutes);
  await app.register(registerAuthRoutes);
  await app.register(registerPasskeyRoutes);
  await app.register(registerInboxRoutes);
  await app.register(registerUsersRoutes);
  await app.register(registerStaffLinkRoutes);
  await app.register(registerAuditRoutes);
  await app.register(registerCaseRoutes);
  await app.register(registerSearchRoutes);
  await app.register(registerIndicatorRoutes);
  await app.register(registerPersonRoutes);
  await app.register(registerTaskRoutes);
  await app.register(registerSubjectRightsRoutes);
  await app.register(registerRetentionRoutes);
  return app;
}

export type { FastifyError };
