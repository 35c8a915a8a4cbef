import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const Localised = Type.Object({ nl: Type.String(), en: Type.String() });

export const RegionSchema = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9-]+$' }),
  name: Type.String({ minLength: 1 }),
  organisation: Type.Object({ name: Type.String(), parent: Type.String() }),
  contact: Type.Object({
    phone: Type.String(),
    email: Type.String(),
    address: Type.Object({ street: Type.String(), postcode: Type.String(), city: Type.String() }),
    openingHours: Localised,
  }),
  emergency: Type.Object({
    police: Type.String(),
    policeNonUrgent: Type.String(),
    anonymousCrimeLine: Type.String(),
    vulnerablePersonsLine: Type.Optional(Type.String()),
  }),
  quickExitUrl: Type.String({ pattern: '^https://' }),
  municipalities: Type.Array(
    Type.Object({ code: Type.String({ pattern: '^GM[0-9]{4}$' }), name: Type.String() }),
    { minItems: 1 },
  ),
  partners: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String() })),
});

export type Region = Static<typeof RegionSchema>;

/** Reads `config/regions/<id>.json`; a new region is a new file, never a code change. */
export function loadRegion(regionId: string, configDir = join(process.cwd(), 'config', 'regions')): Region {
  if (!/^[a-z0-9-]+$/.test(regionId)) throw new Error(`Invalid REGION "${regionId}"`);
  const raw: unknown = JSON.parse(readFileSync(join(configDir, `${regionId}.json`), 'utf8'));
  if (!Value.Check(RegionSchema, raw)) {
    const first = Value.Errors(RegionSchema, raw).First();
    throw new Error(
      `Region file ${regionId}.json is invalid at ${first?.path ?? '?'}: ${first?.message ?? ''}`,
    );
  }
  return raw;
}
