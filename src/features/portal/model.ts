/**
 * Portal pages as outlines: a title, a lead and sections of blocks, each naming message keys. One
 * renderer (views/prose.tsx) turns every outline into HTML, so the pages share one structure.
 */

export interface PageLink {
  path: string;
  /** Message key of the link text. */
  key: string;
}

export type Block =
  | { kind: 'paragraph'; key: string }
  /** A made-up situation, set apart from the surrounding text. */
  | { kind: 'example'; key: string }
  | { kind: 'list'; keys: readonly string[] }
  | { kind: 'steps'; keys: readonly string[] }
  | { kind: 'links'; links: readonly PageLink[] }
  /** The region's partner organisations, from the region config. */
  | { kind: 'partners' }
  /** Emergency and other useful numbers, from the region config. */
  | { kind: 'emergency' }
  /** A prominent button to the intake form. */
  | { kind: 'report'; key: string }
  /** "In danger now? Call 112." */
  | { kind: 'danger' };

export interface Section {
  heading: string;
  blocks: readonly Block[];
}

export interface Outline {
  /** Path without locale prefix. */
  path: string;
  title: string;
  lead: string;
  sections: readonly Section[];
}

export const reportBlock: Block = { kind: 'report', key: 'portal.cta.report' };
export const dangerBlock: Block = { kind: 'danger' };

export function paragraph(key: string): Block {
  return { kind: 'paragraph', key };
}

export function links(...pageLinks: PageLink[]): Block {
  return { kind: 'links', links: pageLinks };
}

/**
 * Shorthand for a page whose keys all live under one prefix: a string is a paragraph
 * (`<prefix>.<section>.<name>`), `{ list }` and `{ steps }` name their items the same way, and a Block
 * is taken as it is. Headings are `<prefix>.<section>.heading`, title and lead `<prefix>.title|lead`.
 */
export type BlockSpec = string | { list: readonly string[] } | { steps: readonly string[] } | Block;

export function outline(
  path: string,
  prefix: string,
  sections: Record<string, readonly BlockSpec[]>,
): Outline {
  return {
    path,
    title: `${prefix}.title`,
    lead: `${prefix}.lead`,
    sections: Object.entries(sections).map(([id, specs]) => {
      const key = (name: string) => `${prefix}.${id}.${name}`;
      return { heading: key('heading'), blocks: specs.map((spec) => toBlock(spec, key)) };
    }),
  };
}

function toBlock(spec: BlockSpec, key: (name: string) => string): Block {
  if (typeof spec === 'string') return paragraph(key(spec));
  if ('list' in spec) return { kind: 'list', keys: spec.list.map(key) };
  if ('steps' in spec) return { kind: 'steps', keys: spec.steps.map(key) };
  return spec;
}

/** Every message key an outline names (for tests and catalog checks). */
export function outlineKeys(page: Outline): string[] {
  const keys = [page.title, page.lead];
  for (const section of page.sections) {
    keys.push(section.heading);
    for (const block of section.blocks) {
      if ('key' in block) keys.push(block.key);
      if ('keys' in block) keys.push(...block.keys);
      if ('links' in block) keys.push(...block.links.map((link) => link.key));
    }
  }
  return keys;
}
