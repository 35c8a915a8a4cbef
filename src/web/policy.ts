import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { sendErrorPage } from './error-handling.tsx';
import { cookieName, cookieOptions } from './cookies.ts';
import { localeFromPath, localisedPath } from './routing.ts';
import { STAFF_COOKIE, resumeStaffSession, type SessionStage } from '../features/auth/session-service.ts';

/**
 * The one policy module: who may do what in the back office. Roles and permissions are data; every
 * staff route declares what it needs (`config: { permission }`, or `config: { access }` for the few
 * pages that come before one is signed in), and `registerPolicy` refuses to start the app when a
 * route under /beheer declares neither. Handlers and queries ask `can()` and never compare roles.
 */
export const roles = ['admin', 'coordinator', 'advisor', 'partner', 'statistics'] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  /** The back office's home page and one's own sessions ("log out everywhere"). */
  'staff.home',
  'staff.sessions.own',
  /** One's own account: one's passkeys. */
  'staff.account.own',
  /** Accounts, roles and configuration (administrators; never case content). */
  'users.manage',
  'config.manage',
  /** Cases: all of them, the ones assigned to one, the ones of one's team. */
  'cases.read.all',
  'cases.read.assigned',
  'cases.read.team',
  /** Opening any other case with a stated reason, which is audited ("break the glass"). */
  'cases.break_glass',
  /** Making a case from a report, or adding a report to a case. */
  'cases.create',
  /** Changing a case one may open: details, persons, indicators, notes, tasks, status, replies. */
  'cases.edit',
  /** Asking for closure (an advisor) and approving it (a coordinator). */
  'cases.close.request',
  'cases.assign',
  'cases.close.approve',
  /** Full-text search over the cases one may open and over reports. */
  'cases.search',
  /** The coordinator's overview of break-the-glass openings. */
  'cases.access.review',
  /** Reports from the public portal: the inbox and a report with its contact data (audited), replying. */
  'reports.read',
  'reports.reply',
  'audit.search',
  /** Pausing deletion of a case under the retention rules, with a reason (a coordinator). */
  'cases.legal_hold',
  /** Data subject rights for one person in a case: export of all held about them, and erasure. */
  'persons.subject_rights',
  /** The retention rules in force and the deletion runs (counts only, never content). */
  'retention.view',
] as const;
export type Permission = (typeof permissions)[number];

/** What each role may do. Partner and statistics roles come in later issues and get nothing yet. */
export const grants: Readonly<Record<Role, readonly Permission[]>> = {
  admin: [
    'staff.home',
    'staff.sessions.own',
    'staff.account.own',
    'users.manage',
    'config.manage',
    'audit.search',
    'retention.view',
  ],
  coordinator: [
    'staff.home',
    'staff.sessions.own',
    'staff.account.own',
    'cases.read.all',
    'cases.read.assigned',
    'cases.read.team',
    'cases.create',
    'cases.edit',
    'cases.close.request',
    'cases.assign',
    'cases.close.approve',
    'cases.search',
    'cases.access.review',
    'cases.legal_hold',
    'persons.subject_rights',
    'retention.view',
    'reports.read',
    'reports.reply',
  ],
  advisor: [
    'staff.home',
    'staff.sessions.own',
    'staff.account.own',
    'cases.read.assigned',
    'cases.read.team',
    'cases.break_glass',
    'cases.create',
    'cases.edit',
    'cases.close.request',
    'cases.search',
    'reports.read',
    'reports.reply',
  ],
  partner: [],
  statistics: [],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return grants[role].includes(permission);
}

/**
 * Routes reachable without a full sign-in: `public` for anyone (the login page, logging out);
 * `second_factor` only for a session whose password was accepted and whose second factor is due;
 * `passkey_enrolment` only for a session that passed password and second factor but whose role
 * requires a passkey the user has yet to register.
 */
export type Access = 'public' | PendingAccess;
export type PendingAccess = 'second_factor' | 'passkey_enrolment';

/** The one session stage each pending-step access kind admits (see features/auth/sign-in-steps.ts). */
export const pendingAccessStage: Readonly<Record<PendingAccess, Exclude<SessionStage, 'full'>>> = {
  second_factor: 'password',
  passkey_enrolment: 'passkey_enrolment',
};
const isPendingAccess = (value: unknown): value is PendingAccess =>
  typeof value === 'string' && Object.hasOwn(pendingAccessStage, value);

/** A route's rule as declared in its `config`. */
export type RouteRule = { permission: Permission } | { access: Access };

/** Who is signed in, attached to the request by the policy's pre-handlers. */
export interface StaffPrincipal {
  userId: string;
  role: Role;
  displayName: string;
  /** The user's team, which widens the cases an advisor may open. */
  teamId: string | null;
  /** The SHA-256 hash of the session cookie (the cookie value itself is never kept around). */
  sessionId: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Permission;
    access?: Access;
  }
  interface FastifyRequest {
    /** Set for fully signed-in staff on routes with a permission. */
    staff: StaffPrincipal | null;
    /** Set on `second_factor` and `passkey_enrolment` routes: the user part-way through signing in. */
    pendingStaff: StaffPrincipal | null;
  }
}

/** Paths of the back office, in both languages; every route under them must declare a rule. */
export function isStaffPath(url: string): boolean {
  return /^(\/en)?\/beheer(\/|$)/.test(url);
}

export const LOGIN_PATH = '/beheer/inloggen';
export const STAFF_HOME_PATH = '/beheer';

export interface RegisteredRoute {
  method: string;
  url: string;
  rule: RouteRule | undefined;
}

const routesByApp = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route registered after `registerPolicy`, with its rule (for the route × role test). */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return routesByApp.get(app) ?? [];
}

function ruleOf(route: RouteOptions): RouteRule | undefined {
  const config = (route.config ?? {}) as { permission?: unknown; access?: unknown };
  if (config.permission !== undefined && config.access !== undefined) {
    throw new Error(`Route ${route.url} declares both a permission and an access rule`);
  }
  if (config.permission !== undefined) {
    if (!(permissions as readonly unknown[]).includes(config.permission)) {
      throw new Error(`Route ${route.url} declares an unknown permission`);
    }
    return { permission: config.permission as Permission };
  }
  if (config.access === 'public' || isPendingAccess(config.access)) return { access: config.access };
  if (config.access !== undefined) throw new Error(`Route ${route.url} declares an unknown access rule`);
  return undefined;
}

/**
 * Registers the policy on the root app, before any route: every later route's rule is checked and
 * enforced with a pre-handler. A back-office route without a rule stops the app from starting.
 */
export function registerPolicy(app: FastifyInstance): void {
  const seen: RegisteredRoute[] = [];
  const violations: string[] = [];
  routesByApp.set(app, seen);
  app.decorateRequest('staff', null);
  app.decorateRequest('pendingStaff', null);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    let rule: RouteRule | undefined;
    try {
      rule = ruleOf(route);
    } catch (error) {
      violations.push((error as Error).message);
      return;
    }
    for (const method of methods) seen.push({ method, url: route.url, rule });
    if (!rule) {
      if (isStaffPath(route.url)) {
        violations.push(
          `Route ${methods.join(',')} ${route.url} has no access rule: declare config.permission or config.access`,
        );
      }
      return;
    }
    const guard =
      'permission' in rule
        ? requirePermission(rule.permission)
        : isPendingAccess(rule.access)
          ? requirePendingStage(pendingAccessStage[rule.access])
          : undefined;
    if (!guard) return;
    const existing = route.preHandler;
    // The policy runs first, before any pre-handler of the route itself.
    route.preHandler = existing ? [guard, ...(Array.isArray(existing) ? existing : [existing])] : [guard];
  });
  // Collected and raised here rather than thrown from the hook, so that it fails `ready()` (and so
  // `listen()`) however the offending route was registered.
  app.addHook('onReady', () => {
    if (violations.length > 0) throw new Error(`Refusing to start: ${violations.join('; ')}`);
    return Promise.resolve();
  });
}

type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

function redirectToLogin(request: FastifyRequest, reply: FastifyReply, expired: boolean): FastifyReply {
  const path = localisedPath(localeFromPath(request.url), LOGIN_PATH);
  return reply.redirect(expired ? `${path}?verlopen` : path, 303);
}

/** Reads the staff session of a request (idle and absolute timeouts checked); clears a dead cookie. */
export async function sessionOf(request: FastifyRequest, reply: FastifyReply) {
  const { config, db } = request.server.deps;
  const name = cookieName(config, STAFF_COOKIE);
  const cookie = request.cookies[name];
  if (!cookie) return { session: undefined, expired: false };
  const session = await resumeStaffSession(db, cookie);
  if (!session) reply.clearCookie(name, cookieOptions(config));
  return { session, expired: !session };
}

function principalOf(
  session: { userId: string; displayName: string; teamId: string | null; idHash: string },
  role: Role,
): StaffPrincipal {
  return {
    userId: session.userId,
    role,
    displayName: session.displayName,
    teamId: session.teamId,
    sessionId: session.idHash,
  };
}

/**
 * The pre-handler for a route with a permission: anonymous visitors and sessions still waiting for
 * their second factor go to the login page; signed-in staff without the permission get the standard
 * 403 page, which says nothing about what is there.
 */
export function requirePermission(permission: Permission): Guard {
  return async (request, reply) => {
    const { session, expired } = await sessionOf(request, reply);
    if (session?.stage !== 'full') return redirectToLogin(request, reply, expired);
    if (!isRole(session.role) || !can(session.role, permission)) {
      return sendErrorPage(request, reply, 'forbidden');
    }
    request.staff = principalOf(session, session.role);
    return undefined;
  };
}

/**
 * The pre-handler for the pages of one sign-in step: only a session at exactly that stage passes (a
 * password-only session never reaches passkey registration). Signed-in staff go to the home page.
 */
export function requirePendingStage(stage: Exclude<SessionStage, 'full'>): Guard {
  return async (request, reply) => {
    const { session, expired } = await sessionOf(request, reply);
    if (session?.stage === 'full') {
      return reply.redirect(localisedPath(localeFromPath(request.url), STAFF_HOME_PATH), 303);
    }
    if (session?.stage !== stage || !isRole(session.role)) return redirectToLogin(request, reply, expired);
    request.pendingStaff = principalOf(session, session.role);
    return undefined;
  };
}

/**
 * Which cases a principal may open without further ado. Every query that lists or searches cases
 * filters with this (see features/cases), so lists never show what a page would refuse.
 */
export type CaseVisibility =
  { kind: 'all' } | { kind: 'own'; userId: string; teamId: string | null } | { kind: 'none' };

export function caseVisibility(
  principal: Pick<StaffPrincipal, 'role' | 'userId' | 'teamId'>,
): CaseVisibility {
  if (can(principal.role, 'cases.read.all')) return { kind: 'all' };
  if (can(principal.role, 'cases.read.assigned') || can(principal.role, 'cases.read.team')) {
    return {
      kind: 'own',
      userId: principal.userId,
      teamId: can(principal.role, 'cases.read.team') ? principal.teamId : null,
    };
  }
  return { kind: 'none' };
}

/** The facts about one case that decide who may open it. */
export interface CaseAccessFacts {
  assignedUserId: string | null;
  teamId: string | null;
}

/**
 * May this principal open this case? `granted`: yes; `break_glass`: only after stating a reason (or
 * with a live grant from an earlier reason); `denied`: no, and the answer must look like a missing case.
 */
export type CaseAccessDecision = 'granted' | 'break_glass' | 'denied';

export function caseAccess(
  principal: Pick<StaffPrincipal, 'role' | 'userId' | 'teamId'>,
  facts: CaseAccessFacts,
  hasLiveGrant = false,
): CaseAccessDecision {
  const visibility = caseVisibility(principal);
  if (visibility.kind === 'all') return 'granted';
  if (visibility.kind === 'own') {
    if (can(principal.role, 'cases.read.assigned') && facts.assignedUserId === visibility.userId)
      return 'granted';
    if (visibility.teamId !== null && facts.teamId === visibility.teamId) return 'granted';
  }
  if (can(principal.role, 'cases.break_glass')) return hasLiveGrant ? 'granted' : 'break_glass';
  return 'denied';
}
