import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { RecordScope, WHOLE_KOMMUN } from '../records/record-scope';
import type { AccessContext, GuardedRequest } from './access.guard';
import { grantedSections } from './platform-scopes';

const accessOf = (ctx: ExecutionContext): AccessContext => {
  const access = ctx.switchToHttp().getRequest<GuardedRequest>().access;
  // Only on @Public routes is there none, and those never ask.
  if (!access) throw new Error('no access decision on this request: is the route @Public?');
  return access;
};

/** The records the guard's decision lets the caller see and change (object-level scope). */
export function recordScopeOf(access: AccessContext): RecordScope {
  const { principal, scope, role } = access;
  switch (scope) {
    case 'schoolUnit':
      return principal.schoolUnits ? { schoolUnits: principal.schoolUnits } : WHOLE_KOMMUN;
    case 'ownChildren':
      return { person: { civicNo: principal.civicNo!, as: role === 'pupil' ? 'pupil' : 'guardian' } };
    case 'granted':
      return { sections: grantedSections(principal.scopes), sourcePlatform: principal.platform };
    default:
      return WHOLE_KOMMUN;
  }
}

/** @RecordAccess() scope: RecordScope — for the records services. */
export const RecordAccess = createParamDecorator((_data: unknown, ctx: ExecutionContext) =>
  recordScopeOf(accessOf(ctx)),
);

/** @Access() access: AccessContext — the whole decision (who, as which role, in which kommun). */
export const Access = createParamDecorator((_data: unknown, ctx: ExecutionContext) => accessOf(ctx));

/** The kommun a route without one in its path acts in: the caller's own. */
export const ActingKommun = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const kommunCode = accessOf(ctx).kommunCode;
  if (!kommunCode) throw new Error('this route needs a caller of a kommun');
  return kommunCode;
});
