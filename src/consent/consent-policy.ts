import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../common/project-root';
import type { FieldError } from '../common/problem/domain-error';
import type { Category } from './categories';
import type { LegalBasis, Purpose } from './purposes';

export type Marking = 'Sekretessmarkering' | 'Skyddad folkbokföring';

export interface PurposeRule {
  categories: Partial<Record<Category, LegalBasis | 'never'>>;
  guardianConsentUnderAge?: boolean;
}

/** A kommun's policy (openapi/schemas/consent-policy.v1.schema.json): data, not code. */
export interface ConsentPolicy {
  consentAge: number;
  guardianConsent: 'any' | 'all';
  purposes: Record<Purpose, PurposeRule>;
  markings: Record<Marking, Record<Purpose, Category[]>>;
  /** An ISO 8601 duration (P5Y), or `keep`: archived by law, never purged here. */
  retention: Record<Category, string>;
  exportPackageDays: number;
}

const SCHOOL_NEEDS = {
  identity: 'legalObligation',
  enrolment: 'legalObligation',
  grades: 'legalObligation',
} as const;

/**
 * The policy every kommun starts with (the README explains each line):
 *  - transfer: what the receiving school needs to ease the move is a legal duty (skollagen 3 kap.
 *    12 j §): identity, enrolment, grades, assessments, attendance and support; contact and the
 *    rest only with consent; groups stay (a class is the leaving school's);
 *  - provisioning a learning platform is public task (6(1)(e)), but support measures never go to a
 *    platform, and under 13 a guardian must consent (GDPR Art. 8, lag 2018:218);
 *  - the pupil's or guardian's own export holds everything (Art. 15; Art. 20 where held on consent);
 *  - a named third party gets only what is consented to;
 *  - a pupil with a security marking: never contact or location data, to anyone but themselves.
 */
export const DEFAULT_POLICY: ConsentPolicy = {
  consentAge: 13,
  guardianConsent: 'any',
  purposes: {
    transfer: {
      categories: {
        ...SCHOOL_NEEDS,
        assessments: 'legalObligation',
        attendance: 'legalObligation',
        support: 'legalObligation',
        contact: 'consent',
        achievements: 'consent',
        evidence: 'consent',
        groups: 'never',
      },
    },
    provisioning: {
      categories: {
        identity: 'publicTask',
        contact: 'publicTask',
        enrolment: 'publicTask',
        groups: 'publicTask',
        grades: 'publicTask',
        assessments: 'publicTask',
        attendance: 'publicTask',
        achievements: 'publicTask',
        evidence: 'publicTask',
        support: 'never',
      },
      guardianConsentUnderAge: true,
    },
    portability: {
      categories: {
        identity: 'publicTask',
        contact: 'publicTask',
        enrolment: 'publicTask',
        groups: 'publicTask',
        grades: 'publicTask',
        assessments: 'publicTask',
        attendance: 'publicTask',
        support: 'publicTask',
        achievements: 'publicTask',
        evidence: 'publicTask',
      },
    },
    thirdParty: {
      categories: {
        identity: 'consent',
        enrolment: 'consent',
        grades: 'consent',
        assessments: 'consent',
        achievements: 'consent',
        evidence: 'consent',
      },
    },
  },
  markings: {
    Sekretessmarkering: {
      transfer: ['identity', 'enrolment', 'grades', 'assessments', 'attendance', 'support'],
      provisioning: ['identity', 'enrolment', 'groups', 'grades', 'assessments', 'attendance'],
      portability: [
        'identity',
        'contact',
        'enrolment',
        'groups',
        'grades',
        'assessments',
        'attendance',
        'support',
        'achievements',
        'evidence',
      ],
      thirdParty: [],
    },
    'Skyddad folkbokföring': {
      transfer: ['identity', 'enrolment', 'grades', 'assessments', 'attendance', 'support'],
      provisioning: ['identity', 'enrolment', 'groups', 'grades', 'assessments', 'attendance'],
      portability: [
        'identity',
        'contact',
        'enrolment',
        'groups',
        'grades',
        'assessments',
        'attendance',
        'support',
        'achievements',
        'evidence',
      ],
      thirdParty: [],
    },
  },
  retention: {
    identity: 'keep',
    enrolment: 'keep',
    grades: 'keep',
    support: 'P5Y',
    assessments: 'P2Y',
    attendance: 'P2Y',
    achievements: 'P2Y',
    evidence: 'P1Y',
    groups: 'P0D',
    contact: 'P0D',
  },
  exportPackageDays: 30,
};

let validator: ReturnType<Ajv2020['compile']> | undefined;

/** Why a policy document is not valid (JSON pointers), or an empty list. */
export function checkPolicy(document: unknown): FieldError[] {
  if (!validator) {
    const schema = JSON.parse(
      readFileSync(join(projectRoot(), 'openapi', 'schemas', 'consent-policy.v1.schema.json'), 'utf8'),
    ) as object;
    validator = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  }
  if (validator(document)) return [];
  return (validator.errors ?? []).map((e) => ({
    pointer: e.instancePath || '/',
    detail:
      e.keyword === 'additionalProperties'
        ? `unknown member ${String(e.params.additionalProperty)}`
        : (e.message ?? 'is not valid'),
  }));
}
