import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { invalidParameter, KOMMUN_CODE_DESCRIPTION, KOMMUN_CODE_PATTERN } from '../common/http/path-params';
import type { Action } from './actions';
import { forbidden } from './auth.errors';
import { AuditService } from '../audit/audit.service';
import { refusalEntry } from './access-audit';
import { Authenticator } from './authenticator';
import {
  AUTHORIZE_KEY,
  KOMMUN_QUERY_KEY,
  PUBLIC_KEY,
  WEB_PAGE_KEY,
  type WebPageOptions,
} from './authorize.decorator';
import { decide, type Scope } from './policy';
import type { Principal } from './principal';
import { RateLimits } from './rate-limits';
import type { Role } from './roles';
import { csrfRefused, sessionMissing } from './web-session/web-session.errors';
import { WebSessions, type WebSession } from './web-session/web-sessions.service';

/** What the guard established for a request: who, doing what, as which role, in which kommun and scope. */
export interface AccessContext {
  principal: Principal;
  action: Action;
  role: Role;
  scope: Scope;
  /** The kommun the request acts in: the route's, or else the caller's own. */
  kommunCode: string | undefined;
}

export type GuardedRequest = FastifyRequest & {
  principal?: Principal;
  access?: AccessContext;
  /** The pupils a handler touched when neither the path nor the answer says (e.g. an upsert). */
  auditPupils?: string[];
  /** On web pages (/app): the signed-in person's session. */
  webSession?: WebSession;
};

/**
 * The one access guard: authenticates the caller, charges the rate limit, and asks the policy table
 * whether the caller's role may perform the route's action in the route's kommun. Every route names
 * its action (@Authorize) or is @Public; AuthModule refuses to start otherwise.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly limits: RateLimits,
    private readonly audit: AuditService,
    private readonly webSessions: WebSessions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const action = this.reflector.getAllAndOverride<Action | undefined>(AUTHORIZE_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const target = this.targetKommun(context, request);
    try {
      return await this.decide(context, request, action, target);
    } catch (err) {
      // Every refusal and failed sign-in is in the audit log, with who (if known) and where.
      await this.audit.record(refusalEntry(request, { action, kommunCode: target?.code }, err));
      throw err;
    }
  }

  /** The kommun a request aims at: its path's, or (on routes that take one) its `?kommun=`. */
  private targetKommun(
    context: ExecutionContext,
    request: GuardedRequest,
  ): { code: string; parameter: string } | undefined {
    const fromPath = (request.params as Record<string, string> | undefined)?.kommunCode;
    if (fromPath !== undefined) return { code: fromPath, parameter: 'kommunCode' };
    const targets = [context.getHandler(), context.getClass()];
    if (!this.reflector.getAllAndOverride<boolean>(KOMMUN_QUERY_KEY, targets)) return undefined;
    const fromQuery = (request.query as Record<string, unknown> | undefined)?.kommun;
    if (fromQuery === undefined) return undefined;
    return { code: typeof fromQuery === 'string' ? fromQuery : '', parameter: 'kommun' };
  }

  private async decide(
    context: ExecutionContext,
    request: GuardedRequest,
    action: Action | undefined,
    target: { code: string; parameter: string } | undefined,
  ): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) {
      const peerRoute = Boolean((request.routeOptions?.config as { peer?: boolean } | undefined)?.peer);
      await this.limits.chargeAddress(request.ip, peerRoute ? 'peer' : 'anonymous');
      return true;
    }
    if (!action) throw forbidden(); // unreachable: AuthModule checks every route at start
    const web = this.reflector.getAllAndOverride<Required<WebPageOptions> | undefined>(WEB_PAGE_KEY, targets);
    const principal = web
      ? await this.webPrincipal(request, web)
      : await this.authenticator.authenticate(request.headers.authorization);
    request.principal = principal;
    await this.limits.charge(principal);
    const routeKommun = target?.code;
    if (target && !KOMMUN_CODE_PATTERN.test(target.code)) {
      throw invalidParameter(target.parameter, KOMMUN_CODE_DESCRIPTION);
    }
    const decision = decide(principal, action, routeKommun);
    if (!decision.allowed) throw forbidden();
    request.access = {
      principal,
      action,
      role: decision.role,
      scope: decision.scope,
      kommunCode: decision.kommunCode,
    };
    return true;
  }

  /**
   * A web page's caller: the person of the session cookie. A state change must come from our own
   * pages: same origin (Origin and Fetch Metadata, where the browser sends them) and the session's
   * CSRF token in the form (synchronizer token; a multipart upload's handler checks its own field).
   */
  private async webPrincipal(request: GuardedRequest, options: Required<WebPageOptions>): Promise<Principal> {
    const session = await this.webSessions.open(request.headers.cookie);
    if (!session) throw sessionMissing();
    request.webSession = session;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const origin = request.headers.origin;
      const site = request.headers['sec-fetch-site'];
      if ((origin !== undefined && origin !== this.webSessions.origin) || (site && site !== 'same-origin'))
        throw csrfRefused();
      if (options.csrf === 'form') {
        const token = (request.body as Record<string, unknown> | undefined)?._csrf;
        if (!this.webSessions.csrfMatches(session, token)) throw csrfRefused();
      }
    }
    return session.principal;
  }
}
