import { runBackupCli } from './cli.ts';

/** `npm run backup [-- --out FILE]`: see cli.ts and the README, Backup and restore. */
process.exitCode = await runBackupCli(process.argv.slice(2));
