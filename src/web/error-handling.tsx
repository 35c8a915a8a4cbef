import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { classifyError, errorCodes, type ErrorCode } from './errors.ts';
import { buildPageContext } from './page-context.ts';
import { sendPage } from './render.ts';
import { ErrorPage } from './components/error-page.tsx';

export function sendErrorPage(request: FastifyRequest, reply: FastifyReply, code: ErrorCode): FastifyReply {
  const { intake } = request.server.deps.config;
  const ctx = buildPageContext(request, reply);
  const values = { maxFiles: intake.maxFiles, maxMegabytes: Math.round(intake.maxFileBytes / (1024 * 1024)) };
  return sendPage(
    reply,
    <ErrorPage ctx={ctx} code={code} requestId={request.id} values={values} />,
    errorCodes[code].status,
  );
}

/** Unknown pages and every thrown error end in a page in the site's layout, in the page's language. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => sendErrorPage(request, reply, 'not_found'));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const code = classifyError(error);
    if (code === 'internal') {
      // The error object is ours or a library's, never request content; stack traces stay in the log.
      request.log.error({ err: error }, 'unhandled error');
    } else {
      request.log.info({ code }, 'request rejected');
    }
    if (reply.sent) return;
    return sendErrorPage(request, reply, code);
  });
}
