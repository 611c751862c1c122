/**
 * GENERATED FILE, DO NOT EDIT.
 * Source: openapi/schemas/learner-record.v1.schema.json
 * Regenerate with: npm run schema:types
 */

/**
 * Legal sex (kön) as in SS 12000.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Sex".
 */
export type Sex = 'Man' | 'Kvinna' | 'Okänt';
/**
 * Protection of the pupil's personal data (SS 12000 securityMarking): none, sekretessmarkering, or skyddad folkbokföring. It limits what may flow anywhere.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "SecurityMarking".
 */
export type SecurityMarking = 'Ingen' | 'Sekretessmarkering' | 'Skyddad folkbokföring';
/**
 * Kind of address as in SS 12000.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "AddressType".
 */
export type AddressType = 'Folkbokföring' | 'Särskild postadress' | 'Annan';
/**
 * Kind of e-mail address as in SS 12000.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "EmailType".
 */
export type EmailType = 'Privat' | 'Skola' | 'Annan';
/**
 * Kind of phone number as in SS 12000.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "PhoneType".
 */
export type PhoneType = 'Hem' | 'Mobil' | 'Arbete' | 'Annan';
/**
 * How the adult relates to the pupil (relation, SS 12000 responsible).
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "GuardianRelation".
 */
export type GuardianRelation =
  'Vårdnadshavare' | 'Särskilt förordnad vårdnadshavare' | 'God man' | 'Familjehem' | 'Annan ansvarig';
/**
 * Eight-digit school unit code from Skolverket's register (skolenhetskod).
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "SchoolUnitCode".
 */
export type SchoolUnitCode = string;
/**
 * School form (skolform) as in SS 12000, e.g. FKLASS förskoleklass, GR grundskola, GRS anpassad grundskola, GY gymnasieskola.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "SchoolType".
 */
export type SchoolType =
  | 'FS'
  | 'FKLASS'
  | 'FTH'
  | 'OPPFTH'
  | 'GR'
  | 'GRS'
  | 'TR'
  | 'SP'
  | 'SAM'
  | 'GY'
  | 'GYS'
  | 'VUX'
  | 'VUXGR'
  | 'VUXGY'
  | 'VUXSARGR'
  | 'VUXSARGY'
  | 'SFI'
  | 'SARVUX'
  | 'SARVUXGR'
  | 'SARVUXGY'
  | 'KU'
  | 'YH'
  | 'FHS'
  | 'STF'
  | 'KKU'
  | 'HS'
  | 'ABU'
  | 'AU';
/**
 * Kind of group (grupptyp) as in SS 12000.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "GroupType".
 */
export type GroupType =
  'Undervisning' | 'Klass' | 'Mentor' | 'Provgrupp' | 'Schema' | 'Avdelning' | 'Personalgrupp' | 'Övrigt';
/**
 * Skolverket subject code (ämneskod), e.g. MA, SV, SVA, EN, M2.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "SubjectCode".
 */
export type SubjectCode = string;
/**
 * Skolverket course or subject-level code (kurskod), e.g. MATMAT01a, SVESVE01.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "CourseCode".
 */
export type CourseCode = string;
/**
 * Grading scale (betygsskala): A-F since 2011, IG-MVG (Lpo 94/Lpf 94), G-VG (older särskola), pass/fail, 1-5 (relative grades).
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "GradeScale".
 */
export type GradeScale = 'A-F' | 'IG-MVG' | 'G-VG' | 'Godkänd/Ej godkänd' | '1-5';
/**
 * Term: HT autumn (hösttermin), VT spring (vårtermin).
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Semester".
 */
export type Semester = 'HT' | 'VT';
/**
 * Why a grade replaced an earlier one: Ändring (changed, skollagen 3 kap. 21 §) or Rättelse (corrected obvious error).
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "CorrectionType".
 */
export type CorrectionType = 'Ändring' | 'Rättelse';
/**
 * Kind of assessment: skriftligt omdöme, individuell utvecklingsplan (IUP) or other.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "AssessmentKind".
 */
export type AssessmentKind = 'Skriftligt omdöme' | 'IUP' | 'Övrigt';
/**
 * Free text written by staff, such as an assessment or a description of support.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "LongText".
 */
export type LongText = string;
/**
 * Kind of support (skollagen 3 kap.): extra anpassningar, särskilt stöd, or the åtgärdsprogram that documents it.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "SupportMeasureKind".
 */
export type SupportMeasureKind = 'Åtgärdsprogram' | 'Extra anpassningar' | 'Särskilt stöd';
/**
 * Format of the credential: a W3C verifiable credential as JWT or JSON (CLR 2.0, Open Badges 3.0) or an Open Badges 2 assertion.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "AchievementFormat".
 */
export type AchievementFormat = 'vc-jwt' | 'vc-json' | 'ob2';
/**
 * Outcome of verifying a credential.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "VerificationStatus".
 */
export type VerificationStatus = 'verified' | 'failed' | 'unverified';
/**
 * An opaque identifier assigned by a platform or by portabel.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Identifier".
 */
export type Identifier = string;
/**
 * A given, middle or family name.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "PersonName".
 */
export type PersonName = string;
/**
 * A short human-readable text such as a title or a name of an organisation.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "ShortText".
 */
export type ShortText = string;
/**
 * A calendar date, RFC 3339 full-date (YYYY-MM-DD).
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "IsoDate".
 */
export type IsoDate = string;
/**
 * A point in time, RFC 3339 date-time with offset.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "IsoDateTime".
 */
export type IsoDateTime = string;
/**
 * ISO 3166-1 alpha-2 country code (landskod).
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "CountryCode".
 */
export type CountryCode = string;
/**
 * Four-digit municipality code (kommunkod) of the organiser.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "KommunCode".
 */
export type KommunCode = string;

/**
 * The canonical learner record of one pupil: identity, contact, guardians, enrolments, groups, grades, assessments, attendance, support measures, achievements and evidence. People and organisations follow SS 12000 names; achievements follow 1EdTech CLR 2.0 / Open Badges 3.0. Every object rejects unknown fields and every string and array is bounded.
 */
export interface LearnerRecord {
  /**
   * Version of this schema the record conforms to.
   */
  schemaVersion: '1.0';
  source: Source;
  pupil: Pupil;
  contact?: Contact;
  /**
   * Guardians and other responsible adults (vårdnadshavare och andra ansvariga).
   *
   * @maxItems 20
   */
  guardians?: Guardian[];
  /**
   * Placements at school units, current and past (placeringar).
   *
   * @maxItems 200
   */
  enrolments?: Enrolment[];
  /**
   * Class, mentor and teaching groups the pupil belongs or belonged to (grupper).
   *
   * @maxItems 1000
   */
  groups?: Group[];
  /**
   * Grades in subjects and courses (betyg).
   *
   * @maxItems 5000
   */
  grades?: Grade[];
  /**
   * Written assessments and individual development plans (skriftliga omdömen, IUP).
   *
   * @maxItems 2000
   */
  assessments?: Assessment[];
  /**
   * Absence summaries per term (frånvaro).
   *
   * @maxItems 500
   */
  attendance?: Attendance[];
  /**
   * Extra adaptations and special support (extra anpassningar, särskilt stöd, åtgärdsprogram). Sensitive category: disclosed only where the policy allows it.
   *
   * @maxItems 500
   */
  supportMeasures?: SupportMeasure[];
  /**
   * Verifiable credentials and badges kept as received, with the result of verifying them.
   *
   * @maxItems 1000
   */
  achievements?: Achievement[];
  /**
   * Artefacts referenced by URI and SHA-256 digest, optionally with an xAPI statement.
   *
   * @maxItems 5000
   */
  evidence?: Evidence[];
}
/**
 * Where the record comes from: the platform and the pupil's id there. Together they are the idempotency key of an upsert.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Source".
 */
export interface Source {
  /**
   * Id of the source platform as registered in portabel.
   */
  platform: string;
  /**
   * The pupil's id in the source platform.
   */
  id: string;
}
/**
 * The pupil's identity (elev). Identity category.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Pupil".
 */
export interface Pupil {
  civicNo?: CivicNo;
  /**
   * Given name (förnamn).
   */
  givenName: string;
  /**
   * Middle name (mellannamn).
   */
  middleName?: string;
  /**
   * Family name (efternamn).
   */
  familyName: string;
  /**
   * Date of birth (födelsedatum).
   */
  birthDate?: string;
  sex?: Sex;
  securityMarking: SecurityMarking;
  /**
   * Other identifiers of the pupil.
   *
   * @maxItems 50
   */
  externalIdentifiers?: ExternalIdentifier[];
  provenance?: Provenance;
}
/**
 * A national identity number (personnummer or samordningsnummer in Sweden). For nationality SE the value is twelve digits YYYYMMDDNNNN; a samordningsnummer has 60 added to the day.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "CivicNo".
 */
export interface CivicNo {
  /**
   * The number; for SE exactly twelve digits without separator, Luhn-checked over the last ten.
   */
  value: string;
  /**
   * Country that issued the number; SE when absent.
   */
  nationality?: string;
}
/**
 * Another identifier of the pupil, such as an eduPersonPrincipalName or a platform id.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "ExternalIdentifier".
 */
export interface ExternalIdentifier {
  /**
   * The identifier.
   */
  value: string;
  /**
   * What the identifier belongs to, e.g. a platform id or a URN.
   */
  context: string;
  /**
   * Whether the value is unique beyond its context.
   */
  globallyUnique?: boolean;
}
/**
 * Where an item came from and when it was imported. The service fills it when an import leaves it out.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Provenance".
 */
export interface Provenance {
  /**
   * Id of the platform the item came from.
   */
  sourcePlatform: string;
  /**
   * The item's id in that platform, when it has one.
   */
  sourceId?: string;
  /**
   * Name of the adapter that mapped the item.
   */
  adapter: string;
  /**
   * Version of that adapter.
   */
  adapterVersion: string;
  /**
   * When the item was imported.
   */
  importedAt: string;
}
/**
 * Addresses, e-mail addresses and phone numbers. Contact category.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Contact".
 */
export interface Contact {
  /**
   * Postal addresses.
   *
   * @maxItems 20
   */
  addresses?: Address[];
  /**
   * E-mail addresses.
   *
   * @maxItems 20
   */
  emails?: Email[];
  /**
   * Phone numbers.
   *
   * @maxItems 20
   */
  phoneNumbers?: PhoneNumber[];
  provenance?: Provenance;
}
/**
 * A postal address (adress).
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Address".
 */
export interface Address {
  type: AddressType;
  /**
   * Street and number, c/o and box lines (utdelningsadress).
   */
  streetAddress: string;
  /**
   * Post town (postort).
   */
  locality: string;
  /**
   * Postal code (postnummer), e.g. 722 15.
   */
  postalCode: string;
  /**
   * Country; SE when absent.
   */
  countryCode?: string;
}
/**
 * An e-mail address (e-postadress).
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Email".
 */
export interface Email {
  /**
   * The address.
   */
  value: string;
  type: EmailType;
}
/**
 * A phone number (telefonnummer), preferably E.164.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "PhoneNumber".
 */
export interface PhoneNumber {
  /**
   * The number, e.g. +46701740605 or 070-174 06 05.
   */
  value: string;
  type: PhoneType;
}
/**
 * A guardian or another responsible adult (vårdnadshavare, annan ansvarig). Contact category.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Guardian".
 */
export interface Guardian {
  /**
   * Id of the guardian, unique within the record.
   */
  id: string;
  civicNo?: CivicNo;
  /**
   * Given name (förnamn).
   */
  givenName: string;
  /**
   * Family name (efternamn).
   */
  familyName: string;
  relation: GuardianRelation;
  /**
   * Whether the adult has legal custody (vårdnad); only custodians act for the pupil.
   */
  custody: boolean;
  /**
   * Whether the pupil is registered at the adult's address.
   */
  livesWithPupil?: boolean;
  contact?: Contact;
  provenance?: Provenance;
}
/**
 * A placement of the pupil at a school unit (placering, SS 12000 enrolment). Enrolment category.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Enrolment".
 */
export interface Enrolment {
  /**
   * Kommun code of the organiser (huvudman).
   */
  organiserCode: string;
  schoolUnitCode: SchoolUnitCode;
  schoolType: SchoolType;
  /**
   * School year (årskurs); 0 is förskoleklass, null where the school form has no years.
   */
  schoolYear?: number | null;
  /**
   * National programme code (programkod), e.g. NA, TE.
   */
  programmeCode?: string;
  /**
   * Orientation or study path code (inriktning, studievägskod), e.g. NANAT.
   */
  educationCode?: string;
  /**
   * First day of the placement.
   */
  startDate: string;
  /**
   * Last day of the placement; open-ended when absent.
   */
  endDate?: string;
  /**
   * Whether the placement was cancelled (makulerad) before it started.
   */
  cancelled?: boolean;
  provenance?: Provenance;
}
/**
 * The pupil's membership of a group (gruppmedlemskap). Groups category.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Group".
 */
export interface Group {
  /**
   * Id of the group, unique within the record.
   */
  id: string;
  /**
   * Display name, e.g. 7B or MA 7B.
   */
  name: string;
  groupType: GroupType;
  schoolUnitCode: SchoolUnitCode;
  /**
   * First day of membership.
   */
  startDate: string;
  /**
   * Last day of membership; open-ended when absent.
   */
  endDate?: string;
  provenance?: Provenance;
}
/**
 * A grade in a subject or a course (betyg). Grades category.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Grade".
 */
export interface Grade {
  subjectCode: SubjectCode;
  courseCode?: CourseCode;
  gradeScale: GradeScale;
  /**
   * The grade on its scale, e.g. A, E, F, MVG, or - where the basis was missing (streck).
   */
  value: string;
  /**
   * Final grade (slutbetyg) rather than term grade (terminsbetyg).
   */
  final?: boolean;
  /**
   * Given after a special examination (prövning).
   */
  trial?: boolean;
  /**
   * Date the grade was decided (betygsdatum).
   */
  registeredDate: string;
  semester?: Semester;
  /**
   * Calendar year of the term.
   */
  year?: number;
  /**
   * Curriculum the grade was set under (läroplan), e.g. LGR11, LGR22, GY11, GY25, LSÄR11.
   */
  curriculum?: string;
  schoolUnitCode?: SchoolUnitCode;
  gradingTeacher?: PersonReference;
  correctionType?: CorrectionType;
  /**
   * Whether the pupil followed an adapted study plan (anpassad studiegång).
   */
  adaptedStudyPlan?: boolean;
  provenance?: Provenance;
}
/**
 * A member of staff referred to by id, with a display name: the grading teacher (betygssättande lärare), an assessment's author, or who decided on support (usually the rektor).
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "PersonReference".
 */
export interface PersonReference {
  /**
   * Id of the person in the source platform.
   */
  id: string;
  /**
   * Display name.
   */
  name?: string;
}
/**
 * A written assessment of the pupil's progress. Assessments category.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Assessment".
 */
export interface Assessment {
  kind: AssessmentKind;
  subjectCode?: SubjectCode;
  /**
   * Date of the assessment.
   */
  date: string;
  text: LongText;
  author?: PersonReference;
  provenance?: Provenance;
}
/**
 * Absence summary of one term at one school unit (frånvarosammanställning). Attendance category.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Attendance".
 */
export interface Attendance {
  /**
   * Term, HT or VT followed by the year, e.g. HT2025.
   */
  term: string;
  schoolUnitCode: SchoolUnitCode;
  /**
   * Minutes of valid absence (giltig frånvaro).
   */
  validAbsenceMinutes?: number;
  /**
   * Minutes of invalid absence (ogiltig frånvaro).
   */
  invalidAbsenceMinutes?: number;
  /**
   * Minutes of scheduled teaching in the term.
   */
  scheduledMinutes?: number;
  /**
   * Valid absence as a percentage of scheduled time.
   */
  validAbsencePercent?: number;
  /**
   * Invalid absence as a percentage of scheduled time.
   */
  invalidAbsencePercent?: number;
  provenance?: Provenance;
}
/**
 * Support given to the pupil. Sensitive category: it can reveal health and disability, so it flows only where the policy explicitly allows it.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "SupportMeasure".
 */
export interface SupportMeasure {
  kind: SupportMeasureKind;
  /**
   * Date of the decision, or start of the adaptations.
   */
  decidedDate: string;
  /**
   * Date the support ended or is evaluated.
   */
  endDate?: string;
  /**
   * Subjects the support concerns; empty when it concerns school in general.
   *
   * @maxItems 50
   */
  subjectCodes?: SubjectCode[];
  description?: LongText;
  decidedBy?: PersonReference;
  provenance?: Provenance;
}
/**
 * A credential kept exactly as received, so its proof stays checkable. Achievements category.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Achievement".
 */
export interface Achievement {
  format: AchievementFormat;
  /**
   * The credential as received: a compact JWT string or a JSON object.
   */
  credential:
    | string
    | {
        [k: string]: unknown;
      };
  /**
   * Issuer's name, URL or DID, for display.
   */
  issuer?: string;
  /**
   * Name of the achievement, for display.
   */
  name?: string;
  verification?: Verification;
  provenance?: Provenance;
}
/**
 * The result of verifying a credential's proof and status.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Verification".
 */
export interface Verification {
  status: VerificationStatus;
  /**
   * How it was verified, e.g. a proof type or a JWS algorithm.
   */
  method?: string;
  /**
   * When it was verified.
   */
  checkedAt?: string;
  /**
   * Why verification failed, or other notes.
   */
  detail?: string;
}
/**
 * An artefact of the pupil's work, referenced by URI and fixed by its SHA-256 digest. Evidence category.
 *
 * This interface was referenced by `LearnerRecord`'s JSON-Schema
 * via the `definition` "Evidence".
 */
export interface Evidence {
  /**
   * Id of the item, unique within the record.
   */
  id: string;
  /**
   * Where the artefact can be fetched.
   */
  uri: string;
  /**
   * SHA-256 digest of the artefact's bytes, lowercase hex.
   */
  sha256: string;
  /**
   * IANA media type, e.g. application/pdf.
   */
  mediaType?: string;
  /**
   * Title, for display.
   */
  title?: string;
  /**
   * An xAPI statement about the artefact, kept as received.
   */
  xapiStatement?: {
    [k: string]: unknown;
  };
  /**
   * When the artefact was made or recorded.
   */
  recordedAt?: string;
  provenance?: Provenance;
}
