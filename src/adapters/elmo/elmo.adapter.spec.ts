import { createHash } from 'node:crypto';
import {
  createReadStream,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { ZipFile } from 'yazl';
import type { LearnerRecord } from '../../records/learner-record.types';
import { validateLearnerRecord } from '../../records/learner-record.validator';
import { generatePupils } from '../../seed/pupil-generator';
import { AdapterInputError } from '../adapter-input.errors';
import type { AdapterInput, ImportItem, LossEntry } from '../vendor-adapter.port';
import { elmoAdapter, elmoDocument } from './elmo.adapter';
import { readElmoOptions } from './elmo-options';
import { readZipEntries } from './elmo-zip';
import { SAMPLES as SAMPLES_ROOT } from '../../../test/helpers/samples';

const SAMPLE = resolve(SAMPLES_ROOT, 'elmo/example.xml');
const FIXTURES = join(__dirname, 'fixtures');
const NOW = new Date('2026-01-15T10:00:00Z');
const PROVENANCE = {
  sourcePlatform: 'emrex-se',
  adapter: 'elmo',
  adapterVersion: '1.0.0',
  importedAt: '2026-01-15T10:00:00.000Z',
};

let tmp: string;
beforeAll(() => (tmp = mkdtempSync(join(tmpdir(), 'elmo-spec-'))));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fileInput(path: string, fileName = path.split('/').pop()): AdapterInput {
  return { open: () => createReadStream(path), path, size: statSync(path).size, fileName };
}

let written = 0;
function bytesInput(bytes: Buffer | string, fileName: string): AdapterInput {
  const path = join(tmp, `${++written}-${fileName}`);
  writeFileSync(path, bytes);
  return fileInput(path, fileName);
}

const importCtx = (options: Record<string, unknown> = {}) => ({
  platformId: 'emrex-se',
  options,
  kommunCode: '1980',
  now: NOW,
});

async function importAll(input: AdapterInput, options: Record<string, unknown> = {}): Promise<ImportItem[]> {
  const items: ImportItem[] = [];
  for await (const item of elmoAdapter.import!(input, importCtx(options), {})) items.push(item);
  return items;
}

async function importError(input: AdapterInput): Promise<AdapterInputError> {
  try {
    await importAll(input);
  } catch (err) {
    if (err instanceof AdapterInputError) return err;
    throw err;
  }
  throw new Error('expected an AdapterInputError');
}

async function exportAll(records: LearnerRecord[], options: Record<string, unknown> = {}) {
  const loss: LossEntry[] = [];
  const source = () => Readable.from(records);
  const chunks: Buffer[] = [];
  const ctx = {
    platformId: 'emrex-se',
    options,
    kommunCode: '1980',
    now: NOW,
    loss: (e: LossEntry) => loss.push(e),
  };
  for await (const chunk of elmoAdapter.export!(source(), ctx)) chunks.push(Buffer.from(chunk));
  return { bytes: Buffer.concat(chunks), loss };
}

async function zipTexts(bytes: Buffer): Promise<Map<string, string>> {
  const path = join(tmp, `${++written}-out.zip`);
  writeFileSync(path, bytes);
  const files = new Map<string, string>();
  for await (const entry of readZipEntries(path, 1 << 26)) {
    if (entry.kind === 'file') files.set(entry.name, entry.bytes.toString('utf8'));
  }
  return files;
}

const record = (item: ImportItem | undefined): LearnerRecord & { loss?: never } => {
  if (item?.kind !== 'record') throw new Error(`expected a record, got ${JSON.stringify(item)}`);
  return item.record;
};
const lossOf = (item: ImportItem | undefined): LossEntry[] => (item?.kind === 'record' ? item.loss : []);
const doc = (learner: string, reports = '') => `<?xml version="1.0" encoding="UTF-8"?>
<elmo xmlns="https://github.com/emrex-eu/elmo-schemas/tree/v1">
  <generatedDate>2025-06-16T09:30:00+02:00</generatedDate>
  <learner>
${learner}
  </learner>
  <report>
    <issuer>
      <country>SE</country>
      <identifier type="se-skolenhetskod">18492305</identifier>
      <title xml:lang="sv">Västerbergsskolan</title>
      <url>https://www.vasteras.se/vasterbergsskolan</url>
    </issuer>
${reports}    <issueDate>2025-06-16T09:30:00+02:00</issueDate>
  </report>
</elmo>
`;

describe('elmo adapter: the official EMREX example', () => {
  it('imports the learner, keeps each foreign result readable as an assessment and reports the rest', async () => {
    const items = await importAll(fileInput(SAMPLE));
    expect(items).toHaveLength(1);
    const imported = record(items[0]);
    expect(validateLearnerRecord(imported)).toEqual([]);
    expect(imported).toEqual({
      schemaVersion: '1.0',
      source: { platform: 'emrex-se', id: 'elmo-f5783529799a513fb984cc4f066797e4f6ef8a4f' },
      pupil: {
        civicNo: { value: '83041200000', nationality: 'PL' },
        givenName: 'Wojciech Łukasz',
        familyName: 'Rygielski',
        birthDate: '1983-04-12',
        securityMarking: 'Ingen',
        externalIdentifiers: [{ value: 'ABC000000', context: 'someOtherCustomIdentifierType' }],
        provenance: { ...PROVENANCE, sourceId: 'elmo-f5783529799a513fb984cc4f066797e4f6ef8a4f' },
      },
      assessments: [
        {
          kind: 'Övrigt',
          date: '2010-07-02',
          text: [
            'Identifying ectomycorrhizal fungi (University of Copenhagen) (EKSTERN), Course',
            'Del av: Master of Science in Biology',
            'Utfärdare: University of Warsaw (PL)',
            'Resultat: Innpasset',
            'Poäng: 15 ECTS',
            'Termin: 2007 Autumn (2010-01-15 – 2010-07-02)',
          ].join('\n'),
          provenance: { ...PROVENANCE, sourceId: 'EKSTERN' },
        },
        {
          kind: 'Övrigt',
          date: '2015-03-17',
          text: [
            'Compiler construction (1000-217bMRJ), Course',
            'Utfärdare: University of Warsaw (PL)',
            'Resultat: 45.1 (betygsskala 0-100: A number of the scale from 0.0 to 100.0 (one digit of precision))',
            'Status: godkänd',
            'Poäng: 6 ects (Bachelor)',
            'Nivå: EQF 5',
            'Nivå: NQF 5',
            'Termin: Winter Semester of 2014 (2014-10-01 – 2015-02-15)',
            'Datum: 2014-10-01 – 2015-03-17',
            'Undervisningsspråk: pl',
          ].join('\n'),
          provenance: { ...PROVENANCE, sourceId: '1000-217bMRJ' },
        },
        {
          kind: 'Övrigt',
          date: '2015-10-31',
          // The title mixes an escaped "<b" with a CDATA "r>": it must read as plain text.
          text: [
            'The importance of <br> in HTML',
            'Utfärdare: University of Warsaw (PL)',
            'Resultat: C (betygsskala AM: American grading scale)',
            'Status: godkänd',
          ].join('\n'),
          provenance: PROVENANCE,
        },
      ],
    });
  });

  it('reports every part of the example it does not keep, with its line', async () => {
    const loss = lossOf((await importAll(fileInput(SAMPLE)))[0]);
    expect(
      loss.map((l) => [l.kind, l.source.line, l.source.field?.split('/').pop(), l.target?.pointer]),
    ).toEqual([
      ['approximated', 26, 'citizenship', '/pupil/civicNo/nationality'],
      ['defaulted', 25, 'learner', '/pupil/securityMarking'],
      ['dropped', 55, 'learningOpportunityInstance', undefined], // the degree programme: no result
      ['dropped', 52, 'iscedCode', undefined],
      ['dropped', 53, 'url', undefined],
      ['dropped', 245, 'grouping', undefined],
      ['dropped', 208, 'shortenedGrading', undefined],
      ['dropped', 213, 'resultDistribution', undefined],
      ['dropped', 175, 'subjectArea', undefined],
      ['dropped', 176, 'iscedCode', undefined],
      ['dropped', 177, 'url', undefined],
      ['dropped', 178, 'description[1]', undefined],
      ['dropped', 186, 'descriptionHtml', undefined],
      ['dropped', 258, 'grouping', undefined],
      ['dropped', 255, 'learningOpportunityInstance', undefined], // Lecture: passed, no result label
      ['dropped', 274, 'grouping', undefined],
      ['dropped', 270, 'learningOpportunityInstance', undefined], // Lab classes
      ['dropped', 299, 'resultDistribution', undefined],
      ['dropped', 330, 'content', undefined], // attachments: "...base64,iiNhz6QfDnnDybjHLBF2..." is truncated
      ['dropped', 338, 'content', undefined],
      ['dropped', 336, 'description[1]', undefined],
      ['dropped', 107, 'content', undefined],
      ['dropped', 138, 'content', undefined],
      ['dropped', 346, 'content[1]', undefined],
      ['dropped', 347, 'content[2]', undefined],
      ['dropped', 349, 'groups', undefined],
      ['dropped', 369, 'Signature', undefined],
      ['approximated', 152, 'learningOpportunityInstance', '/assessments/0'],
      ['approximated', 197, 'learningOpportunityInstance', '/assessments/1'],
      ['approximated', 295, 'learningOpportunityInstance', '/assessments/2'],
    ]);
    expect(loss.find((l) => l.source.line === 369)?.detail).toMatch(/not verified/);
    expect(loss.every((l) => l.source.file === 'example.xml')).toBe(true);
  });

  it('makes grades of foreign results once the registration maps their subject and scale', async () => {
    const options = {
      subjectCodes: { 'The importance of <br> in HTML': 'EN', '1000-217bMRJ': 'TK' },
      gradeScales: { AM: 'A-F' },
    };
    const item = (await importAll(fileInput(SAMPLE), options))[0];
    const imported = record(item);
    expect(imported.grades).toEqual([
      {
        subjectCode: 'EN',
        gradeScale: 'A-F',
        value: 'C',
        final: true,
        registeredDate: '2015-10-31',
        provenance: PROVENANCE,
      },
    ]);
    // Compiler construction has a subject now, but "0-100" is still no canonical scale.
    expect(imported.assessments?.map((a) => a.subjectCode)).toEqual([undefined, 'TK']);
    expect(
      lossOf(item).filter((l) => l.target?.pointer?.startsWith('/grades') || l.kind === 'unknown-code'),
    ).toEqual([
      expect.objectContaining({
        kind: 'approximated',
        target: { pointer: '/grades/0/registeredDate' },
        detail: "the result has no date: the grade's date is taken from the report's issueDate",
      }),
      expect.objectContaining({ kind: 'unknown-code', target: { pointer: '/assessments/1' } }),
    ]);
  });
});

describe('elmo adapter: import', () => {
  it("reads a Swedish school's document: personnummer, grades with terms, a transcript as evidence", async () => {
    const items = await importAll(fileInput(join(FIXTURES, 'ok', 'swedish-pupil.xml')));
    const imported = record(items[0]);
    expect(validateLearnerRecord(imported)).toEqual([]);
    const pdf = Buffer.from(
      'JVBERi0xLjQKMSAwIG9iago8PCAvVHlwZSAvQ2F0YWxvZyA+PgplbmRvYmoKdHJhaWxlcgo8PCAvUm9vdCAxIDAgUiA+PgolJUVPRgo=',
      'base64',
    );
    const digest = createHash('sha256').update(pdf).digest('hex');
    const unit = { schoolUnitCode: '18492305' };
    expect(imported).toEqual({
      schemaVersion: '1.0',
      source: { platform: 'emrex-se', id: 'vbs-4711' },
      pupil: {
        civicNo: { value: '201003152384', nationality: 'SE' },
        givenName: 'Åsa Märta',
        familyName: 'Öberg',
        birthDate: '2010-03-15',
        sex: 'Kvinna',
        securityMarking: 'Ingen',
        externalIdentifiers: [
          { value: 'urn:schac:personalUniqueCode:int:esi:se:201003152384', context: 'esi' },
        ],
        provenance: { ...PROVENANCE, sourceId: 'vbs-4711' },
      },
      grades: [
        {
          subjectCode: 'MA',
          gradeScale: 'A-F',
          value: 'C',
          final: false,
          registeredDate: '2024-12-18',
          semester: 'HT',
          year: 2024,
          ...unit,
          provenance: { ...PROVENANCE, sourceId: 'MA' },
        },
        {
          subjectCode: 'SVA',
          gradeScale: 'A-F',
          value: 'B',
          final: true,
          registeredDate: '2025-06-10',
          semester: 'VT',
          year: 2025,
          ...unit,
          provenance: { ...PROVENANCE, sourceId: 'SVA' },
        },
        {
          subjectCode: 'HKK',
          gradeScale: 'A-F',
          value: 'F',
          final: true,
          registeredDate: '2025-06-10',
          ...unit,
          provenance: { ...PROVENANCE, sourceId: 'HKK' },
        },
      ],
      evidence: [
        {
          id: `elmo-attachment-${digest.slice(0, 32)}`,
          uri: `data:application/pdf;base64,${pdf.toString('base64')}`,
          sha256: digest,
          mediaType: 'application/pdf',
          title: 'Terminsbetyg vårterminen 2025 (Transcript of Records)',
          recordedAt: '2025-06-16T09:30:00+02:00',
          provenance: { ...PROVENANCE, sourceId: 'terminsbetyg-vt2025' },
        },
      ],
    });
    expect(lossOf(items[0]).map((l) => [l.kind, l.source.field])).toEqual([
      ['defaulted', '/elmo/learner'],
      [
        'dropped',
        '/elmo/report/learningOpportunitySpecification[3]/specifies/learningOpportunityInstance/credit',
      ],
    ]);
  });

  it('decodes character references and normalises names to NFC', async () => {
    const learner = [
      '    <identifier type="local">p1</identifier>',
      '    <givenNames>&#197;sa  &#x00C4;nne</givenNames>',
      '    <familyName>O\u0308berg</familyName>',
    ].join('\n');
    const imported = record((await importAll(bytesInput(doc(learner), 'refs.xml')))[0]);
    expect(imported.pupil.givenName).toBe('Åsa Änne');
    expect(imported.pupil.familyName).toBe('Öberg');
    expect(imported.pupil.familyName).toHaveLength(5);
  });

  it('reports dangling references to grading schemes, attachments and groups, and still imports', async () => {
    const reports = `    <learningOpportunitySpecification>
      <identifier type="se-skolverket-subject">MA</identifier>
      <title>Matematik</title>
      <specifies>
        <learningOpportunityInstance>
          <date>2025-06-10</date>
          <gradingSchemeLocalId>ECTS</gradingSchemeLocalId>
          <resultLabel>B</resultLabel>
          <attachments><ref>999</ref></attachments>
          <grouping typeref="1" idref="7"/>
        </learningOpportunityInstance>
      </specifies>
    </learningOpportunitySpecification>
`;
    const items = await importAll(
      bytesInput(
        doc('    <givenNames>Ida</givenNames>\n    <familyName>Ek</familyName>', reports),
        'dangling.xml',
      ),
      {
        gradeScales: { ECTS: 'A-F' },
      },
    );
    expect(record(items[0]).grades).toEqual([
      expect.objectContaining({ subjectCode: 'MA', value: 'B', gradeScale: 'A-F' }),
    ]);
    expect(lossOf(items[0]).map((l) => [l.kind, l.source.line, l.detail])).toEqual(
      expect.arrayContaining([
        ['unknown-code', 21, 'refers to grading scheme "ECTS", which the report does not describe'],
        ['dropped', 23, 'refers to attachment "999", which is not in the document'],
        ['dropped', 24, '<grouping> refers to group 1/7, which is not in the document'],
        ['defaulted', 4, 'the learner has no identifier: the pupil is identified by name and birth date'],
      ]),
    );
  });

  it('leaves out a result that breaks the record schema and keeps the pupil', async () => {
    const reports = `    <learningOpportunitySpecification>
      <identifier type="se-skolverket-subject">MA</identifier>
      <title>Matematik</title>
      <specifies><learningOpportunityInstance>
        <date>2025-06-31</date>
        <gradingSchemeLocalId>A-F</gradingSchemeLocalId>
        <resultLabel>B</resultLabel>
      </learningOpportunityInstance></specifies>
    </learningOpportunitySpecification>
`;
    const items = await importAll(
      bytesInput(
        doc('    <givenNames>Ida</givenNames>\n    <familyName>Ek</familyName>', reports),
        'bad-date.xml',
      ),
    );
    expect(record(items[0]).grades).toBeUndefined();
    expect(lossOf(items[0])).toContainEqual({
      kind: 'dropped',
      source: {
        file: 'bad-date.xml',
        line: 18,
        column: 18,
        field: '/elmo/report/learningOpportunitySpecification/specifies/learningOpportunityInstance',
      },
      detail: 'not imported: /registeredDate must be a date, YYYY-MM-DD',
    });
  });

  it('rejects a pupil whose 10 MB name cannot be a name, pointing at the line, without choking', async () => {
    const learner = `    <identifier type="local">p1</identifier>\n    <givenNames>${'å'.repeat(5 * 1024 * 1024)}</givenNames>\n    <familyName>Ek</familyName>`;
    const started = Date.now();
    const items = await importAll(bytesInput(doc(learner), 'huge.xml'));
    expect(Date.now() - started).toBeLessThan(15000);
    expect(items).toEqual([
      expect.objectContaining({
        kind: 'rejected',
        sourceId: 'p1',
        errors: [
          {
            file: 'huge.xml',
            line: 6,
            column: 5,
            pointer: '/pupil/givenName',
            detail: '/elmo/learner/givenNames: must be at most 200 characters',
          },
        ],
      }),
    ]);
  });

  it('keeps a 10 MB attachment as evidence by its digest', async () => {
    const pdf = Buffer.alloc(10 * 1024 * 1024, 7);
    const attachment = `    <attachment><title xml:lang="sv">Betygskatalog</title><content>data:application/pdf;base64,${pdf.toString('base64')}</content></attachment>\n`;
    const items = await importAll(
      bytesInput(
        doc('    <givenNames>Ida</givenNames>\n    <familyName>Ek</familyName>', attachment),
        'big-attachment.xml',
      ),
    );
    const digest = createHash('sha256').update(pdf).digest('hex');
    expect(record(items[0]).evidence).toEqual([
      expect.objectContaining({
        uri: `urn:elmo:attachment:sha256:${digest}`,
        sha256: digest,
        mediaType: 'application/pdf',
      }),
    ]);
    expect(lossOf(items[0])).toContainEqual(
      expect.objectContaining({ kind: 'dropped', target: { pointer: '/evidence/0/uri' } }),
    );
  });

  it('refuses a document larger than any transcript', async () => {
    const error = await importError(bytesInput(Buffer.alloc(33 * 1024 * 1024, 0x20), 'too-big.xml'));
    expect(error.code).toBe('ELMO.TOO_LARGE');
  });

  it('refuses an empty file, and an empty document in a zip costs only its pupil, both at line 1', async () => {
    const error = await importError(bytesInput(Buffer.alloc(0), 'tom.xml'));
    expect(error.code).toBe('ELMO.EMPTY');
    expect(error.errors).toEqual([{ file: 'tom.xml', line: 1, column: 1, detail: 'no root element' }]);
    const zip = await zipOf([
      { name: 'tom.xml', bytes: Buffer.alloc(0) },
      { name: 'a.xml', bytes: readFileSync(SAMPLE) },
    ]);
    const items = await importAll(bytesInput(zip, 'betyg.zip'));
    expect(items.map((i) => i.kind)).toEqual(['rejected', 'record']);
    expect(items[0]).toEqual({
      kind: 'rejected',
      errors: [{ file: 'tom.xml', line: 1, column: 1, detail: 'ELMO.EMPTY: no root element' }],
      source: { file: 'tom.xml' },
    });
  });

  it('reads UTF-16 with a byte order mark', async () => {
    const text = doc('    <givenNames>Örjan</givenNames>\n    <familyName>Å</familyName>').replace(
      'UTF-8',
      'UTF-16',
    );
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(record((await importAll(bytesInput(bytes, 'utf16.xml')))[0]).pupil.givenName).toBe('Örjan');
  });

  it('never expands entities, whatever the document declares', async () => {
    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE elmo SYSTEM "http://attacker.example/elmo.dtd">\n<elmo/>`;
    const error = await importError(bytesInput(xxe, 'dtd.xml'));
    expect({ code: error.code, errors: error.errors }).toEqual({
      code: 'ELMO.DOCTYPE_FORBIDDEN',
      errors: [{ file: 'dtd.xml', line: 2, column: 1, detail: '<!DOCTYPE> is not allowed' }],
    });
  });
});

describe('elmo adapter: fixtures', () => {
  // The same checks the shared conformance kit makes, so a fixture is right before the kit runs it.
  for (const dir of ['ok', 'not-ok'] as const) {
    for (const file of readdirSync(join(FIXTURES, dir)).filter((name) => !name.endsWith('.expect.json'))) {
      it(`${dir}/${file}`, async () => {
        const path = join(FIXTURES, dir, file);
        const expected = JSON.parse(readFileSync(path.replace(/\.[a-z]+$/, '.expect.json'), 'utf8'));
        if (expected.code) {
          const error = await importError(fileInput(path));
          expect(error.code).toBe(expected.code);
          for (const want of expected.errors ?? []) {
            expect(error.errors).toContainEqual(expect.objectContaining(want));
          }
          return;
        }
        const items = await importAll(fileInput(path));
        if (Array.isArray(expected.rejected)) {
          const errors = items.flatMap((item) => (item.kind === 'rejected' ? item.errors : []));
          for (const want of expected.rejected) expect(errors).toContainEqual(expect.objectContaining(want));
          return;
        }
        const count = (kind: ImportItem['kind']) => items.filter((item) => item.kind === kind).length;
        expect({
          records: count('record'),
          deletions: count('deletion'),
          rejected: count('rejected'),
        }).toEqual(expected);
        for (const item of items)
          if (item.kind === 'record') expect(validateLearnerRecord(item.record)).toEqual([]);
      });
    }
  }
});

const SMALL_RECORD: LearnerRecord = {
  schemaVersion: '1.0',
  source: { platform: 'vklass', id: 'elev-77' },
  pupil: {
    civicNo: { value: '201003152384', nationality: 'SE' },
    givenName: 'Åsa',
    middleName: 'Lindqvist',
    familyName: 'Öberg',
    birthDate: '2010-03-15',
    sex: 'Kvinna',
    securityMarking: 'Sekretessmarkering',
    externalIdentifiers: [{ value: 'asa.oberg@edu.vasteras.se', context: 'eppn', globallyUnique: true }],
  },
  enrolments: [
    {
      organiserCode: '1980',
      schoolUnitCode: '18492305',
      schoolType: 'GR',
      schoolYear: 9,
      startDate: '2016-08-17',
    },
  ],
  grades: [
    {
      subjectCode: 'MA',
      gradeScale: 'A-F',
      value: 'C',
      final: false,
      registeredDate: '2024-12-18',
      semester: 'HT',
      year: 2024,
      curriculum: 'LGR22',
      schoolUnitCode: '18492305',
      gradingTeacher: { id: 't1', name: 'Karin Ek' },
    },
    {
      subjectCode: 'HKK',
      gradeScale: 'A-F',
      value: 'F',
      final: true,
      registeredDate: '2025-06-10',
      semester: 'VT',
      year: 2025,
      schoolUnitCode: '18492305',
    },
    {
      subjectCode: 'MAT',
      courseCode: 'MATMAT01a',
      gradeScale: 'A-F',
      value: 'E',
      registeredDate: '2025-06-10',
      trial: true,
    },
  ],
};
const SMALL_OPTIONS = {
  schoolUnits: {
    '18492305': {
      name: 'Västerbergsskolan',
      url: 'https://www.vasteras.se/vasterbergsskolan',
      schac: 'vasteras.se',
    },
  },
  organiserName: 'Västerås stad',
};

describe('elmo adapter: export', () => {
  it('writes one ELMO document per pupil: one report per school unit, the kommun for grades without one', () => {
    const loss: LossEntry[] = [];
    const xml = elmoDocument(
      SMALL_RECORD,
      { file: 'elev-77.xml', kommunCode: '1980', now: NOW, loss: (e) => loss.push(e) },
      readElmoOptions(SMALL_OPTIONS),
    );
    const grade = (
      local: string,
      ids: string,
      title: string,
      instance: string,
    ) => `    <learningOpportunitySpecification>
      <identifier type="local">${local}</identifier>
${ids}      <title xml:lang="sv">${title}</title>
      <type>Course</type>
      <specifies>
        <learningOpportunityInstance>
${instance}        </learningOpportunityInstance>
      </specifies>
    </learningOpportunitySpecification>
`;
    const term = (sv: string, en: string, start: string, end: string) => `          <academicTerm>
            <title xml:lang="sv">${sv}</title>
            <title xml:lang="en">${en}</title>
            <start>${start}</start>
            <end>${end}</end>
          </academicTerm>
`;
    const scheme = `    <gradingScheme localId="A-F">
      <description xml:lang="sv">Betygsskalan A–F: A–E är godkända betyg, F är inte godkänt; streck (-) när underlag för bedömning saknas.</description>
      <description xml:lang="en">Swedish grading scale A–F: A (highest) to E are pass grades, F is a fail; a dash (-) means there was no basis for grading.</description>
    </gradingScheme>
`;
    expect(xml).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>
<elmo xmlns="https://github.com/emrex-eu/elmo-schemas/tree/v1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="https://github.com/emrex-eu/elmo-schemas/tree/v1 https://raw.githubusercontent.com/emrex-eu/elmo-schemas/v1/schema.xsd">
  <generatedDate>2026-01-15T10:00:00.000Z</generatedDate>
  <learner>
    <identifier type="local">elev-77</identifier>
    <identifier type="nationalIdentifier">201003152384</identifier>
    <identifier type="eppn">asa.oberg@edu.vasteras.se</identifier>
    <givenNames>Åsa</givenNames>
    <familyName>Lindqvist Öberg</familyName>
    <bday>2010-03-15</bday>
    <gender>2</gender>
  </learner>
  <report>
    <issuer>
      <country>SE</country>
      <identifier type="se-kommunkod">1980</identifier>
      <title xml:lang="sv">Västerås stad</title>
      <url>urn:se-kommunkod:1980</url>
    </issuer>
` +
        grade(
          'MATMAT01a',
          '      <identifier type="se-skolverket-subject">MAT</identifier>\n      <identifier type="se-skolverket-course">MATMAT01a</identifier>\n',
          'MATMAT01a',
          '          <date>2025-06-10</date>\n          <status>in-progress</status>\n          <gradingSchemeLocalId>A-F</gradingSchemeLocalId>\n          <resultLabel>E</resultLabel>\n',
        ).replace(/^/gm, '') +
        `    <issueDate>2026-01-15T10:00:00.000Z</issueDate>
${scheme}  </report>
  <report>
    <issuer>
      <country>SE</country>
      <identifier type="se-skolenhetskod">18492305</identifier>
      <identifier type="schac">vasteras.se</identifier>
      <title xml:lang="sv">Västerbergsskolan</title>
      <url>https://www.vasteras.se/vasterbergsskolan</url>
    </issuer>
` +
        grade(
          'MA',
          '      <identifier type="se-skolverket-subject">MA</identifier>\n',
          'Matematik',
          '          <date>2024-12-18</date>\n' +
            term('HT 2024', 'Autumn term 2024', '2024-07-01', '2024-12-31') +
            '          <status>in-progress</status>\n          <gradingSchemeLocalId>A-F</gradingSchemeLocalId>\n          <resultLabel>C</resultLabel>\n',
        ) +
        grade(
          'HKK',
          '      <identifier type="se-skolverket-subject">HKK</identifier>\n',
          'Hem- och konsumentkunskap',
          '          <date>2025-06-10</date>\n' +
            term('VT 2025', 'Spring term 2025', '2025-01-01', '2025-06-30') +
            '          <status>failed</status>\n          <gradingSchemeLocalId>A-F</gradingSchemeLocalId>\n          <resultLabel>F</resultLabel>\n',
        ) +
        `    <issueDate>2026-01-15T10:00:00.000Z</issueDate>
${scheme}  </report>
</elmo>
`,
    );
    expect(loss.map((l) => [l.kind, l.source.pointer])).toEqual([
      ['dropped', '/pupil/externalIdentifiers/0/globallyUnique'],
      ['approximated', '/pupil/middleName'],
      ['approximated', '/pupil/familyName'],
      ['dropped', '/pupil/securityMarking'],
      ['approximated', '/grades/2/final'],
      ['dropped', '/grades/2/trial'],
      ['dropped', '/grades/0/gradingTeacher'],
      ['dropped', '/grades/0/curriculum'],
      ['dropped', '/enrolments'],
    ]);
    expect(loss.every((l) => l.target?.file === 'elev-77.xml')).toBe(true);
  });

  it("writes a zip of ELMO documents named by the pupils' ids, byte for byte the same in any time zone", async () => {
    const records = [...generatePupils({ kommunCode: '1980', count: 3, seed: 11 })];
    const tz = process.env.TZ;
    try {
      process.env.TZ = 'America/Los_Angeles';
      const west = await exportAll(records);
      process.env.TZ = 'Asia/Tokyo';
      const east = await exportAll(records);
      expect(east.bytes.equals(west.bytes)).toBe(true);
      expect(east.loss).toEqual(west.loss);
      const files = await zipTexts(west.bytes);
      expect([...files.keys()]).toEqual(records.map((r) => `${r.source.id}.xml`));
    } finally {
      process.env.TZ = tz;
    }
  });

  it('names a pupil without grades by the school unit of the latest placement', async () => {
    const { bytes } = await exportAll([{ ...SMALL_RECORD, grades: undefined }], SMALL_OPTIONS);
    const xml = [...(await zipTexts(bytes)).values()][0];
    expect(xml).toContain('<identifier type="se-skolenhetskod">18492305</identifier>');
    expect(xml).not.toContain('learningOpportunitySpecification');
  });

  it('escapes what XML reserves and removes what XML cannot carry, saying so', async () => {
    const tricky: LearnerRecord = {
      ...SMALL_RECORD,
      source: { platform: 'x', id: 'a&b<c>"d"' },
      pupil: { givenName: 'Ann\u0007a', familyName: 'Ek & <Son>', securityMarking: 'Ingen' },
      grades: undefined,
      enrolments: undefined,
    };
    const { bytes, loss } = await exportAll([tricky]);
    const [[name, xml]] = [...(await zipTexts(bytes)).entries()];
    expect(name).toBe('a_b_c__d_.xml');
    expect(xml).toContain('<identifier type="local">a&amp;b&lt;c&gt;"d"</identifier>');
    expect(xml).toContain('<givenNames>Anna</givenNames>');
    expect(xml).toContain('<familyName>Ek &amp; &lt;Son&gt;</familyName>');
    expect(loss).toEqual([
      expect.objectContaining({ kind: 'approximated', source: { pointer: '/pupil/givenName' } }),
    ]);
    const back = record((await importAll(bytesInput(bytes, 'back.zip')))[0]);
    expect(back.source.id).toBe('a&b<c>"d"');
    expect(back.pupil.familyName).toBe('Ek & <Son>');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Round trip: what comes back equals what went out, except where a loss entry says it may not.

/** RFC 6901 pointer → path; removes that place from the value (array items are removed after all removals). */
function removeAt(value: unknown, pointer: string, removed: Set<unknown>): void {
  const path = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let parent = value as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    parent = parent?.[key] as Record<string, unknown>;
    if (parent === undefined) return;
  }
  const key = path[path.length - 1];
  if (Array.isArray(parent)) {
    if (parent[Number(key)] !== undefined) removed.add(parent[Number(key)]);
  } else if (parent) delete parent[key];
}

function prune(value: unknown, removed: Set<unknown>): unknown {
  if (Array.isArray(value)) {
    const items = value.filter((item) => !removed.has(item)).map((item) => prune(item, removed));
    return items.length > 0 ? items : undefined;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === 'provenance') continue;
      const pruned = prune(child, removed);
      if (pruned !== undefined) out[key] = pruned;
    }
    return out;
  }
  return value;
}

/** Canonical JSON with sorted keys and arrays sorted by their items' canonical JSON. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).sort().join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function comparable(value: LearnerRecord, ownPointers: string[], sharedPointers: string[]): string {
  const copy = structuredClone(value);
  const removed = new Set<unknown>();
  for (const pointer of [...ownPointers, ...sharedPointers]) removeAt(copy, pointer, removed);
  return canonical(prune(copy, removed));
}

describe('elmo adapter: round trip', () => {
  it('brings back every grade and the pupil, except exactly where the loss reports say', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 4 }),
        async (seed, count) => {
          const records = [...generatePupils({ kommunCode: '1980', count, seed })];
          const exported = await exportAll(records);
          const items = await importAll(bytesInput(exported.bytes, 'round-trip.zip'));
          expect(items.map((item) => item.kind)).toEqual(records.map(() => 'record'));
          const byId = new Map(items.map((item) => [record(item).source.id, item]));
          // Losses name their document in target.file; import losses name theirs in source.file.
          for (const original of records) {
            const file = `${original.source.id}.xml`;
            const item = byId.get(original.source.id);
            const back = record(item);
            expect(validateLearnerRecord(back)).toEqual([]);
            const exportPointers = exported.loss
              .filter((l) => l.target?.file === file)
              .map((l) => l.source.pointer as string);
            const importPointers = lossOf(item).flatMap((l) => (l.target?.pointer ? [l.target.pointer] : []));
            // Pointers outside arrays (the pupil's fields) name the same place on both sides.
            const shared = [...exportPointers, ...importPointers].filter((p) => !/\/[0-9]+(\/|$)/.test(p));
            expect(
              comparable(
                { ...back, source: { ...back.source, platform: original.source.platform } },
                importPointers,
                shared,
              ),
            ).toBe(comparable(original, exportPointers, shared));
            expect(back.grades?.length ?? 0).toBe(original.grades?.length ?? 0);
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('elmo adapter: sniff', () => {
  it('knows an ELMO document by its root and namespace', () => {
    expect(elmoAdapter.sniff!(readFileSync(SAMPLE).subarray(0, 65536), 'transcript.xml')).toBe(0.95);
    expect(elmoAdapter.sniff!(Buffer.from('<?xml version="1.0"?><elmo><learner/></elmo>'), 'x.xml')).toBe(
      0.6,
    );
    expect(elmoAdapter.sniff!(Buffer.from('<?xml version="1.0"?><ImportXml/>'), 'betyg.xml')).toBe(0);
    expect(elmoAdapter.sniff!(Buffer.from('{"courses":[]}'), 'courses.json')).toBe(0);
  });

  it('knows a zip of ELMO documents by its first document, whatever the names', async () => {
    const fixture = readFileSync(join(FIXTURES, 'ok', 'two-pupils.zip'));
    expect(elmoAdapter.sniff!(fixture, 'two-pupils.zip')).toBe(0.9);
    expect(elmoAdapter.sniff!(fixture.subarray(0, 65536), undefined)).toBe(0.9);
    const { bytes } = await exportAll([...generatePupils({ kommunCode: '1980', count: 2, seed: 5 })]);
    expect(elmoAdapter.sniff!(bytes.subarray(0, 65536), 'export.zip')).toBe(0.9);
    // The first 200 bytes of a deflated document still hold its root.
    const dataStart = 30 + bytes.readUInt16LE(26) + bytes.readUInt16LE(28);
    expect(elmoAdapter.sniff!(bytes.subarray(0, dataStart + 200), 'export.zip')).toBe(0.9);

    const sample = readFileSync(SAMPLE);
    const foldered = await zipOf([
      { name: 'betyg/', bytes: Buffer.alloc(0) },
      { name: 'betyg/LÄSMIG.txt', bytes: Buffer.from('Betyg från Ängby skola\n') },
      { name: 'betyg/a.xml', bytes: sample, compress: false },
    ]);
    expect(elmoAdapter.sniff!(foldered, 'betyg.zip')).toBe(0.9);
    const bare = await zipOf([{ name: 'a.xml', bytes: Buffer.from('<elmo><learner/></elmo>') }]);
    expect(elmoAdapter.sniff!(bare, 'a.zip')).toBe(0.55);
  });

  it('falls back on names for a zip whose first document it cannot see, and never throws', async () => {
    const other = await zipOf([
      { name: 'users.xml', bytes: Buffer.from('<?xml version="1.0"?><ImportXml/>') },
    ]);
    expect(elmoAdapter.sniff!(other, 'export.zip')).toBe(0);
    expect(elmoAdapter.sniff!(other, 'elmo-export.zip')).toBe(0.4);
    const csv = await zipOf([{ name: 'users.csv', bytes: Buffer.from('sourcedId,givenName\n1,Åsa\n') }]);
    expect(elmoAdapter.sniff!(csv, 'oneroster.zip')).toBe(0);
    // 5 MB of spaces before the root deflate to a few KB that inflate past the bound.
    const bomb = await zipOf([
      { name: 'a.xml', bytes: Buffer.concat([Buffer.alloc(5 << 20, 0x20), readFileSync(SAMPLE)]) },
    ]);
    expect(elmoAdapter.sniff!(bomb.subarray(0, 65536), 'a.zip')).toBe(0);
    const garbled = Buffer.from(bomb.subarray(0, 4096));
    garbled.fill(0xff, 60);
    expect(elmoAdapter.sniff!(garbled, 'a.zip')).toBe(0);
    for (const cut of [4, 10, 29, 30, 40])
      expect(elmoAdapter.sniff!(readFileSync(join(FIXTURES, 'ok', 'two-pupils.zip')).subarray(0, cut))).toBe(
        0,
      );
  });
});

/** A zip of the given entries, deflated unless said otherwise, each size known in its local header. */
async function zipOf(entries: { name: string; bytes: Buffer; compress?: boolean }[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const { name, bytes, compress } of entries) {
    if (name.endsWith('/')) zip.addEmptyDirectory(name, { mtime: new Date(1980, 0, 1) });
    else zip.addBuffer(bytes, name, { mtime: new Date(1980, 0, 1), compress: compress ?? true });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
