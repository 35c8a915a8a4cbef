/**
 * PostgreSQL's `dutch` configuration (the Snowball stemmer) maps "uitbuiting" and "uitbuiten" to one
 * stem, but leaves past participles alone: "uitgebuit" stays "uitgebuit", "gewerkt" stays "gewerkt".
 * Case notes are full of participles ("is uitgebuit", "werd gedwongen"), so a search for
 * "uitbuiting" would miss them. Extra dictionaries would need files on the database server (not
 * possible on PGlite or a managed server), so the query is widened instead: each word of the query
 * also matches its regular participle (and a participle also matches the verb). The variants are
 * plain words; the database stems them like any other word, and `search-service.ts` ORs them into
 * the query with `ts_rewrite`, so quotes, OR and minus keep their meaning. Irregular verbs
 * ("gedwongen") are not covered.
 */

/** Separable verb prefixes: their participle puts "ge" after the prefix (uit-ge-buit). */
const SEPARABLE_PREFIXES = [
  'terug',
  'samen',
  'tegen',
  'onder',
  'binnen',
  'door',
  'over',
  'voor',
  'mee',
  'weg',
  'toe',
  'aan',
  'uit',
  'bij',
  'los',
  'op',
  'af',
  'in',
  'na',
  'om',
] as const;

/** Unstressed prefixes: verbs starting with them have no "ge" in the participle (verkopen → verkocht). */
const NO_GE_PREFIXES = ['be', 'ge', 'ver', 'ont', 'her', 'er'] as const;

/** Shorter stems are too often not verbs at all, and their variants would match unrelated words. */
const MIN_ROOT_LENGTH = 3;
/** Words longer than this are not Dutch verbs; no variants (keeps the query small). */
const MAX_WORD_LENGTH = 40;
/** At most this many words of one query are widened. */
export const MAX_WIDENED_WORDS = 8;

const separablePrefixOf = (word: string) =>
  SEPARABLE_PREFIXES.find(
    (prefix) => word.startsWith(prefix) && word.length - prefix.length >= MIN_ROOT_LENGTH,
  );

/** The verb's root: without the endings of a noun in -ing or an infinitive (uitbuiting → uitbuit). */
function rootOf(word: string): string {
  for (const ending of ['ingen', 'ing', 'en']) {
    if (word.endsWith(ending) && word.length - ending.length >= MIN_ROOT_LENGTH) {
      return word.slice(0, -ending.length);
    }
  }
  return word;
}

/** "ge" + root + t/d, or the root alone when it already ends in t or d (gebuit, gewerkt). */
function participlesOf(root: string): string[] {
  return /[td]$/.test(root) ? [`ge${root}`] : [`ge${root}t`, `ge${root}d`];
}

/** A participle back to its infinitive: uitgebuit → uitbuiten, gewerkt → werken. */
function infinitiveOfParticiple(word: string): string | undefined {
  const prefix = separablePrefixOf(word);
  if (prefix && word.startsWith('ge', prefix.length)) {
    const root = word.slice(prefix.length + 2);
    if (root.length >= MIN_ROOT_LENGTH) return `${prefix}${root}en`;
  }
  if (word.startsWith('ge') && word.length - 2 > MIN_ROOT_LENGTH) {
    const root = word.slice(2).replace(/[td]$/, '');
    if (root.length >= MIN_ROOT_LENGTH) return `${root}en`;
  }
  return undefined;
}

/** Other forms of one (lower-case) word to search for as well; empty when there are none. */
export function dutchWordVariants(word: string): string[] {
  if (word.length < MIN_ROOT_LENGTH + 2 || word.length > MAX_WORD_LENGTH || !/^\p{L}+$/u.test(word)) {
    return [];
  }
  const infinitive = infinitiveOfParticiple(word);
  if (infinitive) return [infinitive];
  // Only for words that look like an infinitive or a noun made from a verb (an ending came off).
  const root = rootOf(word);
  if (root === word) return [];
  const variants = new Set<string>();
  const prefix = separablePrefixOf(root);
  if (prefix) {
    for (const participle of participlesOf(root.slice(prefix.length))) {
      variants.add(`${prefix}${participle}`);
    }
  } else if (word.endsWith('en') && !NO_GE_PREFIXES.some((p) => root.startsWith(p))) {
    // Only infinitives: most nouns in -ing without a separable prefix ("orgaanverwijdering") are
    // not worth a guessed participle, and every extra term makes the query's estimate worse.
    for (const participle of participlesOf(root)) variants.add(participle);
  }
  variants.delete(word);
  return [...variants];
}

/** The words of a query worth widening, lower case, each once, in order of appearance. */
export function widenableWords(query: string): { word: string; variants: string[] }[] {
  const words = [...new Set(query.toLowerCase().match(/\p{L}+/gu) ?? [])];
  return words
    .map((word) => ({ word, variants: dutchWordVariants(word) }))
    .filter((entry) => entry.variants.length > 0)
    .slice(0, MAX_WIDENED_WORDS);
}
