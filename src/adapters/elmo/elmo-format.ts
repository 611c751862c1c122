// What both directions agree on: the ELMO namespace and the custom identifier types portabel writes.
// ELMO lets issuers add identifier types of their own ("You can also have any number of custom types",
// schema.xsd); Swedish national codes go in those, prefixed se-, and nowhere else.

/** EMREX ELMO v1 (emrex-eu/elmo-schemas, branch v1, releases 1.x): the namespace of the official example. */
export const ELMO_NAMESPACE = 'https://github.com/emrex-eu/elmo-schemas/tree/v1';
export const ELMO_SCHEMA_LOCATION = 'https://raw.githubusercontent.com/emrex-eu/elmo-schemas/v1/schema.xsd';

export const ID_TYPE = {
  /** learner: the pupil's id in the system that wrote the document (record.source.id). */
  learnerLocal: 'local',
  nationalIdentifier: 'nationalIdentifier',
  /** learningOpportunitySpecification: the node's id at the issuer (predefined by ELMO). */
  losLocal: 'local',
  subjectCode: 'se-skolverket-subject',
  courseCode: 'se-skolverket-course',
  /** issuer */
  schoolUnitCode: 'se-skolenhetskod',
  kommunCode: 'se-kommunkod',
} as const;

/** ISO/IEC 5218, as ELMO 1.5's learner/gender. */
export const GENDER_CODES = { Okänt: '0', Man: '1', Kvinna: '2' } as const;

/** The sv title of an academicTerm that portabel writes: "HT 2025", "VT 2026". */
export const TERM_TITLE = /^(HT|VT) ([0-9]{4})$/;

/** First and last day of a term, for academicTerm/start and /end (the title says which term). */
export function termDates(semester: 'HT' | 'VT', year: number): { start: string; end: string } {
  return semester === 'HT'
    ? { start: `${year}-07-01`, end: `${year}-12-31` }
    : { start: `${year}-01-01`, end: `${year}-06-30` };
}

/** Grades that are not a pass on their scale: ELMO status "failed" when they are final. */
export const FAILING_VALUES: ReadonlySet<string> = new Set(['F', 'IG', 'EG', 'Ej godkänd', '-']);

/** Grundskola subject names (Skolverket's ämneskoder), for the title every ELMO node must have. */
export const SUBJECT_NAMES: Readonly<Record<string, string>> = {
  BI: 'Biologi',
  BL: 'Bild',
  EN: 'Engelska',
  FY: 'Fysik',
  GE: 'Geografi',
  HI: 'Historia',
  HKK: 'Hem- och konsumentkunskap',
  IDH: 'Idrott och hälsa',
  KE: 'Kemi',
  M1: 'Moderna språk, elevens val',
  M2: 'Moderna språk, språkval',
  MA: 'Matematik',
  ML: 'Modersmål',
  MU: 'Musik',
  RE: 'Religionskunskap',
  SH: 'Samhällskunskap',
  SLJ: 'Slöjd',
  SV: 'Svenska',
  SVA: 'Svenska som andraspråk',
  TK: 'Teknik',
};

/** ELMO title and attribute values of type xs:token: whitespace collapsed (XML Schema Part 2, 3.3.2). */
export function collapseToken(value: string): string {
  return value.replace(/[\t\n\r ]+/g, ' ').trim();
}
