import type { ComponentChildren } from 'preact';
import { HeadingWithBackLink } from '../../../web/components/page-heading.tsx';
import type { PageContext } from '../../../web/page-context.ts';
import { StaffLayout } from '../../../web/components/staff-layout.tsx';
import { caseSectionPath, type CaseSection } from '../../case-sections/case-section.ts';

const sections: readonly CaseSection[] = ['overview', 'persons', 'indicators', 'tasks', 'edit'];

/** Links between the parts of one case; the current part is marked for screen readers too. */
export function CaseSectionsNav({
  ctx,
  caseId,
  current,
}: {
  ctx: PageContext;
  caseId: string;
  current: CaseSection;
}) {
  return (
    <nav class="baken-case-tabs" aria-label={ctx.t('case_sections.nav_label')} data-case-sections="">
      <ul class="baken-case-tabs__list">
        {sections.map((section) => (
          <li key={section}>
            <a
              class="utrecht-link baken-case-tabs__link"
              href={ctx.href(caseSectionPath(caseId, section))}
              aria-current={section === current ? 'page' : undefined}
              data-case-tab={section}
            >
              {ctx.t(`case_sections.${section}`)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * A page that belongs to one case: the back link to the case, a heading naming the case by its number
 * and the part shown, and the sections' navigation.
 */
export function CaseSectionLayout({
  ctx,
  caseId,
  caseNumber,
  section,
  subtitle,
  hasErrors = false,
  children,
}: {
  ctx: PageContext;
  caseId: string;
  caseNumber: string;
  section: CaseSection;
  /** For pages below a section (a form): replaces the section's name in the heading. */
  subtitle?: string;
  hasErrors?: boolean;
  children: ComponentChildren;
}) {
  const title = ctx.t('case_sections.heading', {
    number: caseNumber,
    section: subtitle ?? ctx.t(`case_sections.${section}`),
  });
  return (
    <StaffLayout ctx={ctx} title={title} hasErrors={hasErrors}>
      <HeadingWithBackLink
        ctx={ctx}
        back={caseSectionPath(caseId, 'overview')}
        backLabel={ctx.t('case_sections.back', { number: caseNumber })}
        title={title}
      />
      <CaseSectionsNav ctx={ctx} caseId={caseId} current={section} />
      {children}
    </StaffLayout>
  );
}
