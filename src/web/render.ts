import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';
import { buildPageContext, type PageContext } from './page-context.ts';

/** Sends a full HTML page. Preact escapes every interpolated value; there is no raw-HTML path. */
export function sendPage(reply: FastifyReply, page: VNode, status = 200): FastifyReply {
  return sendHtml(reply, `<!DOCTYPE html>${render(page)}`, status);
}

function sendHtml(reply: FastifyReply, html: string, status: number): FastifyReply {
  return reply.status(status).header('content-type', 'text/html; charset=utf-8').send(html);
}

/** Stands in for the CSP nonce in a cached page; never a valid nonce itself. */
const NONCE_MARKER = 'nonce-marker-replaced-per-response';

/**
 * For pages that are the same for every visitor of a path in a language (the information pages):
 * each is rendered once, and every response only swaps in its own CSP nonce.
 */
export function createStaticPageCache() {
  const pages = new Map<string, string>();
  return (
    request: FastifyRequest,
    reply: FastifyReply,
    renderPage: (ctx: PageContext) => VNode,
  ): FastifyReply => {
    const ctx = buildPageContext(request, reply);
    const key = `${ctx.locale}:${ctx.path}`;
    let html = pages.get(key);
    if (html === undefined) {
      html = `<!DOCTYPE html>${render(renderPage({ ...ctx, nonce: NONCE_MARKER }))}`;
      pages.set(key, html);
    }
    return sendHtml(reply, html.replaceAll(NONCE_MARKER, ctx.nonce), 200);
  };
}
