// Canonical record -> CLR 2.0 / Open Badges 3.0 credentials (unsigned). Pure: signing is the adapter's.
import { canonicalJson, sha256Hex } from '../../records/record-content';
import type { Grade, GradeScale, LearnerRecord } from '../../records/learner-record.types';
import type { LossEntry } from '../vendor-adapter.port';
import { subjectName } from './skolverket-subjects';
import type { Json } from './vc-jwt.verifier';

export const VCDM_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const CLR_V2_CONTEXT = 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json';
export const OB_V3_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

export interface IssuerFacts {
  /** The kommun's issuer id (a URL), from the signer. */
  id: string;
  kommunCode: string;
  name?: string;
}

/** What one pupil's CLR is made of, before signing: the grade credentials are signed first. */
export interface ClrDraft {
  subject: Json;
  gradeCredentials: Json[];
  /** Credentials the pupil already held (vc-jwt strings, vc-json objects), carried as received. */
  heldCredentials: (string | Json)[];
  loss: LossEntry[];
}

/** Sections a CLR has no place for; they are reported, never carried. */
const UNCARRIED_SECTIONS: readonly (readonly [keyof LearnerRecord, string])[] = [
  ['contact', 'a CLR carries achievements, not contact details'],
  ['guardians', 'a CLR has no place for guardians'],
  ['enrolments', 'a CLR has no place for placements; the school unit of each grade is carried with it'],
  ['groups', 'a CLR has no place for groups'],
  ['assessments', 'written assessments and IUP are not achievements a CLR can assert'],
  ['attendance', 'a CLR has no place for absence'],
  ['supportMeasures', 'support measures never go into a credential'],
  ['evidence', 'evidence is not carried: a CLR holds credentials, not artefacts'],
];

/** Allowed values of each scale, for the ResultDescription. */
const SCALES: Readonly<Record<GradeScale, { resultType: string; values?: string[] }>> = {
  'A-F': { resultType: 'LetterGrade', values: ['A', 'B', 'C', 'D', 'E', 'F'] },
  'IG-MVG': { resultType: 'LetterGrade', values: ['MVG', 'VG', 'G', 'IG'] },
  'G-VG': { resultType: 'LetterGrade', values: ['VG', 'G'] },
  'Godkänd/Ej godkänd': { resultType: 'Status' },
  '1-5': { resultType: 'Result', values: ['5', '4', '3', '2', '1'] },
};

/** A UUID (RFC 9562 version 8) from a SHA-256 digest: ids that are stable for the same content. */
export function uuidFrom(...parts: string[]): string {
  const hex = sha256Hex(parts.join('\u0000')).slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `urn:uuid:${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** The credential's id: derived from everything else in it, so equal content gives the equal id. */
export function withContentId(credential: Json): Json {
  const { '@context': context, ...rest } = credential;
  return { '@context': context, id: uuidFrom('credential', canonicalJson(rest)), ...rest };
}

export function issuerProfile(issuer: IssuerFacts): Json {
  return {
    id: issuer.id,
    type: ['Profile'],
    ...(issuer.name ? { name: issuer.name } : {}),
    otherIdentifier: [
      { type: 'IdentifierEntry', identifier: issuer.kommunCode, identifierType: 'ext:kommunkod' },
    ],
  };
}

/**
 * The pupil as an OB 3.0 subject: a pseudonymous id, the platform's id of the pupil, the name, and the
 * civic number only as a salted SHA-256 hash (IdentityObject, hashed). The salt is public, as OB 3.0
 * has it, so the hash only lets a verifier who already knows the number confirm it.
 */
export function pupilSubject(
  record: LearnerRecord,
  issuer: IssuerFacts,
): { subject: Json; loss: LossEntry[] } {
  const loss: LossEntry[] = [];
  const { pupil, source } = record;
  const identifier: Json[] = [identity('sourcedId', source.id)];
  const fullName = [pupil.givenName, pupil.middleName, pupil.familyName].filter(Boolean).join(' ');
  identifier.push(identity('name', fullName));
  if (pupil.civicNo) {
    // Derived, not random, so the same record gives the same bytes; it need not be secret.
    const salt = sha256Hex(['salt', issuer.id, source.platform, source.id].join('\u0000')).slice(0, 32);
    identifier.push({
      type: 'IdentityObject',
      identityType: 'nationalIdentityNumber',
      hashed: true,
      identityHash: `sha256$${sha256Hex(pupil.civicNo.value + salt)}`,
      salt,
    });
    loss.push({
      kind: 'approximated',
      source: { pointer: '/pupil/civicNo' },
      target: { pointer: `/credentialSubject/identifier/${identifier.length - 1}` },
      detail: 'the civic number is carried only as a salted SHA-256 hash, never in clear',
    });
  }
  if (pupil.middleName) {
    loss.push({
      kind: 'approximated',
      source: { pointer: '/pupil/middleName' },
      target: { pointer: '/credentialSubject/identifier/1' },
      detail: 'OB 3.0 has one name: given, middle and family names are joined into it',
    });
  }
  const dropped: [keyof typeof pupil, string][] = [
    ['birthDate', 'birth date'],
    ['sex', 'legal sex'],
    ['securityMarking', 'security marking'],
    ['externalIdentifiers', 'other identifiers'],
  ];
  for (const [field, words] of dropped) {
    if (pupil[field] === undefined) continue;
    loss.push({
      kind: 'dropped',
      source: { pointer: `/pupil/${field}` },
      detail: `a credential subject has no place for the pupil's ${words}`,
    });
  }
  const subject = {
    id: uuidFrom('subject', issuer.id, source.platform, source.id),
    identifier,
  };
  return { subject, loss };
}

function identity(identityType: string, value: string): Json {
  return { type: 'IdentityObject', identityType, hashed: false, identityHash: value };
}

/**
 * One pupil's CLR draft: an AchievementCredential per grade, the credentials the pupil already holds, and
 * a loss entry for everything else. Only a loss entry when there is nothing to certify: CLR 2.0 requires
 * at least one credential in the subject.
 */
export function draftClr(record: LearnerRecord, issuer: IssuerFacts): ClrDraft | { loss: LossEntry[] } {
  const { subject, loss } = pupilSubject(record, issuer);
  for (const [section, why] of UNCARRIED_SECTIONS) {
    if (record[section] !== undefined)
      loss.push({ kind: 'dropped', source: { pointer: `/${section}` }, detail: why });
  }
  const gradeCredentials: Json[] = [];
  record.grades?.forEach((grade, i) => {
    gradeCredentials.push(gradeCredential(grade, subject, issuer));
    loss.push({
      kind: 'approximated',
      source: { pointer: `/grades/${i}` },
      target: { pointer: `/credentialSubject/verifiableCredential/${i}` },
      detail:
        'carried as a signed AchievementCredential (achievement = subject or course, result = grade); ' +
        'final and trial appear only in its name and description, and a receiver keeps it as a credential',
    });
    for (const [field, why] of [
      ['gradingTeacher', 'the grading teacher is not part of the pupil’s credential'],
      ['correctionType', 'OB 3.0 has no place for a correction of a grade'],
      ['adaptedStudyPlan', 'OB 3.0 has no place for an adapted study plan'],
    ] as const) {
      if (grade[field] !== undefined)
        loss.push({ kind: 'dropped', source: { pointer: `/grades/${i}/${field}` }, detail: why });
    }
  });
  const heldCredentials: (string | Json)[] = [];
  record.achievements?.forEach((achievement, i) => {
    if (achievement.format === 'ob2') {
      loss.push({
        kind: 'dropped',
        source: { pointer: `/achievements/${i}` },
        detail: 'an Open Badges 2.0 assertion is not a verifiable credential, and a CLR 2.0 holds only those',
      });
      return;
    }
    heldCredentials.push(achievement.credential);
  });
  if (gradeCredentials.length + heldCredentials.length === 0) {
    return {
      loss: [
        {
          kind: 'dropped',
          source: { pointer: '' },
          detail: 'no grades and no verifiable credentials: a CLR must hold at least one, so none is written',
        },
      ],
    };
  }
  loss.push({
    kind: 'approximated',
    source: { pointer: '/achievements' },
    target: { pointer: '/credentialSubject/verifiableCredential' },
    detail:
      'credentials travel as received, without the results of verifying them here: a receiver verifies ' +
      'the CLR and each credential in it again, and keeps the grades’ credentials among its achievements',
  });
  return { subject, gradeCredentials, heldCredentials, loss };
}

/** An AchievementCredential for one grade: the achievement is the subject or course, the result the grade. */
export function gradeCredential(grade: Grade, subject: Json, issuer: IssuerFacts): Json {
  const code = grade.courseCode ?? grade.subjectCode;
  const name = subjectName(grade.subjectCode);
  const kind = grade.final ? 'Slutbetyg' : 'Betyg';
  const title = grade.courseCode ? `${kind} i ${name}, kurs ${grade.courseCode}` : `${kind} i ${name}`;
  const curriculum = grade.curriculum ?? 'okänd läroplan';
  const achievementId = uuidFrom('achievement', grade.subjectCode, grade.courseCode ?? '', curriculum);
  const scaleId = uuidFrom('scale', grade.gradeScale);
  const scale = SCALES[grade.gradeScale];
  const date = `${grade.registeredDate}T00:00:00Z`;
  const term = grade.semester && grade.year ? `${grade.semester}${grade.year}` : undefined;
  const achievement: Json = {
    id: achievementId,
    type: ['Achievement'],
    achievementType: 'Course',
    name: grade.courseCode ? `${name}, kurs ${grade.courseCode}` : name,
    description: `${name} (${code}) enligt ${curriculum}, betygsskala ${grade.gradeScale}.`,
    criteria: { narrative: `Betyget sätts enligt kunskapskraven i ${curriculum} (skollagen 10–16 kap.).` },
    humanCode: code,
    fieldOfStudy: grade.subjectCode,
    ...(grade.curriculum ? { version: grade.curriculum } : {}),
    otherIdentifier: [
      { type: 'IdentifierEntry', identifier: grade.subjectCode, identifierType: 'ext:skolverketSubjectCode' },
      ...(grade.courseCode
        ? [
            {
              type: 'IdentifierEntry',
              identifier: grade.courseCode,
              identifierType: 'ext:skolverketCourseCode',
            },
          ]
        : []),
    ],
    resultDescription: [
      {
        id: scaleId,
        type: ['ResultDescription'],
        name: `Betyg, skala ${grade.gradeScale}`,
        resultType: scale.resultType,
        ...(scale.values ? { allowedValue: scale.values } : {}),
      },
    ],
  };
  const description = [
    `${kind} ${grade.value} i ${name} (${code}), beslutat ${grade.registeredDate}`,
    term ? `${grade.final ? 'avslutat' : 'terminen'} ${term}` : undefined,
    grade.trial ? 'efter prövning' : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return withContentId({
    '@context': [VCDM_V2_CONTEXT, OB_V3_CONTEXT],
    type: ['VerifiableCredential', 'AchievementCredential'],
    issuer: issuerProfile(issuer),
    validFrom: date,
    awardedDate: date,
    name: title,
    description: `${description}.`,
    credentialSubject: {
      id: subject.id,
      type: ['AchievementSubject'],
      identifier: subject.identifier,
      achievement,
      result: [{ type: ['Result'], resultDescription: scaleId, value: grade.value }],
      ...(term ? { term } : {}),
      ...(grade.schoolUnitCode ? { source: schoolUnitProfile(grade.schoolUnitCode) } : {}),
    },
  });
}

function schoolUnitProfile(schoolUnitCode: string): Json {
  return {
    id: uuidFrom('skolenhet', schoolUnitCode),
    type: ['Profile'],
    otherIdentifier: [
      { type: 'IdentifierEntry', identifier: schoolUnitCode, identifierType: 'ext:skolenhetskod' },
    ],
  };
}

/** The ClrCredential around the signed credentials. `validFrom` is the export's time, to the second. */
export function clrCredential(
  subject: Json,
  verifiableCredential: (string | Json)[],
  issuer: IssuerFacts,
  now: Date,
): Json {
  return withContentId({
    '@context': [VCDM_V2_CONTEXT, CLR_V2_CONTEXT, OB_V3_CONTEXT],
    type: ['VerifiableCredential', 'ClrCredential'],
    issuer: issuerProfile(issuer),
    validFrom: secondsIso(now),
    name: 'Betyg och intyg',
    credentialSubject: {
      id: subject.id,
      type: ['ClrSubject'],
      identifier: subject.identifier,
      verifiableCredential,
    },
  });
}

/**
 * The JWT payload of a credential under OB 3.0 §8.2.4 (VCDM 2.0): the credential itself with the
 * registered claims restating it, so a VCDM 1.1 verifier that reads iss/sub/nbf/jti finds them too.
 */
export function jwtPayload(credential: Json): Json {
  const subject = credential.credentialSubject as Json;
  const issuer = credential.issuer as Json;
  return {
    ...credential,
    iss: issuer.id,
    jti: credential.id,
    nbf: Math.floor(Date.parse(credential.validFrom as string) / 1000),
    sub: subject.id,
  };
}

export function secondsIso(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
