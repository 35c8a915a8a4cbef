import type { ComponentChildren } from 'preact';
import type { PageContext } from '../../../web/page-context.ts';
import { contactOutline } from '../content/info.ts';
import { DangerCallout, MailLink, sayer, TelLink } from './components.tsx';
import { ProsePage } from './prose.tsx';

/** Contact details from the region config, then the anonymous form, emergency numbers, what happens next. */
export function ContactPage({ ctx }: { ctx: PageContext }) {
  const say = sayer(ctx);
  const { organisation, contact } = ctx.region;
  const details: [string, ComponentChildren][] = [
    [
      'portal.contact.details.organisation',
      <>
        {organisation.name}
        <br />
        {say('portal.contact.details.part_of')}
      </>,
    ],
    ['portal.contact.details.phone', <TelLink number={contact.phone} />],
    ['portal.contact.details.email', <MailLink address={contact.email} />],
    [
      'portal.contact.details.address',
      <>
        {contact.address.street}
        <br />
        {contact.address.postcode} {contact.address.city}
      </>,
    ],
    ['portal.contact.details.hours', contact.openingHours[ctx.locale]],
  ];
  return (
    <ProsePage ctx={ctx} outline={contactOutline}>
      <DangerCallout ctx={ctx} say={say} />
      <section class="baken-section">
        <h2 class="utrecht-heading-2">{say('portal.contact.details.heading')}</h2>
        <dl class="baken-details">
          {details.map(([label, value]) => (
            <div key={label} class="baken-details__row">
              <dt class="baken-details__term">{say(label)}</dt>
              <dd class="baken-details__value">{value}</dd>
            </div>
          ))}
        </dl>
      </section>
    </ProsePage>
  );
}
