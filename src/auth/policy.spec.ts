import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIONS } from './actions';
import { decide, POLICY, policyTableMarkdown } from './policy';
import type { Principal } from './principal';
import { ROLES } from './roles';

const person = (over: Partial<Principal>): Principal => ({
  kind: 'person',
  subject: 's',
  roles: [],
  scopes: [],
  ...over,
});

describe('the policy table', () => {
  it('names every action, and the README shows exactly this table', () => {
    expect(Object.keys(POLICY).sort()).toEqual([...ACTIONS].sort());
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(policyTableMarkdown(ROLES));
  });

  it('gives the operator the installation but no pupil', () => {
    const operator = person({ roles: ['operator'] });
    expect(decide(operator, 'kommuner:create', undefined).allowed).toBe(true);
    for (const action of [
      'records:read',
      'records:write',
      'audit:read',
      'consent:read',
      'transfers:send',
    ] as const) {
      expect(decide(operator, action, '1980')).toEqual({ allowed: false, reason: 'role' });
    }
  });

  it('keeps every role but the operator inside its own kommun', () => {
    for (const role of ROLES.filter((r) => r !== 'operator')) {
      const p = person({ roles: [role], kommunCode: '1980', civicNo: '201203152382', scopes: [...ACTIONS] });
      for (const action of ACTIONS) {
        const d = decide(p, action, '1981');
        expect(d.allowed).toBe(false);
      }
    }
  });

  it('shows the DPO the audit but not the records', () => {
    const dpo = person({ roles: ['dpo'], kommunCode: '1980' });
    expect(decide(dpo, 'audit:verify', '1980').allowed).toBe(true);
    expect(decide(dpo, 'records:read', '1980').allowed).toBe(false);
  });

  it('lets a platform do only what its token grants', () => {
    const platform: Principal = {
      kind: 'platform',
      subject: 'c',
      kommunCode: '1980',
      roles: ['platform'],
      scopes: ['records:read'],
    };
    expect(decide(platform, 'records:read', '1980').allowed).toBe(true);
    expect(decide(platform, 'records:write', '1980')).toEqual({ allowed: false, reason: 'scope' });
    expect(decide(platform, 'keys:manage', '1980')).toEqual({ allowed: false, reason: 'role' });
  });

  it('limits a registrar of some school units to records, and refuses them kommun-wide actions', () => {
    const limited = person({ roles: ['registrar'], kommunCode: '1980', schoolUnits: ['12345678'] });
    expect(decide(limited, 'records:read', '1980')).toMatchObject({ allowed: true, scope: 'schoolUnit' });
    expect(decide(limited, 'imports:write', '1980')).toEqual({ allowed: false, reason: 'school-units' });
    expect(decide(limited, 'changes:read', '1980')).toEqual({ allowed: false, reason: 'school-units' });
  });

  it('lets a guardian act for their own children only, and needs their civic number for it', () => {
    const guardian = person({ roles: ['guardian'], kommunCode: '1980', civicNo: '198002032384' });
    expect(decide(guardian, 'records:read', '1980')).toMatchObject({ allowed: true, scope: 'ownChildren' });
    expect(decide(guardian, 'records:write', '1980').allowed).toBe(false);
    expect(decide({ ...guardian, civicNo: undefined }, 'records:read', '1980')).toEqual({
      allowed: false,
      reason: 'scope',
    });
  });

  it('takes the caller’s own kommun on routes without one', () => {
    const registrar = person({ roles: ['registrar'], kommunCode: '1980' });
    expect(decide(registrar, 'records:read', undefined)).toMatchObject({ allowed: true, kommunCode: '1980' });
  });
});
