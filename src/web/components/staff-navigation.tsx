import type { PageContext } from '../page-context.ts';
import { can, type Permission } from '../policy.ts';

/**
 * The back office's main navigation: each entry shows only for a role that may open it, so nobody is
 * offered a page that answers 403. Entries are data; their labels live in the catalog.
 */
const staffNavigation: readonly { path: string; label: string; permission: Permission }[] = [
  { path: '/beheer', label: 'staff.nav.home', permission: 'staff.home' },
  { path: '/beheer/meldingen', label: 'staff.nav.inbox', permission: 'reports.read' },
  { path: '/beheer/casussen', label: 'staff.nav.cases', permission: 'cases.read.assigned' },
  { path: '/beheer/taken', label: 'staff.nav.tasks', permission: 'cases.read.assigned' },
  { path: '/beheer/zoeken', label: 'staff.nav.search', permission: 'cases.search' },
  { path: '/beheer/gebruikers', label: 'staff.nav.users', permission: 'users.manage' },
  { path: '/beheer/audit', label: 'staff.nav.audit', permission: 'audit.search' },
  { path: '/beheer/bewaartermijnen', label: 'retention.nav', permission: 'retention.view' },
];

/** The longest navigation path that the current page lies under is the current entry. */
function currentEntry(path: string): string | undefined {
  return staffNavigation
    .map((item) => item.path)
    .filter((p) => path === p || path.startsWith(`${p}/`))
    .sort((a, b) => b.length - a.length)[0];
}

export function StaffNavigation({ ctx }: { ctx: PageContext }) {
  const role = ctx.staffRole;
  if (!role) return null;
  const current = currentEntry(ctx.path);
  return (
    <nav class="baken-nav" aria-label={ctx.t('staff.nav.label')}>
      <ul class="baken-nav__list">
        {staffNavigation
          .filter((item) => can(role, item.permission))
          .map((item) => (
            <li key={item.path}>
              <a
                class="baken-nav__link"
                href={ctx.href(item.path)}
                aria-current={item.path === current ? 'page' : undefined}
              >
                {ctx.t(item.label)}
              </a>
            </li>
          ))}
      </ul>
    </nav>
  );
}
