import { runRestoreCli } from './cli.ts';

/** `npm run restore FILE`: see cli.ts and the README, Backup and restore. */
process.exitCode = await runRestoreCli(process.argv.slice(2));
