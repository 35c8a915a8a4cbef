import { loadConfig } from './config/config.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { buildApp } from './app.ts';
import { createLogger } from './web/logging.ts';
import { ensureSetupLink } from './features/setup/setup-service.ts';
import { startHousekeeping } from './features/housekeeping/housekeeping.ts';
import { startMailDelivery } from './features/mail/delivery.ts';
import { preloadPasswordPolicy } from './features/users/password-policy.ts';
import { loadIndicatorLists, syncIndicatorDefinitions } from './features/indicators/indicator-lists.ts';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const startedAt = performance.now();

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
await app.listen({ host: config.host, port: config.port });
logger.info(
  { database: database.kind, readyInMs: Math.round(performance.now() - startedAt) },
  `Baken listening on ${config.publicUrl}`,
);
if (setupLink) {
  // Straight to the console, not through the logger: the link is a credential and must not end up
  // in shipped logs.
  process.stdout.write(
    `\nFirst start: create the administrator at\n  ${setupLink}\n(valid 24 hours, once)\n\n`,
  );
}

const stopHousekeeping = startHousekeeping(database.db, logger, {
  rootKey: config.secrets.secretKey,
  publicUrl: config.publicUrl,
});
// Invitations and reset links; without SMTP_URL they are printed here, like the setup link.
const mailWorker = startMailDelivery(database.db, {
  rootKey: config.secrets.secretKey,
  mail: config.mail,
  logger,
  intervalMs: 5000,
});

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  logger.info({ signal }, 'shutting down');
  stopHousekeeping();
  await app.close();
  await mailWorker.stop();
  await database.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
