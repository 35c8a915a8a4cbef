import { caseStatuses, closureReasons, urgencies } from '../../db/schema.ts';

/**
 * The codes a case is described with, as data (data-model.md, aligned with HTCDS v2.0). Codes are
 * stable: they end up in statistics and exports. Labels live in the message catalogs under
 * `cases.<list>.<code>`; the lists' order is the order forms show them in.
 */

export { caseStatuses, closureReasons, urgencies };

/** Forms of exploitation (the portal offers a subset of these to reporters). */
export const exploitationForms = [
  'sexual',
  'criminal',
  'labour',
  'organ',
  'forced_marriage',
  'surrogacy',
  'begging',
  'other',
  'unknown',
] as const;
export type ExploitationFormCode = (typeof exploitationForms)[number];

/** ISIC Rev. 4 sections, for the industry of labour exploitation. */
export const labourIndustries = [
  'A',
  'B',
  'C',
  'D',
  'E',
  'F',
  'G',
  'H',
  'I',
  'J',
  'K',
  'L',
  'M',
  'N',
  'O',
  'P',
  'Q',
  'R',
  'S',
  'T',
  'U',
] as const;

/** HTCDS control methods (17). */
export const controlMethods = [
  'debt_bondage',
  'withholding_earnings',
  'threats',
  'threat_of_law_enforcement',
  'psychological_abuse',
  'physical_abuse',
  'sexual_abuse',
  'false_promises',
  'psychoactive_substances',
  'restricting_movement',
  'restricting_medical_care',
  'excessive_working_hours',
  'using_children',
  'withholding_documents',
  'withholding_necessities',
  'threats_against_family',
  'other',
] as const;

/** HTCDS recruitment methods (10). */
export const recruitmentMethods = [
  'online_social_network',
  'online_advertisement',
  'family_member',
  'friend_or_acquaintance',
  'intimate_partner',
  'employment_agency',
  'offline_advertisement',
  'approached_in_person',
  'other',
  'unknown',
] as const;

export const isOneOf = <T extends string>(list: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (list as readonly string[]).includes(value);

/** Urgency as a number, for sorting the most urgent first. */
export const urgencyRank: Record<(typeof urgencies)[number], number> = {
  low: 0,
  normal: 1,
  high: 2,
  acute: 3,
};
