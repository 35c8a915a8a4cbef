/**
 * Finding a person's name (or alias) in free text: case-insensitive, whatever whitespace separates
 * its parts, and only as whole words, so that erasing "Ana" leaves "Anastasia" and "banaan" alone.
 */

/** Shorter names would match ordinary words ("a", "ik"); such a name is not searched for. */
export const MIN_SEARCHABLE_NAME = 2;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A global pattern for the name, or undefined when it is too short to search for safely. */
export function namePattern(name: string | null): RegExp | undefined {
  const parts = (name ?? '').trim().split(/\s+/u).filter(Boolean);
  if (parts.join(' ').length < MIN_SEARCHABLE_NAME) return undefined;
  const body = parts.map(escapeRegExp).join('\\s+');
  return new RegExp(`(?<![\\p{L}\\p{N}\\p{M}])${body}(?![\\p{L}\\p{N}\\p{M}])`, 'giu');
}

export function mentions(text: string | null, pattern: RegExp | undefined): boolean {
  if (!text || !pattern) return false;
  pattern.lastIndex = 0;
  const found = pattern.test(text);
  pattern.lastIndex = 0;
  return found;
}

/** The text with every mention replaced, and how many there were. */
export function replaceMentions(
  text: string,
  pattern: RegExp,
  placeholder: string,
): { text: string; count: number } {
  let count = 0;
  const replaced = text.replace(pattern, () => {
    count += 1;
    return placeholder;
  });
  return { text: replaced, count };
}
