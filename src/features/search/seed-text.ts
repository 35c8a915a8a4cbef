/**
 * Word lists and sentence templates for synthetic, Dutch-language case data (`npm run seed`). Every
 * name here is invented; nothing describes a real person or event. The texts use the vocabulary
 * staff write in (forms of exploitation, signals, partners) so that full-text search and its
 * benchmark see realistic word frequencies: common words such as "uitbuiting" in many notes, rare
 * ones such as "orgaanverwijdering" in few.
 */

export type Random = () => number;

/** A small, fast, seedable generator (mulberry32), so a seed gives the same data every time. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: Random, items: readonly T[]): T => {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
};

/** An item by weight: [[item, weight], …]. */
export function weighted<T>(random: Random, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((sum, [, weight]) => sum + weight, 0);
  let left = random() * total;
  for (const [item, weight] of items) {
    left -= weight;
    if (left < 0) return item;
  }
  const last = items.at(-1);
  if (!last) throw new Error('weighted pick from an empty list');
  return last[0];
}

export const invent = {
  firstNames: [
    'Anouk',
    'Bram',
    'Daan',
    'Esmée',
    'Fenna',
    'Gijs',
    'Hanna',
    'Ilse',
    'Jorrit',
    'Kiki',
    'Lotte',
    'Marit',
    'Niels',
    'Olga',
    'Pim',
    'Rosa',
    'Sem',
    'Tess',
    'Vera',
    'Wout',
    'Yara',
    'Zoë',
    'Mihai',
    'Elena',
    'Ionut',
    'Agnieszka',
    'Tomasz',
    'Ama',
    'Kwame',
    'Linh',
    'Samira',
    'Yusuf',
  ],
  surnameStarts: [
    'Olde',
    'Brink',
    'Veld',
    'Kamp',
    'Mors',
    'Huis',
    'Eschen',
    'Lutter',
    'Dinkel',
    'Regge',
    'Twick',
  ],
  surnameEnds: ['horst', 'kamper', 'beek', 'broek', 'weg', 'hof', 'stede', 'meulen', 'vonder', 'schot'],
};

/** An invented name: a first name and a surname made of two Twents-sounding halves. */
export const inventedName = (random: Random) =>
  `${pick(random, invent.firstNames)} ${pick(random, invent.surnameStarts)}${pick(random, invent.surnameEnds)}`;

export const advisorNames = [
  'Anouk Brinkhorst',
  'Bram Veldkamper',
  'Esmée Olde Meulen',
  'Gijs Morsbeek',
  'Hanna Kampweg',
  'Jorrit Huisstede',
  'Lotte Eschenhof',
  'Marit Dinkelbroek',
  'Niels Reggevonder',
  'Rosa Twickschot',
  'Sem Lutterhorst',
  'Vera Brinkbeek',
];
export const coordinatorNames = ['Fenna Olde Kamper', 'Wout Veldmeulen'];
export const teamNames = ['Team Noord', 'Team Midden', 'Team Zuid'];

/** Per form of exploitation: how a case title starts, and sentences notes and reports are made of. */
export const formTexts: Record<string, { title: string[]; sentences: string[] }> = {
  labour: {
    title: [
      'Arbeidsuitbuiting in de {sector}',
      'Signalen arbeidsuitbuiting {sector}',
      'Arbeidsmigranten {sector}',
    ],
    sentences: [
      'Cliënt werkt {uren} uur per dag in de {sector} en krijgt minder dan het minimumloon.',
      'Het paspoort is ingenomen door de werkgever; cliënt mag het niet terug hebben.',
      'Hij zegt dat hij is uitgebuit en een schuld heeft bij het uitzendbureau voor reis en huur.',
      'Zeven arbeidsmigranten slapen in één kamer boven de {sector}, de huur wordt ingehouden op het loon.',
      'De Arbeidsinspectie heeft een controle gedaan bij het bedrijf; de uitkomst volgt.',
      'Cliënt durft geen melding te doen uit angst ontslagen en uitgezet te worden.',
      'Er is sprake van uitbuiting: geen vrije dagen, loon contant en te laat betaald.',
    ],
  },
  sexual: {
    title: [
      'Mogelijke seksuele uitbuiting',
      'Signalen loverboyproblematiek',
      'Seksuele uitbuiting via advertenties',
    ],
    sentences: [
      'Cliënte moet een groot deel van de verdiensten afdragen aan haar vriend.',
      'Er zijn advertenties gevonden op een sekssite met haar telefoonnummer.',
      'Zij heeft een dagquotum en wordt constant gebeld en gecontroleerd.',
      'De zorgcoördinator zoekt een veilige opvangplek buiten de regio.',
      'Zij vertelt dat zij is uitgebuit door een man die zij online leerde kennen.',
      'Er zijn signalen van uitbuiting: dure kleding, plotseling geld en een oudere vriend.',
    ],
  },
  criminal: {
    title: ['Criminele uitbuiting jongere', 'Signalen drugsrunner', 'Jongere ingezet als geldezel'],
    sentences: [
      'De jongere spijbelt vaak en heeft meerdere telefoons bij zich.',
      'Hij wordt met een scooter opgehaald en komt midden in de nacht thuis.',
      'Zijn bankpas wordt door anderen gebruikt om geld door te sluizen.',
      'School meldt een plotselinge daling van de cijfers en nieuwe, oudere contacten.',
      'Moeder maakt zich zorgen dat haar zoon wordt uitgebuit door een groep uit de wijk.',
      'Wijkagent en jongerenwerk zijn betrokken bij het plan tegen verdere uitbuiting.',
    ],
  },
  forced_marriage: {
    title: ['Dreigend gedwongen huwelijk', 'Signalen huwelijksdwang'],
    sentences: [
      'Zij vreest dat zij in de zomer wordt uitgehuwelijkt in het land van herkomst.',
      'Veilig Thuis is ingeschakeld en denkt mee over een veiligheidsplan.',
    ],
  },
  begging: {
    title: ['Gedwongen bedelen', 'Signalen bedelarij onder dwang'],
    sentences: [
      'Een groep volwassenen wordt elke ochtend afgezet bij het station om te bedelen.',
      'Zij moeten de opbrengst afgeven aan een man die hen in een busje vervoert.',
    ],
  },
  organ: {
    title: ['Vermoeden gedwongen orgaanverwijdering'],
    sentences: ['Er zijn aanwijzingen voor gedwongen orgaanverwijdering in het buitenland.'],
  },
  other: {
    title: ['Onduidelijke situatie van uitbuiting', 'Signalen andere vorm van uitbuiting'],
    sentences: ['De situatie is nog onduidelijk; er zijn wel signalen van dwang en afhankelijkheid.'],
  },
  unknown: {
    title: ['Melding zonder duidelijke vorm', 'Zorgen om mogelijke uitbuiting'],
    sentences: ['Het is nog niet duidelijk of er sprake is van mensenhandel.'],
  },
};

export const sectors = [
  'kassen',
  'vleesverwerking',
  'distributiecentrum',
  'bouw',
  'schoonmaak',
  'nagelsalon',
  'horeca',
  'landbouw',
  'transport',
  'autowasserette',
];

export const partners = [
  'de politie (AVIM)',
  'het Openbaar Ministerie',
  'de Arbeidsinspectie',
  'Veilig Thuis',
  'de GGD',
  'de zorgcoördinator mensenhandel',
  'FairWork',
  'CoMensha',
  'het RIEC',
  'de gemeente',
  'de Marechaussee',
];

/** Sentences any note may have, whatever the form. */
export const generalSentences = [
  'Gesprek gehad met {partner} over de volgende stappen.',
  'Casusoverleg gepland met {partner} en de zorgcoördinator.',
  'Terugkoppeling ontvangen van {partner}; zij pakken het signaal op.',
  'Cliënt wil voorlopig geen aangifte doen maar wel hulp bij huisvesting.',
  'Afspraak gemaakt voor een gesprek met tolk volgende week.',
  'Bedenktijd (B8) aangevraagd; cliënt verblijft in de opvang.',
  'Signalen besproken met de wijkagent; er volgt een huisbezoek.',
  'Contact met cliënt is lastig: telefoon staat vaak uit.',
  'De zorgcoördinator regelt een uitkering en een zorgverzekering.',
  'Barrièremodel besproken: de gemeente kijkt naar de huisvesting van het pand.',
  'Geen nieuwe informatie; we houden de situatie in de gaten.',
  'Cliënt is overgedragen aan {partner} met toestemming van cliënt.',
];

export const reportOpenings = [
  'Ik maak me zorgen om mijn buurman.',
  'Ik werk in de zorg en zie iets wat niet klopt.',
  'Dit gaat over een meisje uit onze klas.',
  'Ik ben zelf in deze situatie terechtgekomen en weet niet wat ik moet doen.',
  'Een collega vertelde mij iets waar ik van schrok.',
  'In ons straat woont een groep mannen in één huis.',
];

export const taskTitles = [
  'Terugbellen naar {partner}',
  'Casusoverleg voorbereiden',
  'Opvang regelen met de zorgcoördinator',
  'Verslag gesprek uitwerken',
  'Toestemming voor CoMensha-melding vragen',
  'Huisbezoek plannen met de wijkagent',
];

/** Fills {sector}, {partner} and {uren} in a template. */
export function fill(random: Random, template: string): string {
  return template
    .replaceAll('{sector}', () => pick(random, sectors))
    .replaceAll('{partner}', () => pick(random, partners))
    .replaceAll('{uren}', () => String(10 + Math.floor(random() * 7)));
}

/** `count` sentences from the form's list and the general list, as one text. */
export function paragraph(random: Random, form: string, count: number): string {
  const own = formTexts[form]?.sentences ?? [];
  const sentences: string[] = [];
  for (let i = 0; i < count; i++) {
    const list = own.length > 0 && random() < 0.55 ? own : generalSentences;
    sentences.push(fill(random, pick(random, list)));
  }
  return sentences.join(' ');
}
