import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookieName, cookieOptions } from '../../web/cookies.ts';
import { STAFF_COOKIE, renewStaffSession, type SessionStage } from './session-service.ts';

/** The staff session cookie of a request, as sent (only its hash is ever stored). */
export const sessionCookie = (request: FastifyRequest) =>
  request.cookies[cookieName(request.server.deps.config, STAFF_COOKIE)];

/**
 * Replaces whatever session the browser had by a new one (a new id at every step up). Used by every
 * sign-in route, the passkey ones included.
 */
export async function startSession(
  request: FastifyRequest,
  reply: FastifyReply,
  userId: string,
  stage: SessionStage,
): Promise<void> {
  const { config, db } = request.server.deps;
  const id = await renewStaffSession(db, sessionCookie(request), userId, stage);
  reply.setCookie(cookieName(config, STAFF_COOKIE), id, cookieOptions(config));
}

export function endSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  const { config } = request.server.deps;
  reply.clearCookie(cookieName(config, STAFF_COOKIE), cookieOptions(config));
}
