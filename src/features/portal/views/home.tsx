import type { PageContext } from '../../../web/page-context.ts';
import { homeOutline } from '../content/info.ts';
import { audiencePath, audiences, exploitationForms, formPath } from '../data.ts';
import { ButtonLink, CardList, DangerCallout, sayer } from './components.tsx';
import { ProsePage } from './prose.tsx';

const audienceCards = audiences.map((audience) => ({ path: audiencePath(audience), key: audience.key }));
const formCards = exploitationForms.map((form) => ({ path: formPath(form), key: form.key }));

/** Who we are, the two ways in (report, or return with a code), 112, and where to read on. */
export function HomePage({ ctx }: { ctx: PageContext }) {
  const say = sayer(ctx);
  return (
    <ProsePage ctx={ctx} outline={homeOutline}>
      <p class="utrecht-paragraph baken-emphasis">{say('portal.home.everyone')}</p>
      <div class="baken-actions baken-actions--home">
        <ButtonLink href={ctx.href('/melden')} label={say('portal.cta.report')} />
        <ButtonLink href={ctx.href('/mijn-melding')} label={say('portal.cta.mailbox')} secondary />
      </div>
      <p class="utrecht-paragraph">{say('portal.home.anonymous')}</p>
      <DangerCallout ctx={ctx} say={say} />
      <section class="baken-section">
        <h2 class="utrecht-heading-2">{say('portal.home.audiences_heading')}</h2>
        <CardList ctx={ctx} say={say} cards={audienceCards} />
      </section>
      <section class="baken-section">
        <h2 class="utrecht-heading-2">{say('portal.home.forms_heading')}</h2>
        <p class="utrecht-paragraph">{say('portal.home.forms_intro')}</p>
        <CardList ctx={ctx} say={say} cards={formCards} />
      </section>
    </ProsePage>
  );
}
