import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Database } from '../../db/database.ts';

/**
 * Indicator lists are data: one JSON file per list version in `config/indicators/`, copied into
 * `indicator_definition` at start. A published version never changes (assessments point at it), so
 * a changed label, form or order for an existing version/code stops the start; a new list is a new
 * file with a new version.
 */
export const indicatorsDir = join(import.meta.dirname, '..', '..', '..', 'config', 'indicators');

/** 'general' first, then the exploitation forms that have their own list. */
export const indicatorForms = ['general', 'criminal', 'sexual', 'labour'] as const;
export type IndicatorForm = (typeof indicatorForms)[number];

const Entry = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z][a-z0-9]*(_[a-z0-9]+)*$', maxLength: 60 }),
    nl: Type.String({ minLength: 1, maxLength: 300 }),
    en: Type.String({ minLength: 1, maxLength: 300 }),
  },
  { additionalProperties: false },
);

const ListFile = Type.Object(
  {
    list_version: Type.String({ pattern: '^[0-9]{4}-[0-9]+$' }),
    forms: Type.Object(
      {
        general: Type.Optional(Type.Array(Entry)),
        criminal: Type.Optional(Type.Array(Entry)),
        sexual: Type.Optional(Type.Array(Entry)),
        labour: Type.Optional(Type.Array(Entry)),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
type ListFile = Static<typeof ListFile>;

export interface IndicatorDefinition {
  listVersion: string;
  code: string;
  form: IndicatorForm;
  position: number;
  labelNl: string;
  labelEn: string;
}

/** Orders list versions like '2026-1' < '2026-2' < '2026-10' < '2027-1'. */
export const compareListVersions = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

function definitionsOf(file: ListFile, source: string): IndicatorDefinition[] {
  const definitions = indicatorForms.flatMap((form) =>
    (file.forms[form] ?? []).map((entry, index) => ({
      listVersion: file.list_version,
      code: entry.code,
      form,
      position: index + 1,
      labelNl: entry.nl,
      labelEn: entry.en,
    })),
  );
  const seen = new Set<string>();
  for (const { code } of definitions) {
    if (seen.has(code)) throw new Error(`${source}: indicator code "${code}" appears twice`);
    seen.add(code);
  }
  return definitions;
}

/** Every list version in the folder, checked; the file name must be the version it holds. */
export function loadIndicatorLists(dir = indicatorsDir): IndicatorDefinition[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();
  return files.flatMap((name) => {
    const raw: unknown = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    if (!Value.Check(ListFile, raw)) {
      const first = Value.Errors(ListFile, raw).First();
      throw new Error(`config/indicators/${name}: ${first?.path ?? ''} ${first?.message ?? 'is invalid'}`);
    }
    if (`${raw.list_version}.json` !== name) {
      throw new Error(`config/indicators/${name}: holds list version "${raw.list_version}"`);
    }
    return definitionsOf(raw, `config/indicators/${name}`);
  });
}

const sameDefinition = (
  a: IndicatorDefinition,
  row: { form: string; position: number; label_nl: string; label_en: string },
) =>
  a.form === row.form &&
  a.position === row.position &&
  a.labelNl === row.label_nl &&
  a.labelEn === row.label_en;

/**
 * Copies the lists into the database: new versions and codes are inserted (a second process doing
 * the same at the same moment inserts nothing), existing rows must be identical. Returns how many
 * rows were new.
 */
export async function syncIndicatorDefinitions(
  db: Database,
  definitions: IndicatorDefinition[],
): Promise<number> {
  if (definitions.length === 0) return 0;
  const inserted = await db
    .insertInto('indicator_definition')
    .values(
      definitions.map((d) => ({
        list_version: d.listVersion,
        code: d.code,
        form: d.form,
        position: d.position,
        label_nl: d.labelNl,
        label_en: d.labelEn,
      })),
    )
    .onConflict((conflict) => conflict.columns(['list_version', 'code']).doNothing())
    .returning('code')
    .execute();
  const versions = [...new Set(definitions.map((d) => d.listVersion))];
  const stored = await db
    .selectFrom('indicator_definition')
    .selectAll()
    .where('list_version', 'in', versions)
    .execute();
  const problems: string[] = [];
  for (const definition of definitions) {
    const row = stored.find((r) => r.list_version === definition.listVersion && r.code === definition.code);
    if (!row || !sameDefinition(definition, row))
      problems.push(`${definition.listVersion}/${definition.code}`);
  }
  for (const row of stored) {
    if (!definitions.some((d) => d.listVersion === row.list_version && d.code === row.code)) {
      problems.push(`${row.list_version}/${row.code} (removed from its file)`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `Indicator list versions are immutable, but these differ from the database: ${problems.join(', ')}. ` +
        'Publish a changed list as a new file with a new list_version.',
    );
  }
  return inserted.length;
}
