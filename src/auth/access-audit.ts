import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { catchError, from, mergeMap, type Observable } from 'rxjs';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { isUuid } from '../common/http/uuid';
import { DomainError } from '../common/problem/domain-error';
import { accessBasis } from './access-basis';
import type { AccessContext, GuardedRequest } from './access.guard';
import type { Principal } from './principal';

/** Who acted, as the audit log names them: an operator as such, else the caller's kind, and their role. */
export const actorOf = (principal: Principal | undefined, role?: string): AuditActor =>
  principal
    ? {
        kind: principal.roles.includes('operator') ? 'operator' : principal.kind,
        subject: principal.subject,
        role: role ?? principal.roles[0] ?? null,
      }
    : { kind: 'anonymous', subject: null, role: null };

/** The actor of a request the guard let through, acting in the role it decided on. */
export const actorOfAccess = (access: AccessContext): AuditActor => actorOf(access.principal, access.role);

/** The pupils a request touched: the route's record, or the records a page of them held. */
function pupilsOf(params: Record<string, string> | undefined, result: unknown): string[] {
  // The route's id only once its pipe has passed it (a malformed one fails the request, not the log).
  if (params?.recordId) return isUuid(params.recordId) ? [params.recordId] : [];
  const r = result as { recordId?: unknown; data?: unknown } | undefined;
  if (typeof r?.recordId === 'string') return [r.recordId];
  if (Array.isArray(r?.data)) {
    return r.data.flatMap((d: { id?: unknown; record?: unknown; recordId?: unknown }) =>
      d && typeof d.id === 'string' && d.record !== undefined
        ? [d.id]
        : typeof d?.recordId === 'string'
          ? [d.recordId]
          : [],
    );
  }
  return [];
}

const NOT_ENTERED: ReadonlySet<string> = new Set([
  'audit:read',
  'audit:verify',
  'audit:export',
  'adapters:read',
]);

/**
 * The audit log's view of every authenticated request: who, acting as what, did which action in
 * which kommun, to which pupils, and how it went. Written before the response leaves (a read is a
 * disclosure the moment it is sent), through the audit's group commit so requests share appends.
 */
@Injectable()
export class AccessAuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const access = request.access;
    // Public routes read or write nothing of anyone's; the DPO's work on the audit log itself is not
    // entered in it (its entries hold no personal data, and an export records itself, signed).
    if (!access || NOT_ENTERED.has(access.action)) return next.handle();
    const entry = (outcome: 'allowed' | 'failed', result?: unknown, code?: string) =>
      this.audit.record({
        kommunCode: access.kommunCode ?? null,
        actor: actorOf(access.principal, access.role),
        action: access.action,
        outcome,
        pupilRecordIds: request.auditPupils ?? pupilsOf(request.params as Record<string, string>, result),
        ...accessBasis(access.principal, access.role, access.action),
        requestId: String(request.id),
        detail: { method: request.method, route: request.routeOptions.url ?? '', ...(code ? { code } : {}) },
      });
    return next.handle().pipe(
      mergeMap((result) => from(entry('allowed', result).then(() => result))),
      catchError((err: unknown) =>
        from(
          entry('failed', undefined, err instanceof DomainError ? err.code : 'INTERNAL').then(() => {
            throw err;
          }),
        ),
      ),
    );
  }
}

/** A refused request (no token, a bad one, not allowed, too many), audited by the guard before it answers. */
export function refusalEntry(request: GuardedRequest, access: Partial<AccessContext>, err: unknown) {
  const code = err instanceof DomainError ? err.code : 'INTERNAL';
  const params = request.params as Record<string, string> | undefined;
  // The kommun aimed at (path or query, as the guard read it); else the path's, for callers that know no better.
  const target = access.kommunCode ?? params?.kommunCode;
  return {
    // A malformed code in the path names no chain: such a refusal joins the installation's.
    kommunCode:
      (target && /^[0-9]{4}$/.test(target) ? target : undefined) ?? request.principal?.kommunCode ?? null,
    actor: actorOf(request.principal),
    action: code.startsWith('AUTH.TOKEN') ? 'auth:sign-in' : (access.action ?? 'auth:request'),
    outcome: 'denied' as const,
    pupilRecordIds: params?.recordId && isUuid(params.recordId) ? [params.recordId] : [],
    requestId: String(request.id),
    detail: { method: request.method, route: request.routeOptions.url ?? '', code },
  };
}
