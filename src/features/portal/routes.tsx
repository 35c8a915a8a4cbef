import type { FastifyInstance } from 'fastify';
import type { VNode } from 'preact';
import type { PageContext } from '../../web/page-context.ts';
import { createStaticPageCache } from '../../web/render.ts';
import { bothLocales } from '../../web/routing.ts';
import { audienceOutlines } from './content/audiences.ts';
import { exploitationOutlines } from './content/exploitation.ts';
import { contactOutline, homeOutline, infoOutlines } from './content/info.ts';
import type { Outline } from './model.ts';
import { ContactPage } from './views/contact.tsx';
import { HomePage } from './views/home.tsx';
import { ProsePage } from './views/prose.tsx';

export interface PortalPage {
  /** Path without locale prefix; the page also answers under `/en`. */
  path: string;
  /** Message key of the page title (and its h1). */
  title: string;
  render: (ctx: PageContext) => VNode;
}

function prosePage(outline: Outline): PortalPage {
  return {
    path: outline.path,
    title: outline.title,
    render: (ctx) => <ProsePage ctx={ctx} outline={outline} />,
  };
}

/** Every public information page, in Dutch at the root and in English under `/en`. */
export const portalPages: readonly PortalPage[] = [
  { path: homeOutline.path, title: homeOutline.title, render: (ctx) => <HomePage ctx={ctx} /> },
  { path: contactOutline.path, title: contactOutline.title, render: (ctx) => <ContactPage ctx={ctx} /> },
  ...[...infoOutlines, ...exploitationOutlines, ...audienceOutlines].map(prosePage),
];

export function registerPortalRoutes(app: FastifyInstance): void {
  const sendStaticPage = createStaticPageCache();
  for (const page of portalPages) {
    for (const path of bothLocales(page.path)) {
      app.get(path, (request, reply) => sendStaticPage(request, reply, page.render));
    }
  }
}
