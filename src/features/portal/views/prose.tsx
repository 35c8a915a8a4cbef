import type { ComponentChildren } from 'preact';
import { PublicLayout } from '../../../web/components/layout.tsx';
import type { PageContext } from '../../../web/page-context.ts';
import type { Block, Outline } from '../model.ts';
import {
  ButtonLink,
  DangerCallout,
  EmergencyNumbers,
  LinkList,
  PartnerList,
  sayer,
  TextList,
  type Say,
} from './components.tsx';

/**
 * Renders an outline: one h1, a lead, then `children` (page-specific parts), then one h2 section per
 * outline section.
 */
export function ProsePage({
  ctx,
  outline,
  children,
}: {
  ctx: PageContext;
  outline: Outline;
  children?: ComponentChildren;
}) {
  const say = sayer(ctx);
  const title = say(outline.title);
  return (
    <PublicLayout ctx={ctx} title={title}>
      <h1 class="utrecht-heading-1">{title}</h1>
      <p class="utrecht-paragraph utrecht-paragraph--lead">{say(outline.lead)}</p>
      {children}
      {outline.sections.map((section) => (
        <section key={section.heading} class="baken-section">
          <h2 class="utrecht-heading-2">{say(section.heading)}</h2>
          {section.blocks.map((block, index) => (
            <BlockView key={index} ctx={ctx} say={say} block={block} />
          ))}
        </section>
      ))}
    </PublicLayout>
  );
}

function BlockView({ ctx, say, block }: { ctx: PageContext; say: Say; block: Block }) {
  switch (block.kind) {
    case 'paragraph':
      return <p class="utrecht-paragraph">{say(block.key)}</p>;
    case 'example':
      return <p class="utrecht-paragraph baken-example">{say(block.key)}</p>;
    case 'list':
      return <TextList items={block.keys.map(say)} />;
    case 'steps':
      return <TextList items={block.keys.map(say)} ordered />;
    case 'links':
      return <LinkList ctx={ctx} say={say} links={block.links} />;
    case 'partners':
      return <PartnerList ctx={ctx} />;
    case 'emergency':
      return <EmergencyNumbers ctx={ctx} say={say} />;
    case 'report':
      return (
        <p class="utrecht-paragraph baken-actions">
          <ButtonLink href={ctx.href('/melden')} label={say(block.key)} />
        </p>
      );
    case 'danger':
      return <DangerCallout ctx={ctx} say={say} />;
  }
}
