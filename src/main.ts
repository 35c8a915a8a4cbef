import { loadConfig } from './config/config.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { buildApp } from './app.ts';
import { createLogger } from './web/logging.ts';
import { ensureSetupLink } from './features/setup/setup-service.ts';
import { startMailDelivery } from './features/mail/delivery.ts';
import { createScheduler } from './features/jobs/scheduler.ts';
import { appJobs } from './features/jobs/registry.ts';
import { acquireDataDirLock } from './features/backup/data-dir-lock.ts';
import { recordJobRun } from './features/observability/metrics.ts';
import { preloadPasswordPolicy } from './features/users/password-policy.ts';
import { loadIndicatorLists, syncIndicatorDefinitions } from './features/indicators/indicator-lists.ts';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const startedAt = performance.now();

// Embedded mode: one process per data directory, which PGlite itself does not check
// (features/backup/data-dir-lock.ts); backup and restore take the same lock.
const dataDirLock = config.databaseUrl ? undefined : acquireDataDirLock(config.dataDir, 'Baken (npm start)');
// On every exit: after a shutdown the database is closed by then; after a crash nothing uses it.
process.once('exit', () => dataDirLock?.release());
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
const applied = await migrate(database.db);
if (applied.length > 0) logger.info({ applied }, 'migrations applied');
// Indicator lists are versioned data; a changed published version stops the start here.
await syncIndicatorDefinitions(database.db, loadIndicatorLists());
// Without an administrator, a one-time link replaces any earlier one; printed once listening.
const setupLink = await ensureSetupLink(database.db, config.publicUrl);

// Read once at start, not at the first new password (see features/users/breached-passwords.ts).
preloadPasswordPolicy();
const app = await buildApp({ config, db: database.db, logger });
const address = await app.listen({ host: config.host, port: config.port });
logger.info(
  // The bound address (the server's own) tells PORT=0 starts where they listen.
  { database: database.kind, readyInMs: Math.round(performance.now() - startedAt), address },
  `Baken listening on ${config.publicUrl}`,
);
if (setupLink) {
  // Straight to the console, not through the logger: the link is a credential and must not end up
  // in shipped logs.
  process.stdout.write(
    `\nFirst start: create the administrator at\n  ${setupLink}\n(valid 24 hours, once)\n\n`,
  );
}

// Retention, reminders and cleanups: once per slot across every process on this database.
const scheduler = createScheduler(database.db, {
  jobs: appJobs(config),
  logger,
  pollMs: config.jobPollMs,
  onRun: (run) => recordJobRun(app.metrics, run),
});
await scheduler.start();
// Invitations and reset links; without SMTP_URL they are printed here, like the setup link.
const mailWorker = startMailDelivery(database.db, {
  rootKey: config.secrets.secretKey,
  mail: config.mail,
  logger,
  // Each message is claimed by one process (SKIP LOCKED), so polling often in several is harmless.
  intervalMs: Math.min(5000, config.jobPollMs),
});

/**
 * Stops taking connections, lets requests in flight and a running job finish, then closes the
 * database so PGlite's data directory is left clean. Past the deadline, open connections are cut;
 * a few seconds later still, the process gives up waiting and exits with an error.
 */
let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) {
    logger.warn({ signal }, 'second signal during shutdown: exiting now');
    process.exit(1);
  }
  closing = true;
  logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down');
  const deadline = setTimeout(() => {
    logger.warn({ event: 'shutdown.deadline' }, 'shutdown deadline passed: closing open connections');
    app.server.closeAllConnections();
  }, config.shutdownTimeoutMs);
  const lastResort = setTimeout(() => {
    logger.error({ event: 'shutdown.stuck' }, 'shutdown did not finish: exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs + 5000);
  try {
    // Fastify stops listening at once, answers 503 on kept-alive connections, and resolves once
    // the requests in flight have been answered.
    await Promise.all([app.close(), scheduler.stop()]);
    await mailWorker.stop();
    await database.close();
    clearTimeout(deadline);
    clearTimeout(lastResort);
    logger.info({ event: 'shutdown.done' }, 'stopped');
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
