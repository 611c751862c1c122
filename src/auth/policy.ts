import type { Action } from './actions';
import type { Principal } from './principal';
import type { Role } from './roles';

/**
 * Where a role may perform an action:
 *  - `installation`: anywhere in this installation, no kommun needed (the operator registering kommuner);
 *  - `kommun`: in the caller's own kommun, all of it (a registrar limited to school units is refused);
 *  - `schoolUnit`: in the caller's own kommun, limited to the school units the caller is limited to,
 *    if any (the records a registrar may see);
 *  - `ownChildren`: a guardian's own children with custody, a pupil themselves;
 *  - `granted`: in the platform's own kommun, and only if its token carries the action as a scope.
 */
export type Scope = 'installation' | 'kommun' | 'schoolUnit' | 'ownChildren' | 'granted';

type Row = Partial<Record<Role, Scope>>;

const staff = (scope: Scope = 'kommun'): Row => ({ admin: scope, registrar: scope, dpo: scope });

/**
 * THE policy table: role × action × scope. The README shows it (a test keeps the two equal); the
 * access guard is the only place that reads it. Least privilege: the operator runs the installation
 * but sees no pupil; the DPO sees the audit but not the records; platforms get what they were granted.
 */
export const POLICY: Record<Action, Row> = {
  'kommuner:create': { operator: 'installation' },
  'kommuner:read': { operator: 'installation', ...staff(), platform: 'granted' },
  'kommuner:update': { operator: 'installation', admin: 'kommun' },
  'schoolUnits:read': { ...staff(), platform: 'granted' },
  'schoolUnits:write': { admin: 'kommun', registrar: 'kommun' },
  'records:read': {
    registrar: 'schoolUnit',
    guardian: 'ownChildren',
    pupil: 'ownChildren',
    platform: 'granted',
  },
  'records:write': { registrar: 'schoolUnit', platform: 'granted' },
  'records:delete': { registrar: 'schoolUnit', platform: 'granted' },
  'changes:read': { registrar: 'kommun', platform: 'granted' },
  'adapters:read': { operator: 'installation', ...staff(), platform: 'granted' },
  'platforms:read': { admin: 'kommun', registrar: 'kommun' },
  'platforms:write': { admin: 'kommun' },
  'imports:read': { registrar: 'kommun', platform: 'granted' },
  'imports:write': { registrar: 'kommun', platform: 'granted' },
  'exports:read': { registrar: 'kommun', platform: 'granted' },
  'exports:write': { registrar: 'kommun', platform: 'granted' },
  'keys:read': { admin: 'kommun', dpo: 'kommun' },
  'keys:manage': { admin: 'kommun' },
  'audit:read': { dpo: 'kommun' },
  'audit:verify': { dpo: 'kommun', admin: 'kommun' },
  'audit:export': { dpo: 'kommun' },
  'trust:read': staff(),
  'trust:manage': { admin: 'kommun' },
  'transfers:read': { registrar: 'kommun' },
  'transfers:send': { registrar: 'kommun' },
  'transfers:receive': { registrar: 'kommun', peer: 'kommun' },
  'consent:read': staff(),
  'consent:write': { registrar: 'kommun' },
  'policy:read': staff(),
  'policy:write': { admin: 'kommun' },
  'requests:read': { dpo: 'kommun', admin: 'kommun' },
  'requests:manage': { dpo: 'kommun' },
  'me:read': {
    ...staff(),
    operator: 'installation',
    guardian: 'ownChildren',
    pupil: 'ownChildren',
  },
  'me:consent': { guardian: 'ownChildren', pupil: 'ownChildren' },
  'me:requests': { guardian: 'ownChildren', pupil: 'ownChildren' },
};

/** What the guard decided, and what the handler must still hold to (the object-level part). */
export type Decision =
  | { allowed: true; role: Role; scope: Scope; kommunCode?: string }
  | { allowed: false; reason: 'role' | 'kommun' | 'scope' | 'school-units' };

/**
 * May this caller perform this action, in this kommun (the route's: its path's, or its `?kommun=` on
 * routes marked @KommunFromQuery; undefined for routes without one)? Pure: the table and the principal decide. Object-level limits (which school units, which
 * children) travel on in the decision's scope and are applied where the objects are read.
 */
export function decide(principal: Principal, action: Action, routeKommun: string | undefined): Decision {
  const row = POLICY[action];
  let best: Decision = { allowed: false, reason: 'role' };
  for (const role of principal.roles) {
    const scope = row[role];
    if (!scope) continue;
    const decision = decideFor(principal, role, scope, action, routeKommun);
    if (decision.allowed) return decision;
    best = decision;
  }
  return best;
}

function decideFor(
  principal: Principal,
  role: Role,
  scope: Scope,
  action: Action,
  routeKommun: string | undefined,
): Decision {
  if (scope === 'installation') return { allowed: true, role, scope, kommunCode: routeKommun };
  // Every other scope is inside the caller's own kommun.
  const kommunCode = principal.kommunCode;
  if (!kommunCode || (routeKommun !== undefined && routeKommun !== kommunCode)) {
    return { allowed: false, reason: 'kommun' };
  }
  if (scope === 'kommun' && principal.schoolUnits !== undefined)
    return { allowed: false, reason: 'school-units' };
  if (scope === 'granted' && !principal.scopes.includes(action)) return { allowed: false, reason: 'scope' };
  if (scope === 'ownChildren' && !principal.civicNo) return { allowed: false, reason: 'scope' };
  return { allowed: true, role, scope, kommunCode };
}

const SCOPE_LABEL: Record<Scope, string> = {
  installation: 'all',
  kommun: 'kommun',
  schoolUnit: 'school units',
  ownChildren: 'own children',
  granted: 'if granted',
};

/** The policy table as the README shows it (a test keeps the README equal to this). */
export function policyTableMarkdown(roles: readonly Role[]): string {
  const header = `| action | ${roles.join(' | ')} |`;
  const rule = `| --- | ${roles.map(() => '---').join(' | ')} |`;
  const rows = (Object.keys(POLICY) as Action[]).map(
    (action) =>
      `| \`${action}\` | ${roles.map((r) => (POLICY[action][r] ? SCOPE_LABEL[POLICY[action][r]] : '')).join(' | ')} |`,
  );
  return [header, rule, ...rows].join('\n');
}
