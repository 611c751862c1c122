// Canonical learner record → one EMREX ELMO v1 document: the learner and the pupil's grades, one report per
// school unit that set them. Everything ELMO has no element for is a loss entry pointing into the record.
import type { Grade, GradeScale, LearnerRecord } from '../../records/learner-record.types';
import type { LossEntry } from '../vendor-adapter.port';
import {
  collapseToken,
  ELMO_NAMESPACE,
  ELMO_SCHEMA_LOCATION,
  FAILING_VALUES,
  GENDER_CODES,
  ID_TYPE,
  SUBJECT_NAMES,
  termDates,
} from './elmo-format';
import { GRADE_SCALES, type ElmoOptions } from './elmo-options';
import { hasForbiddenXmlChar, withoutForbiddenXmlChars } from './elmo-xml';

export interface ElmoExportTarget {
  /** File name of the document inside the export, for the loss entries' target. */
  file: string;
  kommunCode: string;
  now: Date;
  loss(entry: LossEntry): void;
}

const SCALE_DESCRIPTIONS: Record<GradeScale, { sv: string; en: string }> = {
  'A-F': {
    sv: 'Betygsskalan A–F: A–E är godkända betyg, F är inte godkänt; streck (-) när underlag för bedömning saknas.',
    en: 'Swedish grading scale A–F: A (highest) to E are pass grades, F is a fail; a dash (-) means there was no basis for grading.',
  },
  'IG-MVG': {
    sv: 'Betygsskalan IG, G, VG, MVG (Lpo 94, Lpf 94).',
    en: 'Swedish grading scale before 2011: MVG (pass with special distinction), VG (pass with distinction), G (pass), IG (fail).',
  },
  'G-VG': {
    sv: 'Betygsskalan G, VG.',
    en: 'Swedish grading scale: G (pass), VG (pass with distinction).',
  },
  'Godkänd/Ej godkänd': {
    sv: 'Godkänd eller ej godkänd.',
    en: 'Pass or fail.',
  },
  '1-5': {
    sv: 'Relativa betyg 1–5 (före 1996).',
    en: 'Swedish relative grades from 1 (lowest) to 5 (highest), used before 1996.',
  },
};

const DROPPED_SECTIONS: Record<string, string> = {
  contact: 'contact details',
  guardians: 'guardians',
  enrolments: 'placements (enrolments)',
  groups: 'groups',
  assessments: 'written assessments',
  attendance: 'attendance',
  supportMeasures: 'support measures',
  achievements: 'verifiable credentials',
  evidence: "pupils' work (ELMO attachments are human-readable copies of the report itself)",
};

class XmlWriter {
  private readonly lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  private depth = 0;

  open(name: string, attrs: Record<string, string> = {}): void {
    this.lines.push(`${this.indent()}<${name}${attributes(attrs)}>`);
    this.depth++;
  }

  close(name: string): void {
    this.depth--;
    this.lines.push(`${this.indent()}</${name}>`);
  }

  leaf(name: string, text: string, attrs: Record<string, string> = {}): void {
    this.lines.push(`${this.indent()}<${name}${attributes(attrs)}>${escapeText(text)}</${name}>`);
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }

  private indent(): string {
    return '  '.repeat(this.depth);
  }
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

function attributes(attrs: Record<string, string>): string {
  return Object.entries(attrs)
    .map(
      ([key, value]) =>
        ` ${key}="${escapeText(value).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;')}"`,
    )
    .join('');
}

class ElmoDocumentWriter {
  private readonly xml = new XmlWriter();

  constructor(
    private readonly record: LearnerRecord,
    private readonly target: ElmoExportTarget,
    private readonly options: ElmoOptions,
  ) {}

  private lose(kind: LossEntry['kind'], pointer: string, detail: string, field?: string): void {
    this.target.loss({
      kind,
      source: { pointer },
      target: { file: this.target.file, ...(field ? { field } : {}) },
      detail,
    });
  }

  /**
   * A string as an xs:token ELMO will read back: characters XML cannot carry are removed, and a value
   * whose whitespace the reader would collapse, or that is not NFC, is reported as approximated.
   */
  private token(value: string, pointer: string, field: string): string {
    let out = value;
    if (hasForbiddenXmlChar(out)) {
      out = withoutForbiddenXmlChars(out);
      this.lose(
        'approximated',
        pointer,
        'characters XML cannot carry (control characters) were removed',
        field,
      );
    }
    if (collapseToken(out) !== out || out.normalize('NFC') !== out) {
      this.lose('approximated', pointer, 'whitespace is collapsed and text normalised to NFC in ELMO', field);
    }
    return out;
  }

  write(): string {
    const { record, xml } = this;
    xml.open('elmo', {
      xmlns: ELMO_NAMESPACE,
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'xsi:schemaLocation': `${ELMO_NAMESPACE} ${ELMO_SCHEMA_LOCATION}`,
    });
    xml.leaf('generatedDate', this.target.now.toISOString());
    this.learner();
    this.reports();
    xml.close('elmo');
    for (const [section, what] of Object.entries(DROPPED_SECTIONS)) {
      const value = (record as unknown as Record<string, unknown>)[section];
      const present = Array.isArray(value) ? value.length > 0 : value !== undefined;
      if (present) this.lose('dropped', `/${section}`, `ELMO has no place for ${what}`);
    }
    return xml.toString();
  }

  private learner(): void {
    const { record, xml } = this;
    const { pupil } = record;
    const field = '/elmo/learner';
    xml.open('learner');
    const civicNo = pupil.civicNo;
    const foreign = civicNo && civicNo.nationality !== undefined && civicNo.nationality !== 'SE';
    if (civicNo && foreign) {
      xml.leaf('citizenship', civicNo.nationality as string);
      this.lose(
        'approximated',
        '/pupil/civicNo/nationality',
        "ELMO has no issuing country for a national identifier: the country is written as the learner's citizenship",
        `${field}/citizenship`,
      );
    }
    xml.leaf('identifier', this.token(record.source.id, '/source/id', `${field}/identifier`), {
      type: ID_TYPE.learnerLocal,
    });
    if (civicNo) {
      xml.leaf('identifier', this.token(civicNo.value, '/pupil/civicNo/value', `${field}/identifier`), {
        type: ID_TYPE.nationalIdentifier,
      });
    }
    pupil.externalIdentifiers?.forEach((id, i) => {
      const pointer = `/pupil/externalIdentifiers/${i}`;
      if (
        id.context === ID_TYPE.learnerLocal ||
        id.context === ID_TYPE.nationalIdentifier ||
        collapseToken(id.context) === ''
      ) {
        this.lose(
          'dropped',
          pointer,
          `an identifier in context "${id.context}" would be read back as another kind of ELMO identifier`,
        );
        return;
      }
      const type = this.token(id.context, `${pointer}/context`, `${field}/identifier/@type`);
      xml.leaf('identifier', this.token(id.value, `${pointer}/value`, `${field}/identifier`), { type });
      if (id.globallyUnique !== undefined) {
        this.lose(
          'dropped',
          `${pointer}/globallyUnique`,
          'ELMO identifiers do not say whether they are globally unique',
        );
      }
    });
    xml.leaf('givenNames', this.token(pupil.givenName, '/pupil/givenName', `${field}/givenNames`));
    let familyName = this.token(pupil.familyName, '/pupil/familyName', `${field}/familyName`);
    if (pupil.middleName !== undefined) {
      familyName = `${this.token(pupil.middleName, '/pupil/middleName', `${field}/familyName`)} ${familyName}`;
      const detail = 'ELMO has no middle name (mellannamn): it is written before the family name';
      this.lose('approximated', '/pupil/middleName', detail, `${field}/familyName`);
      this.lose('approximated', '/pupil/familyName', detail, `${field}/familyName`);
    }
    xml.leaf('familyName', familyName);
    if (pupil.birthDate) xml.leaf('bday', pupil.birthDate);
    if (pupil.sex) xml.leaf('gender', GENDER_CODES[pupil.sex]);
    xml.close('learner');
    if (pupil.securityMarking !== 'Ingen') {
      this.lose(
        'dropped',
        '/pupil/securityMarking',
        `ELMO cannot carry the pupil's protection (${pupil.securityMarking}): the receiver will not know of it`,
      );
    }
  }

  /** One report per school unit that set grades; grades naming no school unit are reported by the kommun. */
  private reports(): void {
    const grades = this.record.grades ?? [];
    const byUnit = new Map<string, number[]>();
    grades.forEach((grade, i) => {
      const key = grade.schoolUnitCode ?? '';
      byUnit.set(key, [...(byUnit.get(key) ?? []), i]);
    });
    if (byUnit.size === 0) {
      // ELMO needs a report; without grades its issuer is where the pupil is (or was last) placed.
      const enrolments = [...(this.record.enrolments ?? [])].sort((a, b) =>
        a.startDate.localeCompare(b.startDate),
      );
      this.report(enrolments[enrolments.length - 1]?.schoolUnitCode ?? '', [], 1);
      return;
    }
    const units = [...byUnit.keys()].sort();
    units.forEach((unit, n) =>
      this.report(unit, byUnit.get(unit) ?? [], units.length > 1 ? n + 1 : undefined),
    );
  }

  private report(schoolUnitCode: string, gradeIndexes: number[], position: number | undefined): void {
    const { xml } = this;
    const reportField = `/elmo/report${position === undefined ? '' : `[${position}]`}`;
    xml.open('report');
    this.issuer(schoolUnitCode);
    const grades = this.record.grades ?? [];
    let n = 0;
    for (const i of gradeIndexes) {
      n++;
      this.grade(
        grades[i],
        i,
        `${reportField}/learningOpportunitySpecification${gradeIndexes.length > 1 ? `[${n}]` : ''}`,
      );
    }
    xml.leaf('issueDate', this.target.now.toISOString());
    const scales = GRADE_SCALES.filter((scale) => gradeIndexes.some((i) => grades[i].gradeScale === scale));
    for (const scale of scales) {
      xml.open('gradingScheme', { localId: scale });
      xml.leaf('description', SCALE_DESCRIPTIONS[scale].sv, { 'xml:lang': 'sv' });
      xml.leaf('description', SCALE_DESCRIPTIONS[scale].en, { 'xml:lang': 'en' });
      xml.close('gradingScheme');
    }
    xml.close('report');
  }

  private issuer(schoolUnitCode: string): void {
    const { xml, options } = this;
    const unit = schoolUnitCode ? options.schoolUnits[schoolUnitCode] : undefined;
    xml.open('issuer');
    xml.leaf('country', 'SE');
    if (schoolUnitCode) {
      xml.leaf('identifier', schoolUnitCode, { type: ID_TYPE.schoolUnitCode });
      if (unit?.pic) xml.leaf('identifier', collapseToken(unit.pic), { type: 'pic' });
      if (unit?.erasmus) xml.leaf('identifier', collapseToken(unit.erasmus), { type: 'erasmus' });
      if (unit?.schac) xml.leaf('identifier', collapseToken(unit.schac), { type: 'schac' });
      xml.leaf('title', collapseToken(unit?.name ?? `Skolenhet ${schoolUnitCode}`), { 'xml:lang': 'sv' });
      xml.leaf(
        'url',
        collapseToken(unit?.url ?? options.issuerUrl ?? `urn:se-skolenhetskod:${schoolUnitCode}`),
      );
    } else {
      const kommun = this.target.kommunCode;
      xml.leaf('identifier', kommun, { type: ID_TYPE.kommunCode });
      xml.leaf('title', collapseToken(options.organiserName ?? `Kommun ${kommun}`), { 'xml:lang': 'sv' });
      xml.leaf('url', collapseToken(options.issuerUrl ?? `urn:se-kommunkod:${kommun}`));
    }
    xml.close('issuer');
  }

  private grade(grade: Grade, index: number, field: string): void {
    const { xml } = this;
    const pointer = `/grades/${index}`;
    const loiField = `${field}/specifies/learningOpportunityInstance`;
    xml.open('learningOpportunitySpecification');
    xml.leaf('identifier', grade.courseCode ?? grade.subjectCode, { type: ID_TYPE.losLocal });
    xml.leaf('identifier', grade.subjectCode, { type: ID_TYPE.subjectCode });
    if (grade.courseCode) xml.leaf('identifier', grade.courseCode, { type: ID_TYPE.courseCode });
    xml.leaf('title', grade.courseCode ?? SUBJECT_NAMES[grade.subjectCode] ?? grade.subjectCode, {
      'xml:lang': 'sv',
    });
    xml.leaf('type', 'Course');
    xml.open('specifies');
    xml.open('learningOpportunityInstance');
    xml.leaf('date', grade.registeredDate);

    let year = grade.year;
    if (grade.semester !== undefined && year === undefined) {
      year = Number(grade.registeredDate.slice(0, 4));
      this.lose(
        'approximated',
        `${pointer}/year`,
        'an ELMO term needs a year: taken from the date of the grade',
        `${loiField}/academicTerm`,
      );
    }
    if (grade.semester !== undefined && year !== undefined) {
      const { start, end } = termDates(grade.semester, year);
      xml.open('academicTerm');
      xml.leaf('title', `${grade.semester} ${year}`, { 'xml:lang': 'sv' });
      xml.leaf('title', `${grade.semester === 'HT' ? 'Autumn' : 'Spring'} term ${year}`, {
        'xml:lang': 'en',
      });
      xml.leaf('start', start);
      xml.leaf('end', end);
      xml.close('academicTerm');
    } else if (grade.year !== undefined) {
      this.lose('dropped', `${pointer}/year`, 'ELMO has no year without a term');
    }

    const value = this.token(grade.value, `${pointer}/value`, `${loiField}/resultLabel`);
    // A final grade is a finished course (passed or failed); a term grade is a course still in progress.
    const status = grade.final === true ? (FAILING_VALUES.has(value) ? 'failed' : 'passed') : 'in-progress';
    if (grade.final === undefined) {
      this.lose(
        'approximated',
        `${pointer}/final`,
        'ELMO states whether a course is finished: a grade not marked final is written as in progress',
        `${loiField}/status`,
      );
    }
    xml.leaf('status', status);
    xml.leaf('gradingSchemeLocalId', grade.gradeScale);
    xml.leaf('resultLabel', value);
    xml.close('learningOpportunityInstance');
    xml.close('specifies');
    xml.close('learningOpportunitySpecification');

    const dropped: [keyof Grade, string][] = [
      ['gradingTeacher', 'the grading teacher (betygssättande lärare)'],
      ['curriculum', 'the curriculum (läroplan)'],
      ['trial', 'whether the grade was given after a prövning'],
      ['correctionType', 'corrections (ändring, rättelse) of grades'],
      ['adaptedStudyPlan', 'anpassad studiegång'],
    ];
    for (const [key, what] of dropped) {
      if (grade[key] !== undefined)
        this.lose('dropped', `${pointer}/${key}`, `ELMO has no place for ${what}`);
    }
  }
}

/** One ELMO document for one pupil; losses go to target.loss. */
export function elmoDocument(record: LearnerRecord, target: ElmoExportTarget, options: ElmoOptions): string {
  return new ElmoDocumentWriter(record, target, options).write();
}
