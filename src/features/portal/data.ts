/**
 * What the portal says about the forms of exploitation and the people it speaks to. Pages are generated
 * from these lists; the words themselves live in the message catalogs under the given keys.
 */

/** Signals anyone can notice, whatever the form; shown to family, neighbours and friends. */
export const generalSignals: readonly string[] = [
  'hands_over_money',
  'long_days',
  'low_pay',
  'no_documents',
  'false_promises',
  'threatened',
  'debt',
  'no_bank_access',
  'lives_at_work',
  'unknown_address',
  'watched',
  'no_medical_help',
  'fear_of_deportation',
  'dangerous_work',
];

/** Message key of a signal in plain words, written after the domain's indicator lists. */
export function signalKey(id: string): string {
  return `portal.signal.${id}`;
}

/** Taxonomy codes as used everywhere in Baken (except `unknown`, which has no page). */
export type ExploitationCode = 'sexual' | 'criminal' | 'labour' | 'organ' | 'other';

export interface ExploitationForm {
  code: ExploitationCode;
  /** URL segment under `/vormen/`. */
  slug: string;
  /** Message-key prefix: `.title`, `.summary`, `.lead`, `.what`, `.example` (and `.note` if `hasNote`). */
  key: string;
  /** Signal ids, see `signalKey`; the labour list follows the 11 ILO forced-labour indicators. */
  signals: readonly string[];
  hasNote?: boolean;
}

export const exploitationForms: readonly ExploitationForm[] = [
  {
    code: 'sexual',
    slug: 'seksuele-uitbuiting',
    key: 'portal.forms.sexual',
    signals: [
      'forced_sex',
      'hands_over_money',
      'daily_target',
      'controlling_partner',
      'appearance_change',
      'sudden_money',
      'phone_ringing',
      'exhausted',
      'injuries',
      'self_harm',
      'marked',
      'low_self_esteem',
      'marriage_then_sex_work',
      'no_documents',
    ],
  },
  {
    code: 'criminal',
    slug: 'criminele-uitbuiting',
    key: 'portal.forms.criminal',
    signals: [
      'truancy',
      'several_phones',
      'sudden_money',
      'drugs_or_weapons',
      'picked_up',
      'night_rhythm',
      'far_from_home',
      'runs_away',
      'older_contacts',
      'accounts_used',
      'debt',
      'threatened',
    ],
  },
  {
    code: 'labour',
    slug: 'arbeidsuitbuiting',
    key: 'portal.forms.labour',
    hasNote: true,
    signals: [
      'abused_dependence',
      'deceived',
      'movement_restricted',
      'isolated',
      'violence',
      'intimidated',
      'no_documents',
      'wages_withheld',
      'debt',
      'bad_conditions',
      'long_days',
    ],
  },
  {
    code: 'organ',
    slug: 'orgaanverwijdering',
    key: 'portal.forms.organ',
    signals: ['organ_pressure', 'organ_trip', 'false_promises', 'debt', 'threatened', 'no_medical_help'],
  },
  {
    code: 'other',
    slug: 'andere-vormen',
    key: 'portal.forms.other',
    signals: [
      'forced_marriage',
      'forced_surrogacy',
      'begging',
      'hands_over_money',
      'watched',
      'threatened',
      'no_documents',
    ],
  },
];

/** Every signal any page shows. */
export const signalIds: readonly string[] = [
  ...new Set([...generalSignals, ...exploitationForms.flatMap((form) => form.signals)]),
];

export function formPath(form: ExploitationForm): string {
  return `/vormen/${form.slug}`;
}

export type AudienceId = 'victims' | 'environment' | 'professionals' | 'perpetrators';

export interface Audience {
  id: AudienceId;
  /** URL segment under `/voor/`. */
  slug: string;
  /** Message-key prefix: `.title`, `.summary`, `.lead` and the page's sections. */
  key: string;
}

export const audiences: readonly Audience[] = [
  { id: 'victims', slug: 'slachtoffers', key: 'portal.victims' },
  { id: 'environment', slug: 'omgeving', key: 'portal.environment' },
  { id: 'professionals', slug: 'professionals', key: 'portal.professionals' },
  { id: 'perpetrators', slug: 'daders', key: 'portal.perpetrators' },
];

export function audiencePath(audience: Audience): string {
  return `/voor/${audience.slug}`;
}
