import type { PageContext } from '../../../web/page-context.ts';
import type { PageLink } from '../model.ts';

/** Translates a key with the region's facts available to every portal message as placeholders. */
export type Say = (key: string) => string;

export function sayer(ctx: PageContext): Say {
  const { region } = ctx;
  const values = {
    region: region.name,
    organisation: region.organisation.name,
    parent: region.organisation.parent,
    count: region.municipalities.length,
    phone: region.contact.phone,
    email: region.contact.email,
    police: region.emergency.police,
    policeNonUrgent: region.emergency.policeNonUrgent,
    crimeLine: region.emergency.anonymousCrimeLine,
    quickExit: ctx.t('common.quick_exit.label'),
  };
  return (key) => ctx.t(key, values);
}

export function telHref(number: string): string {
  return `tel:${number.replace(/[^0-9+]/g, '')}`;
}

const linkClass = 'utrecht-link utrecht-link--html-a';

export function TelLink({ number, children }: { number: string; children?: string }) {
  return (
    <a class={`${linkClass} utrecht-link--telephone`} href={telHref(number)}>
      {children ?? number}
    </a>
  );
}

export function MailLink({ address }: { address: string }) {
  return (
    <a class={linkClass} href={`mailto:${address}`}>
      {address}
    </a>
  );
}

export function TextList({
  items,
  ordered = false,
  lang,
}: {
  items: readonly string[];
  ordered?: boolean;
  lang?: string | undefined;
}) {
  const Tag = ordered ? 'ol' : 'ul';
  const base = ordered ? 'utrecht-ordered-list' : 'utrecht-unordered-list';
  return (
    <Tag class={base} lang={lang}>
      {items.map((item) => (
        <li key={item} class={`${base}__item`}>
          {item}
        </li>
      ))}
    </Tag>
  );
}

export function LinkList({ ctx, say, links }: { ctx: PageContext; say: Say; links: readonly PageLink[] }) {
  return (
    <ul class="utrecht-link-list utrecht-link-list--html-ul baken-link-list">
      {links.map((link) => (
        <li key={link.path} class="utrecht-link-list__item">
          <a class={`utrecht-link-list__link ${linkClass}`} href={ctx.href(link.path)}>
            {say(link.key)}
          </a>
        </li>
      ))}
    </ul>
  );
}

export function ButtonLink({
  href,
  label,
  secondary = false,
}: {
  href: string;
  label: string;
  secondary?: boolean;
}) {
  const appearance = secondary ? 'secondary-action' : 'primary-action';
  return (
    <a
      class={`utrecht-button-link utrecht-button-link--html-a utrecht-button-link--${appearance}`}
      href={href}
    >
      {label}
    </a>
  );
}

/** The one call-out that is never left out when someone may be at risk. */
export function DangerCallout({ ctx, say }: { ctx: PageContext; say: Say }) {
  return (
    <div class="baken-danger">
      <p class="utrecht-paragraph baken-danger__title">{say('portal.danger.title')}</p>
      <p class="utrecht-paragraph">
        <TelLink number={ctx.region.emergency.police}>{say('portal.danger.call')}</TelLink>
      </p>
    </div>
  );
}

export function EmergencyNumbers({ ctx, say }: { ctx: PageContext; say: Say }) {
  const { emergency } = ctx.region;
  const numbers: [string, string | undefined][] = [
    ['portal.emergency.police', emergency.police],
    ['portal.emergency.police_non_urgent', emergency.policeNonUrgent],
    ['portal.emergency.crime_line', emergency.anonymousCrimeLine],
    ['portal.emergency.vulnerable', emergency.vulnerablePersonsLine],
  ];
  return (
    <ul class="utrecht-unordered-list">
      {numbers.map(([label, number]) =>
        number ? (
          <li key={label} class="utrecht-unordered-list__item">
            {say(label)} <TelLink number={number} />
          </li>
        ) : null,
      )}
    </ul>
  );
}

/** Partner names are proper names in the region's language (Dutch), so marked as such on English pages. */
export function PartnerList({ ctx }: { ctx: PageContext }) {
  return (
    <TextList
      items={ctx.region.partners.map((partner) => partner.name)}
      lang={ctx.locale === 'nl' ? undefined : 'nl'}
    />
  );
}

/** Link blocks: the whole card is clickable, the link text is the card's heading. */
export function CardList({ ctx, say, cards }: { ctx: PageContext; say: Say; cards: readonly Card[] }) {
  return (
    <ul class="baken-cards">
      {cards.map((card) => (
        <li key={card.path} class="baken-card">
          <h3 class="utrecht-heading-3 baken-card__title">
            <a class={`${linkClass} baken-card__link`} href={ctx.href(card.path)}>
              {say(`${card.key}.title`)}
            </a>
          </h3>
          <p class="utrecht-paragraph baken-card__text">{say(`${card.key}.summary`)}</p>
        </li>
      ))}
    </ul>
  );
}

export interface Card {
  path: string;
  /** Message-key prefix with `.title` and `.summary`. */
  key: string;
}
