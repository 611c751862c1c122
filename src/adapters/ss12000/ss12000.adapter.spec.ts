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
import { join } from 'node:path';
import { validateLearnerRecord } from '../../records/learner-record.validator';
import { generatePupils } from '../../seed/pupil-generator';
import { AdapterInputError } from '../adapter-input.errors';
import { jsonErrorOffset, lineColumn } from '../shared/json-syntax';
import type { ImportContext, ImportItem } from '../vendor-adapter.port';
import { ss12000Adapter } from './ss12000.adapter';
import { SAMPLES as SAMPLES_ROOT } from '../../../test/helpers/samples';

const FIXTURES = join(__dirname, 'fixtures');
const SAMPLES = join(SAMPLES_ROOT, 'ss12000');
const NOW = new Date('2026-01-15T10:00:00Z');
const ctx: ImportContext = { platformId: 'vklass-vasteras', options: {}, kommunCode: '1980', now: NOW };

const provenance = (sourceId?: string) => ({
  sourcePlatform: 'vklass-vasteras',
  ...(sourceId !== undefined ? { sourceId } : {}),
  adapter: 'ss12000',
  adapterVersion: '1.0.0',
  importedAt: '2026-01-15T10:00:00.000Z',
});

async function importFile(
  path: string,
  fileName = path.split('/').pop(),
  c: ImportContext = ctx,
): Promise<ImportItem[]> {
  const items: ImportItem[] = [];
  const input = { open: () => createReadStream(path), path, size: statSync(path).size, fileName };
  for await (const item of ss12000Adapter.import!(input, c, {})) items.push(item);
  return items;
}

let scratch: string;
beforeAll(() => (scratch = mkdtempSync(join(tmpdir(), 'ss12000-spec-'))));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes a document to a scratch file and imports it. */
function importJson(doc: unknown, name = 'input.json', c: ImportContext = ctx): Promise<ImportItem[]> {
  const path = join(scratch, name);
  writeFileSync(path, typeof doc === 'string' || Buffer.isBuffer(doc) ? doc : JSON.stringify(doc));
  return importFile(path, name, c);
}

async function refusal(run: Promise<unknown>): Promise<AdapterInputError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AdapterInputError);
  return err as AdapterInputError;
}

const records = (items: ImportItem[]) => items.flatMap((i) => (i.kind === 'record' ? [i] : []));

describe("Skolverket's reference samples", () => {
  it('imports person.json as one pupil, reporting what it could not take', async () => {
    const items = await importFile(join(SAMPLES, 'person.json'));
    expect(items).toEqual([
      {
        kind: 'record',
        source: { file: 'person.json', pointer: '' },
        record: {
          schemaVersion: '1.0',
          source: { platform: 'vklass-vasteras', id: '123456789' },
          pupil: {
            givenName: 'Given Name Test',
            middleName: 'Middle Name Test',
            familyName: 'Family Name Test',
            securityMarking: 'Ingen',
            externalIdentifiers: [
              {
                value: 'elev1@soderhavetsgymnasium.se',
                context: 'eduPersonPrincipalName',
                globallyUnique: true,
              },
            ],
            provenance: provenance('123456789'),
          },
          contact: {
            emails: [{ value: 'elev1@soderhavetsgymnasium.se', type: 'Skola' }],
            provenance: provenance('123456789'),
          },
        },
        loss: [
          {
            kind: 'defaulted',
            source: { file: 'person.json', pointer: '/securityMarking' },
            detail: 'No securityMarking: Ingen is assumed',
            target: { pointer: '/pupil/securityMarking' },
          },
          {
            kind: 'dropped',
            source: { file: 'person.json', pointer: '/enrolments/0' },
            detail:
              'Left out: enroledAt fa592db1-912b-57fe-8cf6-df5f81522f01 is not an organisation with a schoolUnitCode in the input, and portabel places pupils at school units',
          },
          {
            kind: 'dropped',
            source: { file: 'person.json', pointer: '/civicNo' },
            detail:
              "Left out, portabel's record refuses it: /value is not a valid personnummer or samordningsnummer: has a wrong check digit",
          },
        ],
      },
    ]);
  });

  it('imports an activity or a group alone as nothing: with no person there is no pupil to join them to', async () => {
    expect(await importFile(join(SAMPLES, 'activity.json'))).toEqual([]);
    expect(await importFile(join(SAMPLES, 'group_json.json'))).toEqual([]);
  });

  it('reads a member named like a property of every object ("constructor") as the unknown collection it is', async () => {
    const err = await refusal(importJson({ persons: [], constructor: [] }, 'bundle.json'));
    expect(err.code).toBe('SS12000.UNRECOGNISED');
    expect(err.errors).toEqual([expect.objectContaining({ file: 'bundle.json', pointer: '/constructor' })]);
  });

  it('refuses activities_invalid.json, pointing at the id that is an array', async () => {
    const err = await refusal(importFile(join(SAMPLES, 'activities_invalid.json')));
    expect(err.code).toBe('SS12000.MALFORMED_ENTITY');
    expect(err.problem.status).toBe(422);
    expect(err.errors).toEqual([
      {
        file: 'activities_invalid.json',
        pointer: '/activities/0/id',
        detail: 'must be a non-empty string of at most 200 characters',
      },
    ]);
  });
});

describe('joining a bundle into pupils', () => {
  it('makes one record per pupil: guardians from responsibles, organisers from the organisation tree', async () => {
    const items = await importFile(join(FIXTURES, 'ok', 'bundle.json'));
    expect(items.map((i) => i.kind)).toEqual(['record', 'record', 'record', 'deletion']);
    const [elsa, omar, alva] = records(items).map((i) => i.record);

    expect(elsa.guardians).toEqual([
      {
        id: '9d2f1b7e-0001-4e6a-8c1d-5b3a2f1e0b01',
        givenName: 'Karin',
        familyName: 'Lindqvist',
        civicNo: { value: '198203142487' },
        relation: 'Vårdnadshavare',
        custody: true,
        contact: {
          emails: [{ value: 'karin.lindqvist@example.com', type: 'Privat' }],
          phoneNumbers: [{ value: '+46701740612', type: 'Hem' }],
          addresses: [
            {
              type: 'Folkbokföring',
              streetAddress: 'Rönnbergagatan 14',
              locality: 'Västerås',
              postalCode: '723 46',
              countryCode: 'SE',
            },
          ],
          provenance: provenance('9d2f1b7e-0001-4e6a-8c1d-5b3a2f1e0b01'),
        },
        provenance: provenance('9d2f1b7e-0001-4e6a-8c1d-5b3a2f1e0b01'),
      },
    ]);
    expect(elsa.enrolments).toEqual([
      {
        organiserCode: '1980',
        schoolUnitCode: '41273522',
        schoolType: 'GR',
        schoolYear: 6,
        startDate: '2021-08-16',
        cancelled: false,
        provenance: provenance('9d2f1b7e-0001-4e6a-8c1d-5b3a2f1e0a01'),
      },
    ]);
    expect(elsa.groups?.map((g) => ({ ...g, provenance: undefined }))).toEqual([
      {
        id: '5e8a1d22-3333-4c4c-8d8d-000000000001',
        name: '6B',
        groupType: 'Klass',
        schoolUnitCode: '41273522',
        startDate: '2025-08-18',
        endDate: '2026-06-12',
      },
      {
        id: '5e8a1d22-3333-4c4c-8d8d-000000000002',
        name: 'MA 6B',
        groupType: 'Undervisning',
        schoolUnitCode: '41273522',
        startDate: '2025-09-01',
        endDate: '2026-06-12',
      },
    ]);
    expect(elsa.grades).toEqual([
      {
        subjectCode: 'MA',
        gradeScale: 'A-F',
        value: 'C',
        final: false,
        registeredDate: '2025-12-18',
        semester: 'HT',
        year: 2025,
        curriculum: 'LGR22',
        schoolUnitCode: '41273522',
        gradingTeacher: { id: '8c4d5e6f-7777-4a7a-8b8b-000000000001', name: 'Jonas Ek' },
        adaptedStudyPlan: false,
        provenance: provenance('2b3c4d5e-6666-4f6f-9a9a-000000000001'),
      },
      expect.objectContaining({ subjectCode: 'SV', value: 'B', curriculum: 'LGR22' }),
    ]);
    // Two activities' sums of one term at one unit are one canonical term.
    expect(elsa.attendance).toEqual([
      {
        term: 'HT2025',
        schoolUnitCode: '41273522',
        validAbsenceMinutes: 540,
        invalidAbsenceMinutes: 60,
        scheduledMinutes: 10980,
        validAbsencePercent: 4.9,
        invalidAbsencePercent: 0.5,
        provenance: provenance(),
      },
    ]);
    expect(records(items)[0].loss).toEqual([
      {
        kind: 'dropped',
        source: { file: 'bundle.json', pointer: '/persons/data/1/phoneNumbers/0/mobile' },
        detail: 'A Hem number marked mobile: portabel keeps one type, Hem',
      },
      {
        kind: 'approximated',
        source: { file: 'bundle.json', pointer: '/grades/data/1/syllabus' },
        detail: 'Curriculum Lgr22 is kept as LGR22',
        target: { pointer: '/grades/1/curriculum' },
      },
      {
        kind: 'dropped',
        source: { file: 'bundle.json', pointer: '/grades/data/1/registeredBy' },
        detail: 'portabel keeps the grading teacher, not who registered the grade',
      },
      {
        kind: 'approximated',
        source: { file: 'bundle.json', pointer: '/aggregatedAttendance/data/1' },
        detail:
          'Added to the other entries of HT2025 at 41273522: portabel keeps one total per term and unit',
        target: { pointer: '/attendance/0' },
      },
    ]);

    expect(omar.pupil.securityMarking).toBe('Sekretessmarkering');
    expect(omar.enrolments?.[1]).toMatchObject({
      schoolType: 'GY',
      schoolYear: 1,
      programmeCode: 'NA',
      educationCode: 'NANAT',
    });
    // A fritidshem placement is an enrolment without school year.
    expect(alva.enrolments).toEqual([
      {
        organiserCode: '1980',
        schoolUnitCode: '41273522',
        schoolType: 'FTH',
        schoolYear: null,
        startDate: '2020-08-17',
        endDate: '2024-06-14',
        provenance: provenance('3c7e0f11-2222-4b4b-9c9c-000000000001'),
      },
    ]);
    expect(items[3]).toEqual({
      kind: 'deletion',
      sourcePlatform: 'vklass-vasteras',
      sourceId: '9d2f1b7e-0001-4e6a-8c1d-5b3a2f1e0a99',
      source: { file: 'bundle.json', pointer: '/deletedEntities/data/persons/0' },
    });
  });

  it('reads a zip of API pages as it reads the same entities in one document', async () => {
    const fromZip = records(await importFile(join(FIXTURES, 'ok', 'bundle-pages.zip')));
    const fromJson = records(await importFile(join(FIXTURES, 'ok', 'bundle.json')));
    expect(fromZip.map((i) => i.record)).toEqual(fromJson.map((i) => i.record));
    expect(fromZip[0].source).toEqual({ file: 'ss12000/persons_1.json', pointer: '/data/0' });
  });

  it('reads a bundle of bare arrays, and a root array of persons, as it reads pages', async () => {
    const bundle = JSON.parse(readFileSync(join(FIXTURES, 'ok', 'bundle.json'), 'utf8')) as Record<
      string,
      any
    >;
    const bare = Object.fromEntries(
      Object.entries(bundle).map(([k, v]) => [k, k === 'deletedEntities' ? v : (v.data ?? v)]),
    );
    const fromPages = records(await importFile(join(FIXTURES, 'ok', 'bundle.json')));
    const fromBare = records(await importJson(bare));
    expect(fromBare.map((i) => i.record)).toEqual(fromPages.map((i) => i.record));
    expect(fromBare[0].source).toEqual({ file: 'input.json', pointer: '/persons/0' });
    expect(fromBare[0].loss.map((l) => l.source.pointer)).toEqual(
      fromPages[0].loss.map((l) => l.source.pointer!.replace(/^\/(\w+)\/data\//, '/$1/')),
    );
  });

  it("reports a person's fields it has no place for (a vendor's own, expansions), not its meta", async () => {
    const person = {
      id: 'p1',
      givenName: 'Åsa',
      familyName: 'Öberg',
      securityMarking: 'Ingen',
      meta: { created: '2025-01-01T00:00:00Z', modified: '2025-06-01T00:00:00Z' },
      vklass_note: 'Läser extra matematik',
      'a/b': 1,
      _embedded: { responsibles: [] },
      enrolments: [{ enroledAt: { id: 'x' }, schoolType: 'GR', schoolYear: 4 }],
    };
    const [item] = records(await importJson(person));
    expect(item.loss.filter((l) => /has no place for a person/.test(l.detail))).toEqual([
      {
        kind: 'dropped',
        source: { file: 'input.json', pointer: '/vklass_note' },
        detail: "portabel has no place for a person's vklass_note",
      },
      {
        kind: 'dropped',
        source: { file: 'input.json', pointer: '/a~1b' },
        detail: "portabel has no place for a person's a/b",
      },
      {
        kind: 'dropped',
        source: { file: 'input.json', pointer: '/_embedded' },
        detail: "portabel has no place for a person's _embedded",
      },
    ]);
  });

  it('reports the fields of grades, enrolments, placements and attendance it has no place for', async () => {
    const bundle = JSON.parse(readFileSync(join(FIXTURES, 'ok', 'bundle.json'), 'utf8')) as Record<
      string,
      any
    >;
    bundle.grades.data[0].vklass_comment = 'Bra jobbat';
    bundle.persons.data[0].enrolments[0].vendorTag = 'x';
    bundle.placements.data[0].owners = [{ id: bundle.persons.data[1].id }];
    bundle.aggregatedAttendance.data[0].note = 'Sjuk vecka 12';
    const before = records(await importFile(join(FIXTURES, 'ok', 'bundle.json')));
    const after = records(await importJson(bundle));
    expect(after.map((i) => i.record)).toEqual(before.map((i) => i.record));
    const added = after
      .flatMap((i) => i.loss)
      .filter((l) =>
        /^portabel has no place for (a|an) (grade|enrolment|placement|attendance entry)'s /.test(l.detail),
      )
      .map((l) => [l.source.pointer, l.detail]);
    expect(added).toEqual(
      expect.arrayContaining([
        ['/grades/data/0/vklass_comment', "portabel has no place for a grade's vklass_comment"],
        ['/persons/data/0/enrolments/0/vendorTag', "portabel has no place for an enrolment's vendorTag"],
        ['/placements/data/0/owners', "portabel has no place for a placement's owners"],
        ['/aggregatedAttendance/data/0/note', "portabel has no place for an attendance entry's note"],
      ]),
    );
    expect(added).toHaveLength(4);
  });

  it('refuses an entity that holds pages of a collection, rather than read it as a bundle', async () => {
    const err = await refusal(
      importJson({ id: 'x', persons: { data: [{ id: 'p1', givenName: 'Åsa', familyName: 'Öberg' }] } }),
    );
    expect(err.code).toBe('SS12000.MALFORMED_ENTITY');
    expect(err.errors).toEqual([
      expect.objectContaining({
        file: 'input.json',
        pointer: '',
        detail: expect.stringMatching(/not a bundle/),
      }),
    ]);
  });

  it('takes the same grade twice, and refuses one id with two contents, wherever they are', async () => {
    const bundle = JSON.parse(readFileSync(join(FIXTURES, 'ok', 'bundle.json'), 'utf8')) as Record<
      string,
      any
    >;
    const grade = bundle.grades.data[0];
    const again = { ...bundle, grades: { data: [...bundle.grades.data, grade] } };
    expect(records(await importJson(again)).map((i) => i.record)).toEqual(
      records(await importFile(join(FIXTURES, 'ok', 'bundle.json'))).map((i) => i.record),
    );
    const other = { ...bundle, grades: { data: [...bundle.grades.data, { ...grade, gradeValue: 'F' }] } };
    const err = await refusal(importJson(other));
    expect(err.code).toBe('SS12000.DUPLICATE_ID');
    expect(err.errors).toEqual([
      expect.objectContaining({
        pointer: `/grades/data/${bundle.grades.data.length}/id`,
        detail: `the grade ${grade.id} is also at input.json /grades/data/0, with other content`,
      }),
    ]);
  });

  it('takes a BOM, CRLF, decomposed letters, a civic number with a dash and a date-time as a date', async () => {
    const [item] = records(await importFile(join(FIXTURES, 'ok', 'bom-crlf.json')));
    expect(item.record.pupil).toMatchObject({
      givenName: 'Åsa-Märta',
      familyName: 'Öberg Ångström',
      civicNo: { value: '201204152373', nationality: 'SE' },
    });
    expect(item.record.pupil.givenName).toBe('Åsa-Märta'.normalize('NFC'));
    expect(item.record.contact?.addresses).toEqual([
      {
        type: 'Folkbokföring',
        streetAddress: 'Västra Ringvägen 3',
        locality: 'Västerås',
        postalCode: '724 60',
        countryCode: 'SE',
      },
    ]);
    expect(item.record.enrolments?.[0].startDate).toBe('2018-08-20');
    expect(item.loss).toEqual([
      {
        kind: 'approximated',
        source: { file: 'bom-crlf.json', pointer: '/persons/0/enrolments/0/startDate' },
        detail: 'A date and time where portabel keeps a date: the date is kept',
        target: { pointer: '/enrolments/0/startDate' },
      },
    ]);
  });

  it('leaves out what carries a bad date and keeps the pupil, each with a loss entry at its place', async () => {
    const [item] = records(await importFile(join(FIXTURES, 'ok', 'bad-dates.json')));
    expect(item.record.pupil.birthDate).toBeUndefined();
    expect(item.record.grades).toBeUndefined();
    expect(item.record.enrolments).toEqual([
      expect.objectContaining({ startDate: '2026-01-15', schoolYear: 6 }),
    ]);
    const at = (pointer: string) => ({ file: 'bad-dates.json', pointer });
    expect(item.loss).toEqual([
      {
        kind: 'defaulted',
        source: at('/persons/data/0/enrolments/2/startDate'),
        detail: 'No startDate: the day of the import, 2026-01-15',
        target: { pointer: '/enrolments/0/startDate' },
      },
      {
        kind: 'dropped',
        source: at('/persons/data/0/birthDate'),
        detail: "Left out, portabel's record refuses it: it must be a date, YYYY-MM-DD",
      },
      {
        kind: 'dropped',
        source: at('/persons/data/0/enrolments/0'),
        detail: "Left out, portabel's record refuses it: /startDate must be a date, YYYY-MM-DD",
      },
      {
        kind: 'dropped',
        source: at('/grades/data/0'),
        detail: "Left out, portabel's record refuses it: /registeredDate must be a date, YYYY-MM-DD",
      },
      {
        kind: 'dropped',
        source: at('/persons/data/0/enrolments/1'),
        detail: "Left out, portabel's record refuses it: /endDate must not be before startDate",
      },
    ]);
  });

  it('reports a group and an attendance it cannot place (no school unit in the input), never drops them silently', async () => {
    const doc = {
      organisations: [
        { id: 'org-1', displayName: 'Friskolan', organisationType: 'Skolenhet', schoolUnitCode: '11112222' },
        { id: 'org-9', displayName: 'Förvaltningen', organisationType: 'Förvaltning' },
      ],
      persons: [
        {
          id: 'p-1',
          givenName: 'Ida',
          familyName: 'Ek',
          securityMarking: 'Ingen',
          enrolments: [
            { enroledAt: { id: 'org-1' }, schoolType: 'GR', schoolYear: 7, startDate: '2024-08-19' },
          ],
        },
      ],
      groups: [
        {
          id: 'grp-9',
          displayName: '7X',
          groupType: 'Klass',
          organisation: { id: 'org-9' },
          startDate: '2024-08-19',
          groupMemberships: [{ person: { id: 'p-1' }, startDate: '2024-08-19' }],
        },
      ],
      activities: [{ id: 'act-9', displayName: 'Matte', organisation: { id: 'org-9' } }],
      aggregatedAttendance: [
        {
          id: 'att-1',
          student: { id: 'p-1' },
          activity: { id: 'act-9' },
          startDate: '2024-08-19',
          endDate: '2024-12-20',
          attendanceSum: 100,
        },
      ],
    };
    const [item] = records(
      await importJson(doc, 'input.json', { ...ctx, options: { organiserCode: '0180' } }),
    );
    expect(item.record.groups ?? []).toEqual([]);
    expect(item.record.attendance ?? []).toEqual([]);
    expect(item.loss).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'dropped',
          detail: expect.stringContaining('the group grp-9 belongs to no organisation'),
        }),
        expect.objectContaining({
          kind: 'dropped',
          detail: expect.stringContaining('neither its activity nor the entry names'),
        }),
      ]),
    );
  });

  it('uses the registered organiser when the organisation tree names none, and says so', async () => {
    const doc = {
      organisations: [
        { id: 'org-1', displayName: 'Friskolan', organisationType: 'Skolenhet', schoolUnitCode: '11112222' },
      ],
      persons: [
        {
          id: 'p-1',
          givenName: 'Ida',
          familyName: 'Ek',
          securityMarking: 'Ingen',
          civicNo: { value: '1204152373' },
          enrolments: [{ enroledAt: { id: 'org-1' }, schoolType: 'VUXSFI', startDate: '2024-01-08' }],
        },
      ],
    };
    const [item] = records(
      await importJson(doc, 'input.json', { ...ctx, options: { organiserCode: '0180' } }),
    );
    expect(item.record.pupil.civicNo).toEqual({ value: '201204152373' });
    expect(item.record.enrolments).toEqual([
      expect.objectContaining({
        organiserCode: '0180',
        schoolUnitCode: '11112222',
        schoolType: 'SFI',
        schoolYear: null,
      }),
    ]);
    expect(item.loss.map((l) => [l.kind, l.source.pointer, l.target?.pointer])).toEqual([
      ['approximated', '/persons/0/civicNo/value', '/pupil/civicNo/value'],
      ['approximated', '/persons/0/enrolments/0/schoolType', '/enrolments/0/schoolType'],
      ['defaulted', '/persons/0/enrolments/0/enroledAt', '/enrolments/0/organiserCode'],
    ]);
  });

  it('keeps a tillfälligt personnummer out of civicNo, and a guardian with a bad one without it', async () => {
    const doc = {
      persons: [
        { id: 'g-1', givenName: 'Ali', familyName: 'Omar', civicNo: { value: '198507292260' } },
        {
          id: 'p-1',
          givenName: 'Sara',
          familyName: 'Omar',
          securityMarking: 'Ingen',
          civicNo: { value: '20130101TF01' },
          responsibles: [
            { person: { id: 'g-1' }, relationType: 'Familjehemsförälder' },
            { person: { id: 'g-9' }, relationType: 'Vårdnadshavare' },
          ],
          enrolments: [{ enroledAt: { id: 'none' }, schoolType: 'GR' }],
        },
      ],
    };
    const [item] = records(await importJson(doc));
    expect(item.record.pupil.civicNo).toBeUndefined();
    expect(item.record.guardians).toEqual([
      expect.objectContaining({ id: 'g-1', relation: 'Familjehem', custody: false }),
    ]);
    expect(item.record.guardians?.[0].civicNo).toBeUndefined();
    expect(item.loss.map((l) => [l.kind, l.source.pointer])).toEqual([
      ['dropped', '/persons/1/civicNo/value'],
      ['dropped', '/persons/1/responsibles/1'],
      ['dropped', '/persons/1/enrolments/0'],
      ['dropped', '/persons/0/civicNo'],
    ]);
  });

  it('rejects one pupil whose own identity breaks a rule, pointing into the input, and goes on', async () => {
    // 8 MB of UTF-8: just under the largest single value the reader takes (MAX_VALUE_BYTES).
    const givenName = 'Å'.repeat(4 * 1024 * 1024);
    const doc = {
      data: [
        {
          id: 'p-1',
          givenName,
          familyName: 'Berg',
          securityMarking: 'Ingen',
          enrolments: [{ enroledAt: { id: 'x' }, schoolType: 'GR' }],
        },
        {
          id: 'p-2',
          givenName: 'Nils',
          familyName: 'Berg',
          securityMarking: 'Ingen',
          enrolments: [{ enroledAt: { id: 'x' }, schoolType: 'GR' }],
        },
      ],
    };
    const items = await importJson(doc, 'huge.json');
    expect(items.map((i) => i.kind)).toEqual(['rejected', 'record']);
    expect(items[0]).toEqual({
      kind: 'rejected',
      sourceId: 'p-1',
      errors: [
        {
          file: 'huge.json',
          pointer: '/data/0/givenName',
          detail: expect.stringMatching(/^must be at most \d+ characters$/),
        },
      ],
      source: { file: 'huge.json', pointer: '/data/0' },
    });
  });

  it('refuses a file with a single entity over 10 MB, pointing at it, without holding the rest', async () => {
    const doc = `{"data": [\n{"id": "p-1", "givenName": "Nils"},\n{"id": "p-2", "givenName": "${'Å'.repeat(6 * 1024 * 1024)}"}]}`;
    const err = await refusal(importJson(doc, 'huge.json'));
    expect(err.code).toBe('SS12000.TOO_LARGE');
    expect(err.errors).toEqual([
      {
        file: 'huge.json',
        pointer: '/data/1',
        line: 3,
        column: 1,
        detail: 'A single value is over 10 MB; no SS 12000 entity is that large.',
      },
    ]);
  });

  it('yields only records the canonical schema and rules accept', async () => {
    for (const file of readdirSync(join(FIXTURES, 'ok')).filter((f) => !f.endsWith('.expect.json'))) {
      for (const item of records(await importFile(join(FIXTURES, 'ok', file))))
        expect(validateLearnerRecord(item.record)).toEqual([]);
    }
  });
});

describe('fixtures', () => {
  const cases = (dir: string) =>
    readdirSync(join(FIXTURES, dir))
      .filter((f) => !f.endsWith('.expect.json'))
      .map(
        (f) =>
          [
            f,
            JSON.parse(readFileSync(join(FIXTURES, dir, f.replace(/\.(json|zip)$/, '.expect.json')), 'utf8')),
          ] as const,
      );

  it.each(cases('ok'))('ok/%s imports as expected', async (file, expected) => {
    const items = await importFile(join(FIXTURES, 'ok', file));
    const count = (kind: string) => items.filter((i) => i.kind === kind).length;
    expect({ records: count('record'), deletions: count('deletion'), rejected: count('rejected') }).toEqual(
      expected,
    );
  });

  it.each(cases('not-ok'))('not-ok/%s is refused where it goes wrong', async (file, expected) => {
    const run = importFile(join(FIXTURES, 'not-ok', file));
    if (expected.rejected) {
      const rejected = (await run).filter((i) => i.kind === 'rejected');
      expect(rejected.map((r) => (r.kind === 'rejected' ? r.errors[0] : undefined))).toEqual(
        expected.rejected.map((e: object) => expect.objectContaining(e)),
      );
      return;
    }
    const err = await refusal(run);
    expect(err.code).toBe(expected.code);
    for (const e of expected.errors ?? [])
      expect(err.errors).toContainEqual(expect.objectContaining({ file, ...e }));
  });
});

describe('a document read as it streams', () => {
  /** Imports, keeping what was yielded before a refusal. */
  async function attempt(bytes: Buffer, name: string) {
    const path = join(scratch, name);
    writeFileSync(path, bytes);
    const items: ImportItem[] = [];
    const input = { open: () => createReadStream(path), path, size: bytes.length, fileName: name };
    try {
      for await (const item of ss12000Adapter.import!(input, ctx, {})) items.push(item);
    } catch (error) {
      if (error instanceof AdapterInputError) return { items, error };
      throw error;
    }
    return { items };
  }

  /** Where a strict parse of the whole text says it goes wrong. */
  function wholeFault(bytes: Buffer): { code: string; line: number; column: number } {
    // The export holds no U+FFFD of its own: the first one stands for the first byte that is not UTF-8.
    const text = bytes.toString('utf8');
    const bad = text.indexOf('\ufffd');
    if (bad >= 0) return { code: 'SS12000.ENCODING', ...lineColumn(text, bad) };
    return { code: 'SS12000.INVALID_JSON', ...lineColumn(text, jsonErrorOffset(text) ?? text.length) };
  }

  let exported: Buffer;
  beforeAll(async () => {
    const chunks: Buffer[] = [];
    const feed = (async function* () {
      await Promise.resolve();
      yield* generatePupils({ kommunCode: '1980', count: 40, seed: 11 });
    })();
    const exportCtx = { ...ctx, loss: () => undefined };
    for await (const chunk of ss12000Adapter.export!(feed, exportCtx)) chunks.push(Buffer.from(chunk));
    exported = Buffer.concat(chunks);
  });

  it('imports its own export of 40 pupils whole', async () => {
    const { items, error } = await attempt(exported, 'export.json');
    expect(error).toBeUndefined();
    expect(records(items)).toHaveLength(40);
  });

  it('refuses the export cut at any of many bytes where a whole parse says, yielding nothing', async () => {
    const step = Math.floor(exported.length / 120);
    for (let cut = 1; cut < exported.length - 2; cut += step) {
      const bytes = exported.subarray(0, cut);
      const { items, error } = await attempt(bytes, 'cut.json');
      expect({ cut, items: items.length }).toEqual({ cut, items: 0 });
      const expected = wholeFault(bytes);
      expect({ cut, code: error?.code, place: error?.errors?.[0] }).toEqual({
        cut,
        code: expected.code,
        place: expect.objectContaining({ file: 'cut.json', line: expected.line, column: expected.column }),
      });
    }
  }, 60_000);

  it('refuses a Latin-1 byte on either side of a 64 KiB read boundary, with its line and column', async () => {
    const boundary = 64 * 1024;
    expect(exported.length).toBeGreaterThan(boundary + 100);
    for (const at of [boundary - 1, boundary, boundary + 1]) {
      const bytes = Buffer.from(exported);
      bytes[at] = 0xe5; // "å" in Latin-1: a UTF-8 lead byte without its continuation
      if ((bytes[at + 1] & 0xc0) === 0x80) bytes[at + 1] = 0x61;
      const { items, error } = await attempt(bytes, 'latin1.json');
      expect(items).toEqual([]);
      expect(error?.code).toBe('SS12000.ENCODING');
      const expected = wholeFault(bytes);
      expect(error?.errors).toEqual([
        expect.objectContaining({ file: 'latin1.json', line: expected.line, column: expected.column }),
      ]);
    }
  });
});

describe('sniff', () => {
  const sniff = (text: string | Buffer, name?: string) =>
    ss12000Adapter.sniff!(Buffer.isBuffer(text) ? text : Buffer.from(text), name);

  it('is sure of SS 12000 entities and pages, and of zips of collection files', () => {
    expect(sniff(readFileSync(join(SAMPLES, 'person.json')))).toBeGreaterThan(0.8);
    expect(sniff(readFileSync(join(FIXTURES, 'ok', 'bundle.json')).subarray(0, 4096))).toBeGreaterThan(0.8);
    expect(sniff(readFileSync(join(FIXTURES, 'ok', 'bom-crlf.json')))).toBeGreaterThan(0.5);
    expect(
      sniff(readFileSync(join(FIXTURES, 'ok', 'bundle-pages.zip')).subarray(0, 65536), 'export.zip'),
    ).toBe(0.8);
  });

  it('is not fooled by a canonical record, CSV or other JSON', () => {
    expect(
      sniff(
        '{"schemaVersion":"1.0","source":{},"pupil":{"civicNo":{},"securityMarking":"Ingen"},"enrolments":[]}',
      ),
    ).toBeLessThan(0.1);
    expect(sniff('sourcedId,status,name\n1,active,x\n', 'orgs.csv')).toBe(0);
    expect(sniff('{"actor":{"mbox":"mailto:a@b.se"},"verb":{"id":"x"}}')).toBe(0);
  });
});
