// ELMO document (as an element tree) → one canonical learner record and its loss report.
// What maps: learner → pupil; each result (a learningOpportunityInstance with a resultLabel) → a grade
// when it has a Skolverket subject code and a canonical grade scale, otherwise a written assessment
// (kind Övrigt) that keeps the result readable; attachments → evidence. Everything else is a loss entry.
import { createHash } from 'node:crypto';
import type { FieldError } from '../../common/problem/domain-error';
import { isValidSwedishCivicNo, normaliseCivicNo } from '../../records/civic-number';
import type {
  Assessment,
  CivicNo,
  Evidence,
  ExternalIdentifier,
  Grade,
  GradeScale,
  LearnerRecord,
  Provenance,
  Pupil,
  Sex,
} from '../../records/learner-record.types';
import type { ImportContext, Location, LossEntry } from '../vendor-adapter.port';
import { collapseToken, ELMO_NAMESPACE, ID_TYPE, TERM_TITLE } from './elmo-format';
import { GRADE_SCALES, type ElmoOptions } from './elmo-options';
import { settleRecord, type PendingItem } from '../shared/record-check';
import { XmlDocumentError, type XmlElement } from './elmo-xml';

export interface AdapterIdentity {
  name: string;
  version: string;
}

export type ElmoImportOutcome =
  | { kind: 'record'; record: LearnerRecord; loss: LossEntry[]; source: Location }
  | { kind: 'rejected'; sourceId?: string; errors: FieldError[]; source: Location };

/** Refuses a document that is XML but not EMREX ELMO v1. */
export function assertElmoRoot(root: XmlElement): void {
  const prefix = root.qname.includes(':') ? root.qname.slice(0, root.qname.indexOf(':')) : undefined;
  const namespace = root.attrs[prefix ? `xmlns:${prefix}` : 'xmlns'];
  const where = [{ line: root.line, column: root.column }];
  if (root.name !== 'elmo') {
    throw new XmlDocumentError(
      'ELMO.NOT_ELMO',
      `The document's root element is <${root.qname}>, not an EMREX ELMO <elmo>.`,
      where.map((w) => ({ ...w, detail: `root element <${root.qname}>` })),
    );
  }
  if (namespace !== ELMO_NAMESPACE) {
    throw new XmlDocumentError(
      'ELMO.UNSUPPORTED_NAMESPACE',
      `The <elmo> element is in namespace ${namespace ? `"${namespace}"` : '(none)'}; EMREX ELMO v1 (${ELMO_NAMESPACE}) is read.`,
      where.map((w) => ({ ...w, detail: `namespace ${namespace ?? '(none)'}` })),
    );
  }
}

const kids = (el: XmlElement | undefined, name: string): XmlElement[] =>
  el ? el.children.filter((child) => child.name === name) : [];
const kid = (el: XmlElement | undefined, name: string): XmlElement | undefined =>
  el?.children.find((child) => child.name === name);
/** xs:token content, NFC, or undefined when empty. */
const token = (el: XmlElement | undefined): string | undefined => {
  const value = el ? collapseToken(el.text).normalize('NFC') : '';
  return value === '' ? undefined : value;
};
const lang = (el: XmlElement): string | undefined => el.attrs['xml:lang'];

/** The text in Swedish, else English, else the first given. */
function preferred(elements: XmlElement[]): string | undefined {
  const pick =
    elements.find((el) => lang(el) === 'sv') ?? elements.find((el) => lang(el) === 'en') ?? elements[0];
  return token(pick);
}

const XS_DATE = /^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:Z|[+-][0-9]{2}:[0-9]{2})?$/;
const XS_DATE_TIME_WITH_OFFSET =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})$/;

/** xs:date without its optional time zone (the canonical record holds calendar dates). */
function dateOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return XS_DATE.exec(value)?.[1] ?? value;
}

const STATUS_TEXT: Record<string, string> = {
  passed: 'godkänd',
  failed: 'underkänd',
  'in-progress': 'pågående',
};

/** Why an element has no place in the record, for the loss report. */
const DROPPED_REASONS: Record<string, string> = {
  citizenship: 'the learner record has no citizenship',
  placeOfBirth: 'the learner record has no place of birth',
  birthName: 'the learner record has no birth name',
  currentAddress: 'addresses are not read from ELMO',
  groups: 'ELMO groups only sort results for display',
  grouping: 'ELMO groups only sort results for display',
  extension: 'extensions are outside the ELMO standard',
  Signature:
    'the XML signature (xmldsig) is not verified by portabel: the results are imported as unverified',
  subjectArea: 'the learner record has no Erasmus subject area',
  iscedCode: 'the learner record has no ISCED-F code',
  url: 'the learner record keeps no course web page',
  description: 'descriptions are not kept',
  descriptionHtml: 'descriptions are not kept',
  credit: 'the learner record has no credits',
  level: 'the learner record has no qualification levels',
  languageOfInstruction: 'the learner record has no language of instruction',
  engagementHours: 'the learner record has no engagement hours',
  shortenedGrading: 'the learner record has no grade distribution',
  resultDistribution: 'the learner record has no grade distribution',
  academicTerm: 'only terms written as "HT 2025" / "VT 2026" (xml:lang="sv") map to semester and year',
  start: 'the learner record has no start date for a grade',
  diplomaSupplement: 'diploma supplements are not kept (their attachments are kept as evidence)',
  identifier: 'the learner record has no place for this identifier',
};

interface Issuer {
  name?: string;
  country?: string;
  schoolUnitCode?: string;
}

interface ReportContext {
  issuer: Issuer;
  issueDate?: string;
  issueDateTime?: string;
  gradingSchemes: Map<string, string | undefined>;
}

class ElmoImport {
  readonly loss: LossEntry[] = [];
  readonly origins = new Map<string, Location>();
  readonly grades: PendingItem<Grade>[] = [];
  readonly assessments: PendingItem<Assessment>[] = [];
  readonly evidence: PendingItem<Evidence>[] = [];
  readonly externalIdentifiers: PendingItem<ExternalIdentifier>[] = [];
  private readonly evidenceIds = new Set<string>();
  private attachmentIds = new Set<string>();
  private groupRefs = new Set<string>();
  private provenanceBase: Omit<Provenance, 'sourceId'>;

  constructor(
    private readonly root: XmlElement,
    private readonly file: string | undefined,
    private readonly ctx: ImportContext,
    private readonly options: ElmoOptions,
    adapter: AdapterIdentity,
  ) {
    this.provenanceBase = {
      sourcePlatform: ctx.platformId,
      adapter: adapter.name,
      adapterVersion: adapter.version,
      importedAt: ctx.now.toISOString(),
    };
  }

  at(el: XmlElement): Location {
    return { ...(this.file ? { file: this.file } : {}), line: el.line, column: el.column, field: el.path };
  }

  provenance(sourceId?: string): Provenance {
    return { ...this.provenanceBase, ...(sourceId ? { sourceId: sourceId.slice(0, 256) } : {}) };
  }

  drop(el: XmlElement, detail: string, kind: LossEntry['kind'] = 'dropped'): void {
    this.loss.push({ kind, source: this.at(el), detail });
  }

  /** One loss entry for each kind of child element the mapping did not use. */
  dropUnused(el: XmlElement, used: readonly string[]): void {
    const reported = new Set<string>();
    for (const child of el.children) {
      if (used.includes(child.name) || reported.has(child.name)) continue;
      reported.add(child.name);
      const count = el.children.filter((c) => c.name === child.name).length;
      const reason = DROPPED_REASONS[child.name] ?? 'the learner record has no place for it';
      this.drop(child, `<${child.qname}>${count > 1 ? ` (${count}×)` : ''}: ${reason}`);
    }
  }

  run(): ElmoImportOutcome {
    const learner = kid(this.root, 'learner');
    const reports = kids(this.root, 'report');
    if (!learner) {
      return {
        kind: 'rejected',
        errors: [{ ...this.fieldAt(this.root), pointer: '/pupil', detail: '<learner> is required' }],
        source: this.at(this.root),
      };
    }
    this.attachmentIds = new Set(
      findAll(this.root, 'attachment').flatMap((att) =>
        kids(att, 'identifier')
          .map((id) => token(id))
          .filter((id): id is string => id !== undefined),
      ),
    );
    this.groupRefs = new Set(
      kids(kid(this.root, 'groups'), 'groupType').flatMap((type) =>
        kids(type, 'group').map((group) => `${type.attrs.id ?? ''}\u0000${group.attrs.id ?? ''}`),
      ),
    );
    const issuerCountries = new Set(reports.map((report) => token(kid(kid(report, 'issuer'), 'country'))));
    const { pupil, sourceId } = this.pupil(learner, issuerCountries);
    for (const report of reports) this.report(report);
    for (const attachment of kids(this.root, 'attachment')) {
      this.attachment(attachment, token(kid(this.root, 'generatedDate')));
    }
    this.dropUnused(this.root, ['generatedDate', 'learner', 'report', 'attachment']);

    const source = this.at(learner);
    const settled = settleRecord({
      // Line and column into the XML; the detail names the element the value came from.
      placeError: (error, origin) => ({
        ...(origin.file ? { file: origin.file } : {}),
        ...(origin.line !== undefined ? { line: origin.line } : {}),
        ...(origin.column !== undefined ? { column: origin.column } : {}),
        pointer: error.pointer,
        detail: `${origin.field ? `${origin.field}: ` : ''}${error.detail}`,
      }),
      base: {
        schemaVersion: '1.0',
        source: { platform: this.ctx.platformId, id: sourceId },
        pupil,
      },
      sections: {
        '/pupil/externalIdentifiers': this.externalIdentifiers,
        '/grades': this.grades,
        '/assessments': this.assessments,
        '/evidence': this.evidence,
      },
      origins: this.origins,
      fallback: source,
    });
    if (settled.kind === 'rejected') return { kind: 'rejected', sourceId, errors: settled.errors, source };
    return { kind: 'record', record: settled.record, loss: [...this.loss, ...settled.loss], source };
  }

  fieldAt(el: XmlElement): Pick<FieldError, 'file' | 'line' | 'column'> {
    return { ...(this.file ? { file: this.file } : {}), line: el.line, column: el.column };
  }

  // -------------------------------------------------------------------------------------------------
  // learner → pupil

  private pupil(
    learner: XmlElement,
    issuerCountries: Set<string | undefined>,
  ): { pupil: Pupil; sourceId: string } {
    const used = ['identifier', 'givenNames', 'familyName', 'bday', 'gender'];
    const citizenshipEl = kid(learner, 'citizenship');
    const citizenship = token(citizenshipEl);
    const givenNamesEl = kid(learner, 'givenNames');
    const familyNameEl = kid(learner, 'familyName');
    const bdayEl = kid(learner, 'bday');
    this.origins.set('/pupil', this.at(learner));
    if (givenNamesEl) this.origins.set('/pupil/givenName', this.at(givenNamesEl));
    if (familyNameEl) this.origins.set('/pupil/familyName', this.at(familyNameEl));
    if (bdayEl) this.origins.set('/pupil/birthDate', this.at(bdayEl));
    const givenName = token(givenNamesEl) ?? '';
    const familyName = token(familyNameEl) ?? '';
    const birthDate = dateOf(token(bdayEl));

    let local: string | undefined;
    let national: { value: string; el: XmlElement } | undefined;
    for (const el of kids(learner, 'identifier')) {
      const type = collapseToken(el.attrs.type ?? '');
      const value = token(el);
      if (value === undefined || type === '') {
        this.drop(el, `<identifier> without ${value === undefined ? 'a value' : 'a type'}`);
      } else if (type === ID_TYPE.learnerLocal && local === undefined) {
        local = value;
        this.origins.set('/source/id', this.at(el));
      } else if (type === ID_TYPE.nationalIdentifier && national === undefined) {
        national = { value, el };
      } else if (type === ID_TYPE.learnerLocal || type === ID_TYPE.nationalIdentifier) {
        this.drop(el, `a second <identifier type="${type}">: only the first is read`);
      } else {
        this.externalIdentifiers.push({ value: { value, context: type }, origin: this.at(el), losses: [] });
      }
    }

    let civicNo: CivicNo | undefined;
    let citizenshipUsed = false;
    if (national) {
      const origin = this.at(national.el);
      this.origins.set('/pupil/civicNo', origin);
      const swedish = normaliseCivicNo(national.value, this.ctx.now);
      const swedishIssuer = issuerCountries.has('SE');
      const isSwedish =
        swedish !== undefined &&
        (isValidSwedishCivicNo(swedish)
          ? citizenship === undefined || citizenship === 'SE' || swedishIssuer
          : // Written like a personnummer by or for a Swede: an invalid one is refused by the record's rules.
            citizenship === 'SE' || (citizenship === undefined && swedishIssuer));
      if (isSwedish) {
        civicNo = { value: swedish, nationality: 'SE' };
        citizenshipUsed = citizenship === 'SE';
      } else if (citizenship && citizenship !== 'SE') {
        civicNo = { value: national.value, nationality: citizenship };
        citizenshipUsed = true;
        this.loss.push({
          kind: 'approximated',
          source: this.at(citizenshipEl as XmlElement),
          target: { pointer: '/pupil/civicNo/nationality' },
          detail: `ELMO gives the learner's citizenship (${citizenship}), not the country that issued the national identifier; taken to be the same`,
        });
      } else {
        this.externalIdentifiers.push({
          value: { value: national.value, context: ID_TYPE.nationalIdentifier },
          origin,
          losses: [
            {
              kind: 'approximated',
              source: origin,
              detail:
                'a national identifier of unknown country (no citizenship): kept as an external identifier',
            },
          ],
        });
      }
    }
    if (citizenshipEl && citizenshipUsed) used.push('citizenship');

    const genderEl = kid(learner, 'gender');
    let sex: Sex | undefined;
    if (genderEl) {
      const code = token(genderEl);
      sex =
        code === '1' ? 'Man' : code === '2' ? 'Kvinna' : code === '0' || code === '9' ? 'Okänt' : undefined;
      if (sex === undefined)
        this.drop(genderEl, `gender "${code ?? ''}" is not an ISO/IEC 5218 code`, 'unknown-code');
      else if (code === '9') {
        this.loss.push({
          kind: 'approximated',
          source: this.at(genderEl),
          target: { pointer: '/pupil/sex' },
          detail: 'ISO/IEC 5218 code 9 (not applicable) taken as Okänt',
        });
      }
      this.origins.set('/pupil/sex', this.at(genderEl));
    }
    this.dropUnused(learner, used);
    this.loss.push({
      kind: 'defaulted',
      source: this.at(learner),
      target: { pointer: '/pupil/securityMarking' },
      detail:
        'ELMO carries no protection of personal data (skyddad folkbokföring, sekretessmarkering): set to Ingen',
    });

    let sourceId = local;
    if (sourceId === undefined && national) {
      sourceId = `elmo-${sha256(`${ID_TYPE.nationalIdentifier}\n${citizenship ?? ''}\n${national.value}`).slice(0, 40)}`;
    }
    if (sourceId === undefined) {
      sourceId = `elmo-${sha256(`name\n${givenName}\n${familyName}\n${birthDate ?? ''}`).slice(0, 40)}`;
      this.loss.push({
        kind: 'defaulted',
        source: this.at(learner),
        target: { pointer: '/source/id' },
        detail: 'the learner has no identifier: the pupil is identified by name and birth date',
      });
    }
    const pupil: Pupil = {
      ...(civicNo ? { civicNo } : {}),
      givenName,
      familyName,
      ...(birthDate ? { birthDate } : {}),
      ...(sex ? { sex } : {}),
      securityMarking: 'Ingen',
      provenance: this.provenance(sourceId),
    };
    return { pupil, sourceId };
  }

  // -------------------------------------------------------------------------------------------------
  // report → grades, assessments, evidence

  private report(report: XmlElement): void {
    const issuerEl = kid(report, 'issuer');
    const schoolUnitCode = kids(issuerEl, 'identifier')
      .filter((id) => collapseToken(id.attrs.type ?? '') === ID_TYPE.schoolUnitCode)
      .map((id) => token(id))
      .find((code) => code !== undefined && /^[0-9]{8}$/.test(code));
    const issueDateTime = token(kid(report, 'issueDate'));
    const context: ReportContext = {
      issuer: {
        name: preferred(kids(issuerEl, 'title')),
        country: token(kid(issuerEl, 'country')),
        ...(schoolUnitCode ? { schoolUnitCode } : {}),
      },
      issueDateTime,
      issueDate:
        issueDateTime && /^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(issueDateTime)
          ? issueDateTime.slice(0, 10)
          : undefined,
      gradingSchemes: new Map(
        kids(report, 'gradingScheme').map((scheme) => [
          collapseToken(scheme.attrs.localId ?? ''),
          preferred(kids(scheme, 'description')),
        ]),
      ),
    };
    for (const los of kids(report, 'learningOpportunitySpecification')) this.los(los, context, []);
    for (const attachment of kids(report, 'attachment')) this.attachment(attachment, issueDateTime);
    for (const ds of findAll(report, 'diplomaSupplement')) {
      for (const attachment of findAll(ds, 'attachment')) this.attachment(attachment, issueDateTime);
    }
    this.dropUnused(report, [
      'issuer',
      'learningOpportunitySpecification',
      'issueDate',
      'gradingScheme',
      'attachment',
    ]);
  }

  private los(los: XmlElement, report: ReportContext, parents: string[]): void {
    const identifiers = kids(los, 'identifier').map((el) => ({
      type: collapseToken(el.attrs.type ?? ''),
      value: token(el),
    }));
    const idOf = (type: string) => identifiers.find((id) => id.type === type)?.value;
    const localId = idOf(ID_TYPE.losLocal);
    const title = preferred(kids(los, 'title'));
    const type = token(kid(los, 'type'));
    const loi = kid(kid(los, 'specifies'), 'learningOpportunityInstance');
    if (loi) this.instance(los, loi, { localId, title, type, idOf, parents }, report);
    const specifies = kid(los, 'specifies');
    if (specifies) this.dropUnused(specifies, ['learningOpportunityInstance']);
    this.dropUnused(los, ['identifier', 'title', 'type', 'specifies', 'hasPart']);
    const name = title ?? localId ?? '(untitled)';
    for (const part of kids(los, 'hasPart')) {
      for (const child of kids(part, 'learningOpportunitySpecification'))
        this.los(child, report, [...parents, name]);
    }
  }

  private instance(
    los: XmlElement,
    loi: XmlElement,
    node: {
      localId?: string;
      title?: string;
      type?: string;
      idOf: (type: string) => string | undefined;
      parents: string[];
    },
    report: ReportContext,
  ): void {
    const resultLabel = token(kid(loi, 'resultLabel'));
    const status = token(kid(loi, 'status'));
    const schemeEl = kid(loi, 'gradingSchemeLocalId');
    const schemeId = token(schemeEl);
    this.checkReferences(loi, schemeEl, schemeId, report);
    const label = `${node.title ?? '(untitled)'}${node.localId ? ` (${node.localId})` : ''}`;

    if (resultLabel === undefined) {
      const parts = loi.children
        .map((child) => child.name)
        .filter((name) => name !== 'attachments' && name !== 'grouping');
      this.drop(
        loi,
        `${node.type ?? 'node'} ${label} has no resultLabel, so it is not kept${parts.length > 0 ? ` (${[...new Set(parts)].join(', ')})` : ''}`,
      );
      return;
    }

    const subjectCode =
      node.idOf(ID_TYPE.subjectCode) ??
      (node.localId !== undefined ? this.options.subjectCodes[node.localId] : undefined) ??
      (node.title !== undefined ? this.options.subjectCodes[node.title] : undefined);
    const courseCode = node.idOf(ID_TYPE.courseCode);
    const gradeScale: GradeScale | undefined =
      schemeId === undefined
        ? undefined
        : GRADE_SCALES.includes(schemeId as GradeScale)
          ? (schemeId as GradeScale)
          : this.options.gradeScales[schemeId];

    const dateEl = kid(loi, 'date');
    const termEl = kid(loi, 'academicTerm');
    const termEnd = dateOf(token(kid(termEl, 'end')));
    const date = dateOf(token(dateEl)) ?? termEnd ?? report.issueDate;
    const dateFrom = dateEl ? 'date' : termEnd ? 'academicTerm/end' : "the report's issueDate";

    if (subjectCode !== undefined && gradeScale !== undefined && date !== undefined) {
      const term = this.term(termEl);
      const grade: Grade = {
        subjectCode,
        ...(courseCode ? { courseCode } : {}),
        gradeScale,
        value: resultLabel,
        final: status !== 'in-progress',
        registeredDate: date,
        ...(term ?? {}),
        ...(report.issuer.schoolUnitCode ? { schoolUnitCode: report.issuer.schoolUnitCode } : {}),
        provenance: this.provenance(node.localId),
      };
      const losses: PendingItem<Grade>['losses'] = [];
      if (!dateEl) {
        losses.push({
          kind: 'approximated',
          source: this.at(loi),
          targetSuffix: '/registeredDate',
          detail: `the result has no date: the grade's date is taken from ${dateFrom}`,
        });
      }
      this.grades.push({ value: grade, origin: this.at(loi), losses });
      const used = ['date', 'status', 'gradingSchemeLocalId', 'resultLabel', 'attachments', 'grouping'];
      if (term) used.push('academicTerm');
      this.dropUnused(loi, used);
      return;
    }

    // No Skolverket subject or no canonical scale: keep the result readable as a written assessment.
    const why =
      subjectCode === undefined
        ? `it has no Skolverket subject code (no ${ID_TYPE.subjectCode} identifier, and the subjectCodes option has no entry for ${
            [node.localId, node.title]
              .filter(Boolean)
              .map((s) => `"${s}"`)
              .join(' or ') || 'it'
          })`
        : `its grading scheme ${schemeId ? `"${schemeId}"` : '(none)'} is not a canonical grade scale (gradeScales option)`;
    const text = resultText(loi, node, report, { resultLabel, status, schemeId });
    const assessment: Assessment = {
      kind: 'Övrigt',
      ...(subjectCode ? { subjectCode } : {}),
      date: date ?? this.ctx.now.toISOString().slice(0, 10),
      text,
      provenance: this.provenance(node.localId),
    };
    this.assessments.push({
      value: assessment,
      origin: this.at(loi),
      losses: [
        {
          kind: subjectCode === undefined ? 'approximated' : 'unknown-code',
          source: this.at(loi),
          targetSuffix: '',
          detail: `result ${label} is kept as a written assessment (Övrigt), not a grade: ${why}${date === undefined ? '; dated the day of import' : dateEl ? '' : `; dated from ${dateFrom}`}`,
        },
      ],
    });
    this.dropUnused(loi, [
      'date',
      'start',
      'academicTerm',
      'status',
      'gradingSchemeLocalId',
      'resultLabel',
      'credit',
      'level',
      'languageOfInstruction',
      'engagementHours',
      'attachments',
      'grouping',
    ]);
  }

  /** Semester and year from a term portabel wrote; any other term is reported by dropUnused. */
  private term(termEl: XmlElement | undefined): Pick<Grade, 'semester' | 'year'> | undefined {
    const title = kids(termEl, 'title').find((el) => lang(el) === 'sv');
    const match = title ? TERM_TITLE.exec(token(title) ?? '') : null;
    if (!match) return undefined;
    return { semester: match[1] as 'HT' | 'VT', year: Number(match[2]) };
  }

  /** Dangling references inside one instance: grading scheme, attachments, grouping. */
  private checkReferences(
    loi: XmlElement,
    schemeEl: XmlElement | undefined,
    schemeId: string | undefined,
    report: ReportContext,
  ): void {
    if (
      schemeEl &&
      schemeId !== undefined &&
      !report.gradingSchemes.has(schemeId) &&
      !GRADE_SCALES.includes(schemeId as GradeScale)
    ) {
      this.drop(
        schemeEl,
        `refers to grading scheme "${schemeId}", which the report does not describe`,
        'unknown-code',
      );
    }
    for (const ref of kids(kid(loi, 'attachments'), 'ref')) {
      const id = token(ref);
      if (id !== undefined && !this.attachmentIds.has(id)) {
        this.drop(ref, `refers to attachment "${id}", which is not in the document`);
      }
    }
    const grouping = kid(loi, 'grouping');
    if (grouping) {
      const key = `${grouping.attrs.typeref ?? ''}\u0000${grouping.attrs.idref ?? ''}`;
      this.drop(
        grouping,
        this.groupRefs.has(key)
          ? `<grouping>: ${DROPPED_REASONS.grouping}`
          : `<grouping> refers to group ${grouping.attrs.typeref ?? '?'}/${grouping.attrs.idref ?? '?'}, which is not in the document`,
      );
    }
  }

  // -------------------------------------------------------------------------------------------------
  // attachment → evidence

  private attachment(attachment: XmlElement, recordedAt: string | undefined): void {
    const internalId = kids(attachment, 'identifier')
      .map((id) => token(id))
      .find((id) => id !== undefined);
    const title = preferred(kids(attachment, 'title'));
    const type = token(kid(attachment, 'type'));
    const contents = kids(attachment, 'content');
    for (const content of contents) {
      const uri = token(content) ?? '';
      const decoded = decodeDataUri(uri);
      if (!decoded) {
        this.drop(
          content,
          uri.startsWith('data:')
            ? 'attachment content is not a well-formed data: URI (truncated or invalid base64): no evidence can be made of it'
            : 'attachment content is not a data: URI: ELMO attachments must embed their content',
        );
        continue;
      }
      const digest = sha256(decoded.bytes);
      const id = `elmo-attachment-${digest.slice(0, 32)}`;
      if (this.evidenceIds.has(id)) continue; // the same bytes again, e.g. one PDF under two languages
      this.evidenceIds.add(id);
      const contentLang = lang(content);
      const name = [title ?? type ?? 'ELMO attachment', title && type && type !== title ? ` (${type})` : '']
        .join('')
        .concat(contents.length > 1 && contentLang ? ` [${contentLang}]` : '');
      const losses: PendingItem<Evidence>['losses'] = [];
      const keepUri = uri.length <= 2048;
      if (!keepUri) {
        losses.push({
          kind: 'dropped',
          source: this.at(content),
          targetSuffix: '/uri',
          detail: `attachment content (${decoded.bytes.length} bytes) is too large to keep in the record: it is referenced by its SHA-256 digest`,
        });
      }
      this.evidence.push({
        value: {
          id,
          uri: keepUri ? uri : `urn:elmo:attachment:sha256:${digest}`,
          sha256: digest,
          ...(decoded.mediaType ? { mediaType: decoded.mediaType } : {}),
          title: name.slice(0, 1000),
          ...(recordedAt && XS_DATE_TIME_WITH_OFFSET.test(recordedAt) ? { recordedAt } : {}),
          provenance: this.provenance(internalId),
        },
        origin: this.at(content),
        losses,
      });
    }
    this.dropUnused(attachment, ['identifier', 'title', 'type', 'content']);
  }
}

/** Decodes a data: URI (RFC 2397); undefined when it is not one or its payload is broken. */
export function decodeDataUri(uri: string): { bytes: Buffer; mediaType?: string } | undefined {
  const match = /^data:([^,]*),(.*)$/s.exec(uri);
  if (!match) return undefined;
  const params = match[1].split(';');
  const mediaType = params[0].trim().toLowerCase();
  const base64 = params.slice(1).some((p) => p.trim().toLowerCase() === 'base64');
  let bytes: Buffer;
  if (base64) {
    const clean = match[2].replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) return undefined;
    bytes = Buffer.from(clean, 'base64');
  } else {
    try {
      bytes = Buffer.from(decodeURIComponent(match[2]), 'utf8');
    } catch {
      return undefined;
    }
  }
  const validMediaType = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(
    mediaType,
  );
  return { bytes, ...(validMediaType ? { mediaType } : {}) };
}

/** A foreign result, written out for the registrar who will assess it. */
function resultText(
  loi: XmlElement,
  node: { localId?: string; title?: string; type?: string; parents: string[] },
  report: ReportContext,
  result: { resultLabel: string; status?: string; schemeId?: string },
): string {
  const lines: string[] = [];
  lines.push(
    `${node.title ?? '(untitled)'}${node.localId ? ` (${node.localId})` : ''}${node.type ? `, ${node.type}` : ''}`,
  );
  if (node.parents.length > 0) lines.push(`Del av: ${node.parents.join(' / ')}`);
  if (report.issuer.name) {
    lines.push(
      `Utfärdare: ${report.issuer.name}${report.issuer.country ? ` (${report.issuer.country})` : ''}`,
    );
  }
  const scheme = result.schemeId
    ? ` (betygsskala ${result.schemeId}${report.gradingSchemes.get(result.schemeId) ? `: ${report.gradingSchemes.get(result.schemeId)}` : ''})`
    : '';
  lines.push(`Resultat: ${result.resultLabel}${scheme}`);
  if (result.status) lines.push(`Status: ${STATUS_TEXT[result.status] ?? result.status}`);
  for (const credit of kids(loi, 'credit')) {
    const value = token(kid(credit, 'value'));
    const level = token(kid(credit, 'level'));
    lines.push(
      `Poäng: ${value ?? '?'} ${token(kid(credit, 'scheme')) ?? ''}${level ? ` (${level})` : ''}`.trim(),
    );
  }
  for (const level of kids(loi, 'level')) {
    lines.push(`Nivå: ${token(kid(level, 'type')) ?? ''} ${token(kid(level, 'value')) ?? ''}`.trim());
  }
  const term = kid(loi, 'academicTerm');
  if (term) {
    const start = dateOf(token(kid(term, 'start')));
    const end = dateOf(token(kid(term, 'end')));
    lines.push(
      `Termin: ${preferred(kids(term, 'title')) ?? ''}${start || end ? ` (${start ?? '?'} – ${end ?? '?'})` : ''}`.trim(),
    );
  }
  const start = dateOf(token(kid(loi, 'start')));
  const date = dateOf(token(kid(loi, 'date')));
  if (start || date) lines.push(`Datum: ${start ? `${start} – ` : ''}${date ?? ''}`.trim());
  const language = token(kid(loi, 'languageOfInstruction'));
  if (language) lines.push(`Undervisningsspråk: ${language}`);
  const hours = token(kid(loi, 'engagementHours'));
  if (hours) lines.push(`Undervisningstimmar: ${hours}`);
  return lines.join('\n').slice(0, 20000);
}

function findAll(el: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (node: XmlElement): void => {
    for (const child of node.children) {
      if (child.name === name) found.push(child);
      else if (child.name !== 'extension') walk(child);
    }
  };
  walk(el);
  return found;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Maps one parsed ELMO document (already checked by assertElmoRoot) to a record or a rejection. */
export function mapElmoDocument(
  root: XmlElement,
  file: string | undefined,
  ctx: ImportContext,
  options: ElmoOptions,
  adapter: AdapterIdentity,
): ElmoImportOutcome {
  return new ElmoImport(root, file, ctx, options, adapter).run();
}
