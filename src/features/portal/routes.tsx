import type { FastifyInstance } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { HomePage } from './views.tsx';

export function registerPortalRoutes(app: FastifyInstance): void {
  for (const path of bothLocales('/')) {
    app.get(path, (request, reply) => sendPage(reply, <HomePage ctx={buildPageContext(request, reply)} />));
  }
}
