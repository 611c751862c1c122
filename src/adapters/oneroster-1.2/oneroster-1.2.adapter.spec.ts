import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FieldError } from '../../common/problem/domain-error';
import type { LearnerRecord } from '../../records/learner-record.types';
import { validateLearnerRecord } from '../../records/learner-record.validator';
import { generatePupils } from '../../seed/pupil-generator';
import { AdapterInputError } from '../adapter-input.errors';
import type { ImportItem } from '../vendor-adapter.port';
import { oneRosterAdapter } from './oneroster-1.2.adapter';
import { exportRecords, importBytes, importFile, lossOf } from './testing/run-adapter';
import { csvRows, unzip, zipFiles } from './testing/zip-files';
import { SAMPLES as SAMPLES_ROOT } from '../../../test/helpers/samples';

const FIXTURES = join(__dirname, 'fixtures');
const SAMPLE = join(SAMPLES_ROOT, 'oneroster');

type RecordItem = Extract<ImportItem, { kind: 'record' }>;

function records(items: ImportItem[]): RecordItem[] {
  return items.filter((i): i is RecordItem => i.kind === 'record');
}

function withoutProvenance<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'provenance' ? undefined : v))) as T;
}

async function refusal(run: Promise<unknown>): Promise<AdapterInputError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof AdapterInputError) return error;
    throw error;
  }
  throw new Error('the import was not refused');
}

function subsetOf(expected: Record<string, unknown>, actual: object): boolean {
  return Object.entries(expected).every(([k, v]) => (actual as Record<string, unknown>)[k] === v);
}

function fixtureCases(kind: 'ok' | 'not-ok'): [string, string, Record<string, unknown>][] {
  const dir = join(FIXTURES, kind);
  return readdirSync(dir)
    .filter((f) => !f.endsWith('.expect.json') && !f.endsWith('.js'))
    .sort()
    .map((f) => [
      f,
      join(dir, f),
      JSON.parse(readFileSync(join(dir, `${f.replace(/\.(zip|json)$/, '')}.expect.json`), 'utf8')) as Record<
        string,
        unknown
      >,
    ]);
}

describe('oneroster-1.2 adapter', () => {
  describe('fixtures', () => {
    it.each(fixtureCases('ok'))(
      'imports %s as expected, every record valid',
      async (_name, path, expected) => {
        const items = await importFile(path);
        const count = (kind: ImportItem['kind']) => items.filter((i) => i.kind === kind).length;
        expect({
          records: count('record'),
          deletions: count('deletion'),
          rejected: count('rejected'),
        }).toEqual(expected);
        for (const item of records(items)) expect(validateLearnerRecord(item.record)).toEqual([]);
      },
    );

    it.each(fixtureCases('not-ok'))('refuses %s at the place', async (_name, path, expected) => {
      if (expected.code) {
        const error = await refusal(importFile(path));
        expect(error.code).toBe(expected.code);
        for (const want of expected.errors as Record<string, unknown>[])
          expect((error.errors ?? []).some((actual) => subsetOf(want, actual))).toBe(true);
        return;
      }
      const items = await importFile(path);
      const errors = items.flatMap((i) => (i.kind === 'rejected' ? i.errors : []));
      for (const want of expected.rejected as Record<string, unknown>[])
        expect(errors.some((actual) => subsetOf(want, actual))).toBe(true);
      for (const item of records(items)) expect(validateLearnerRecord(item.record)).toEqual([]);
    });
  });

  describe('the public OneRoster 1.1 sample', () => {
    let items: ImportItem[];
    beforeAll(async () => {
      const files = Object.fromEntries(readdirSync(SAMPLE).map((f) => [f, readFileSync(join(SAMPLE, f))]));
      items = await importBytes(await zipFiles(files), 'sample.zip', {}, 'sample-lms');
    });

    it('imports both students, keeps their ids and names, and reports all it could not place', () => {
      expect(items.map((i) => i.kind)).toEqual(['record', 'record']);
      const [first, second] = records(items);
      expect(withoutProvenance(first.record)).toEqual({
        schemaVersion: '1.0',
        source: { platform: 'sample-lms', id: 'user1' },
        pupil: {
          givenName: 'ionut',
          familyName: 'padurariu',
          securityMarking: 'Ingen',
          externalIdentifiers: [
            { value: 'ionut', context: 'sample-lms:username' },
            { value: 'user identifier', context: 'sample-lms:identifier' },
            { value: 'abc', context: 'sample-lms:userId' },
          ],
        },
      });
      expect(first.source).toEqual({ file: 'users.csv', line: 2 });
      expect(first.loss).toEqual([
        expect.objectContaining({
          kind: 'defaulted',
          source: { file: 'users.csv', line: 2 },
          target: { pointer: '/pupil/securityMarking' },
        }),
        expect.objectContaining({
          kind: 'dropped',
          source: { file: 'users.csv', line: 2, column: 21, field: 'ext_tao_userMotherName' },
        }),
        expect.objectContaining({
          kind: 'dropped',
          source: { file: 'users.csv', line: 2, column: 22, field: 'ext_tao_userFatherName' },
        }),
        expect.objectContaining({
          kind: 'dropped',
          source: { file: 'users.csv', line: 2, column: 5, field: 'orgSourcedId' },
        }),
        expect.objectContaining({
          kind: 'dropped',
          source: { file: 'enrollments.csv', line: 2, column: 2, field: 'classSourcedId' },
        }),
        expect.objectContaining({
          kind: 'dropped',
          source: { file: 'enrollments.csv', line: 3, column: 2, field: 'classSourcedId' },
        }),
      ]);
      expect(second.record.pupil.givenName).toBe('ionut2');
      expect(second.loss.map((l) => [l.kind, l.source.file, l.source.line])).toEqual([
        ['defaulted', 'users.csv', 3],
        ['dropped', 'users.csv', 3],
        ['dropped', 'enrollments.csv', 4],
      ]);
    });

    it('gives every item the provenance of this import', () => {
      const [first] = records(items);
      expect(first.record.pupil.provenance).toEqual({
        sourcePlatform: 'sample-lms',
        sourceId: 'user1',
        adapter: 'oneroster-1.2',
        adapterVersion: '1.0.0',
        importedAt: '2026-08-15T00:00:00.000Z',
      });
    });

    it('rejects each pupil whose identifier the options call a civic number and which is none', async () => {
      const files = Object.fromEntries(readdirSync(SAMPLE).map((f) => [f, readFileSync(join(SAMPLE, f))]));
      const rejected = await importBytes(await zipFiles(files), 'sample.zip', {
        civicNo: { column: 'identifier' },
      });
      expect(rejected).toEqual([
        expect.objectContaining({
          kind: 'rejected',
          sourceId: 'user1',
          source: { file: 'users.csv', line: 2 },
        }),
        expect.objectContaining({ kind: 'rejected', sourceId: 'user2' }),
      ]);
      const errors = (rejected[0] as { errors: FieldError[] }).errors;
      expect(errors).toEqual([
        {
          file: 'users.csv',
          line: 2,
          column: 11,
          pointer: '/pupil/civicNo/value',
          detail: expect.stringContaining(
            'identifier "user identifier" is not a valid personnummer',
          ) as string,
        },
      ]);
    });
  });

  describe('a Swedish OneRoster 1.2 bundle (BOM, CRLF, quoted commas and quotes, mixed dates)', () => {
    let items: RecordItem[];
    beforeAll(async () => {
      items = records(await importFile(join(FIXTURES, 'ok', 'swedish-bom-crlf.zip')));
    });

    it('joins roles, enrollments, demographics, agents and results into one record per pupil', () => {
      expect(withoutProvenance(items[0].record)).toEqual({
        schemaVersion: '1.0',
        source: { platform: 'lms', id: 'elev-1' },
        pupil: {
          givenName: 'Åsa',
          familyName: 'Öberg',
          birthDate: '2012-03-04',
          sex: 'Kvinna',
          securityMarking: 'Ingen',
          externalIdentifiers: [
            { value: 'asa.oberg', context: 'lms:username' },
            { value: 'asa.oberg', context: 'LDAP' },
          ],
        },
        contact: {
          emails: [{ value: 'asa.oberg@elev.example.se', type: 'Skola' }],
          phoneNumbers: [{ value: '+46701740601', type: 'Mobil' }],
        },
        guardians: [
          {
            id: 'vh-1',
            givenName: 'Eva',
            familyName: 'Öberg',
            relation: 'Vårdnadshavare',
            custody: true,
            contact: {
              emails: [{ value: 'eva.oberg@example.com', type: 'Privat' }],
              phoneNumbers: [{ value: '+46701740602', type: 'Mobil' }],
            },
          },
        ],
        enrolments: [
          {
            organiserCode: '1980',
            schoolUnitCode: '12345678',
            schoolType: 'GR',
            schoolYear: 7,
            startDate: '2025-08-18',
          },
        ],
        groups: [
          { id: '7a', name: '7A', groupType: 'Klass', schoolUnitCode: '12345678', startDate: '2025-08-18' },
          {
            id: 'ma-7a',
            name: 'Matematik 7A, grupp "röd"',
            groupType: 'Undervisning',
            schoolUnitCode: '12345678',
            startDate: '2025-08-18',
            endDate: '2025-12-31',
          },
        ],
        grades: [
          {
            subjectCode: 'MA',
            gradeScale: 'A-F',
            value: 'B',
            final: false,
            registeredDate: '2025-12-18',
            semester: 'HT',
            year: 2025,
            schoolUnitCode: '12345678',
            gradingTeacher: { id: 'larare-1', name: 'Karin Lind' },
          },
        ],
      });
      // Foreign files carry no kinds of e-mail nor custody: the conventions used are reported.
      expect(items[0].loss.map((l) => [l.kind, l.target?.pointer])).toEqual([
        ['defaulted', '/pupil/securityMarking'],
        ['defaulted', '/contact/emails/0/type'],
        ['defaulted', '/guardians/0/contact/emails/0/type'],
        ['defaulted', '/guardians/0/custody'],
      ]);
    });

    it('writes Swedish letters as NFC, even when the export decomposed them', () => {
      expect(items[0].record.pupil.familyName).toBe('\u00d6berg');
      expect(items[1].record.pupil.familyName).toBe('Ängström-Ek');
      expect(items[1].record.pupil.givenName).toBe('Zoë');
    });

    it('reads a date-time as its date, an A–F merit score as the letter, and "other" as Okänt (approximated)', () => {
      const second = items[1];
      expect(second.record.pupil.birthDate).toBe('2012-11-30');
      expect(second.record.groups?.[0].startDate).toBe('2025-08-18');
      expect(second.record.grades?.[0].value).toBe('E');
      expect(second.loss).toContainEqual(
        expect.objectContaining({
          kind: 'approximated',
          source: { file: 'demographics.csv', line: 3, column: 5, field: 'sex' },
        }),
      );
    });

    it('drops a past placement whose school type nothing gives, saying so', () => {
      expect(items[1].record.enrolments).toBeUndefined();
      expect(items[1].loss).toContainEqual(
        expect.objectContaining({ kind: 'dropped', source: { file: 'roles.csv', line: 3 } }),
      );
    });

    it('reads the same bundle zipped inside a folder with LF line ends', async () => {
      const lf = records(await importFile(join(FIXTURES, 'ok', 'swedish-in-folder-lf.zip')));
      expect(lf.map((i) => withoutProvenance(i.record))).toEqual(
        items.map((i) => withoutProvenance(i.record)),
      );
    });

    it('turns a tobedeleted student of a delta into a deletion', async () => {
      const delta = await importFile(join(FIXTURES, 'ok', 'delta-tobedeleted.zip'));
      expect(delta.map((i) => i.kind)).toEqual(['record', 'deletion']);
      expect(delta[1]).toEqual({
        kind: 'deletion',
        sourcePlatform: 'lms',
        sourceId: 'elev-2',
        source: { file: 'users.csv', line: 3 },
      });
    });
  });

  describe("a platform's dialect, set in its options", () => {
    async function dialect(edit: (files: Record<string, string>) => void, options: Record<string, unknown>) {
      const files = Object.fromEntries(
        await unzip(readFileSync(join(FIXTURES, 'ok', 'swedish-bom-crlf.zip'))),
      );
      edit(files);
      return records(await importBytes(await zipFiles(files), 'dialect.zip', options));
    }

    it('renames columns, maps school codes, scales, scores and grade codes as the options say', async () => {
      const [first, second] = await dialect(
        (f) => {
          f['users.csv'] = f['users.csv'].replace(',email,', ',ext_elevmail,');
          f['orgs.csv'] = f['orgs.csv'].replace('school,12345678,', 'school,SKV-1,');
          f['scoreScales.csv'] = f['scoreScales.csv'].replace(',A-F,', ',Betyg A–F (Lgr22),');
          f['results.csv'] = f['results.csv']
            .replace(',17.5,2025-12-18,,B,', ',17.5,2025-12-18,,b,')
            .replace(',10,2025-12-18,,,', ',4,2025-12-18,,,');
          f['users.csv'] = f['users.csv']
            .replace(',skola-1,\r\nelev-2', ',skola-1,\r\nelev-2')
            .replace(',07,,,,,,skola-1,\r\nelev-2', ',7A,,,,,,skola-1,\r\nelev-2');
        },
        {
          fieldAliases: { 'users.csv': { ext_elevmail: 'email' } },
          codeLists: {
            schoolUnitCode: { 'skola-1': '87654321' },
            grades: { '7A': { schoolType: 'GRS', schoolYear: 7 } },
          },
          gradeScales: { scoreScales: { 'Betyg A–F (Lgr22)': 'A-F' }, values: { 'A-F': { '4': 'C' } } },
        },
      );
      expect(first.record.contact?.emails?.[0].value).toBe('asa.oberg@elev.example.se');
      expect(first.record.enrolments).toEqual([
        expect.objectContaining({ schoolUnitCode: '87654321', schoolType: 'GRS', schoolYear: 7 }),
      ]);
      expect(first.record.grades?.[0]).toEqual(
        expect.objectContaining({ gradeScale: 'A-F', value: 'B', schoolUnitCode: '87654321' }),
      );
      expect(second.record.grades?.[0].value).toBe('C');
    });

    it('reports an ext column it has no place for, and a grade it cannot read', async () => {
      const [first] = await dialect((f) => {
        f['users.csv'] = f['users.csv']
          .replace(',pronouns\r\n', ',ext_skolskjuts\r\n')
          .replace(',skola-1,\r\nelev-2', ',skola-1,ja\r\nelev-2');
        f['results.csv'] = f['results.csv'].replace(',B,ma-7a', ',MVG,ma-7a');
      }, {});
      expect(first.record.grades).toBeUndefined();
      expect(first.loss).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            kind: 'dropped',
            source: { file: 'users.csv', line: 2, column: 22, field: 'ext_skolskjuts' },
          }),
          expect.objectContaining({
            kind: 'unknown-code',
            source: { file: 'results.csv', line: 2, column: 10, field: 'textScore' },
          }),
        ]),
      );
    });
    it("reports the unknown columns of a pupil's roles, enrollments and results rows, at file, line and column", async () => {
      const addColumn = (csv: string, value: string) =>
        csv
          .split('\r\n')
          .map((line, i) =>
            line === '' ? line : `${line},${i === 0 ? 'ext_vklass_note' : i === 1 ? value : ''}`,
          )
          .join('\r\n');
      const [first] = await dialect((f) => {
        f['roles.csv'] = addColumn(f['roles.csv'], 'inskriven sent');
        f['enrollments.csv'] = addColumn(f['enrollments.csv'], 'byter klass');
        f['results.csv'] = addColumn(f['results.csv'], 'kompletterad');
      }, {});
      const notes = first.loss.filter((l) => l.source.field === 'ext_vklass_note');
      expect(notes).toEqual([
        {
          kind: 'dropped',
          source: { file: 'roles.csv', line: 2, column: 11, field: 'ext_vklass_note' },
          detail: 'an enrolment has no place for ext_vklass_note',
        },
        {
          kind: 'dropped',
          source: { file: 'enrollments.csv', line: 2, column: 11, field: 'ext_vklass_note' },
          detail: 'a group membership has no place for ext_vklass_note',
        },
        {
          kind: 'dropped',
          source: { file: 'results.csv', line: 2, column: 16, field: 'ext_vklass_note' },
          detail: 'a grade has no place for ext_vklass_note',
        },
      ]);
    });
  });

  describe('OneRoster REST JSON', () => {
    it("reports the metadata of a pupil's roles and enrollments it has no place for, at its pointer", async () => {
      const files = Object.fromEntries(
        await unzip(readFileSync(join(__dirname, '../oneroster-1.2-rest/fixtures/ok/rest-bundle.zip'))),
      );
      const users = JSON.parse(files['users.json']);
      users.users[0].roles[0].metadata = { 'vklass.note': 'inskriven sent' };
      const enrollments = JSON.parse(files['enrollments.json']);
      enrollments.enrollments[0].metadata = { 'vklass.note': 'byter klass', ext_portabel_x: 'kept quiet' };
      files['users.json'] = JSON.stringify(users);
      files['enrollments.json'] = JSON.stringify(enrollments);
      const items = records(await importBytes(await zipFiles(files), 'rest.zip', {}));
      const notes = items.flatMap((i) => i.loss).filter((l) => /has no place for metadata\./.test(l.detail));
      expect(notes.map((l) => [l.source.file, l.detail])).toEqual([
        ['users.json', 'an enrolment has no place for metadata.vklass.note'],
        ['enrollments.json', 'a group membership has no place for metadata.vklass.note'],
      ]);
    });

    it('imports a users page on its own, dropping the placement at an org it does not carry', async () => {
      const [item] = await importFile(join(__dirname, '../oneroster-1.2-rest/fixtures/ok/rest-users.json'));
      expect(item.kind).toBe('record');
      const { record, loss } = item as RecordItem;
      expect(withoutProvenance(record.pupil)).toEqual({
        givenName: 'Olle',
        familyName: 'Åkesson',
        securityMarking: 'Ingen',
        externalIdentifiers: [
          { value: 'olle.akesson', context: 'lms:username' },
          { value: 'olle.akesson', context: 'LDAP' },
        ],
      });
      expect(record.contact?.emails).toEqual([{ value: 'olle.akesson@elev.example.se', type: 'Skola' }]);
      expect(loss).toContainEqual(
        expect.objectContaining({
          kind: 'dropped',
          source: {
            file: 'rest-users.json',
            pointer: '/users/0/roles/0/org/sourcedId',
            field: 'orgSourcedId',
          },
        }),
      );
    });

    it('imports a zip of response pages through the same mapping as CSV', async () => {
      const [item] = records(
        await importFile(join(__dirname, '../oneroster-1.2-rest/fixtures/ok/rest-bundle.zip')),
      );
      expect(withoutProvenance(item.record)).toEqual({
        schemaVersion: '1.0',
        source: { platform: 'lms', id: 'elev-9' },
        pupil: {
          givenName: 'Olle',
          familyName: 'Åkesson',
          birthDate: '2011-05-06',
          sex: 'Man',
          securityMarking: 'Ingen',
          externalIdentifiers: [
            { value: 'olle.akesson', context: 'lms:username' },
            { value: 'olle.akesson', context: 'LDAP' },
          ],
        },
        contact: { emails: [{ value: 'olle.akesson@elev.example.se', type: 'Skola' }] },
        enrolments: [
          {
            organiserCode: '1980',
            schoolUnitCode: '12345678',
            schoolType: 'GR',
            schoolYear: 8,
            startDate: '2025-08-18',
          },
        ],
        groups: [
          { id: '8b', name: '8B', groupType: 'Klass', schoolUnitCode: '12345678', startDate: '2025-08-18' },
        ],
      });
    });

    it('points at the place in the JSON when a value is wrong', async () => {
      const doc = {
        users: [
          {
            sourcedId: 'u',
            status: 'active',
            givenName: 'A',
            familyName: 'B',
            roles: [{ role: 'student', org: { sourcedId: 'x' } }],
          },
        ],
        demographics: [{ sourcedId: 'u', status: 'active', birthDate: '2012-13-01' }],
      };
      const [item] = await importBytes(Buffer.from(JSON.stringify(doc)), 'page.json');
      expect(item).toEqual(
        expect.objectContaining({
          kind: 'rejected',
          errors: [expect.objectContaining({ file: 'page.json', pointer: '/demographics/0/birthDate' })],
        }),
      );
    });

    it('refuses JSON that is not UTF-8, with the line', async () => {
      const bytes = Buffer.concat([
        Buffer.from('{"users": [\n{"sourcedId": "G'),
        Buffer.from([0xf6]),
        Buffer.from('ran"}]}'),
      ]);
      const error = await refusal(importBytes(bytes, 'latin1.json'));
      expect(error.code).toBe('ONEROSTER.ENCODING');
      expect(error.errors).toEqual([expect.objectContaining({ file: 'latin1.json', line: 2 })]);
    });
  });

  describe('sniff', () => {
    it('is sure of a zip holding manifest.csv and of a OneRoster JSON response, and not of other things', () => {
      const sniff = (head: Buffer | string, name?: string) =>
        oneRosterAdapter.sniff?.(Buffer.from(head), name) ?? 0;
      const zip = readFileSync(join(FIXTURES, 'ok', 'swedish-bom-crlf.zip')).subarray(0, 65536);
      expect(sniff(zip)).toBeGreaterThanOrEqual(0.9);
      expect(
        sniff(readFileSync(join(__dirname, '../oneroster-1.2-rest/fixtures/ok/rest-users.json'))),
      ).toBeGreaterThanOrEqual(0.8);
      expect(sniff('{"data": [{"id": "x", "civicNo": {}}]}')).toBe(0);
      expect(sniff('<elmo/>')).toBe(0);
    });
  });

  describe('export', () => {
    const generated = (count: number, seed = 3): LearnerRecord[] =>
      [...generatePupils({ kommunCode: '1980', count, seed })].map((r) => ({
        ...r,
        source: { platform: 'lms', id: r.source.id },
      }));

    it('writes the same bytes for the same records (and, where no two describe a group differently, in any order)', async () => {
      const pupils = generated(12);
      const first = await exportRecords(pupils);
      const again = await exportRecords(pupils);
      const shuffled = await exportRecords([...pupils].reverse());
      expect(again.zip.equals(first.zip)).toBe(true);
      expect(shuffled.zip.equals(first.zip)).toBe(true);
    });

    it('writes a 1.2 bulk bundle: manifest first, files in fixed order, rows by sourcedId', async () => {
      const { zip } = await exportRecords(generated(6));
      const files = await unzip(zip);
      expect(files.map(([name]) => name)).toEqual([
        'manifest.csv',
        'academicSessions.csv',
        'categories.csv',
        'classes.csv',
        'courses.csv',
        'demographics.csv',
        'enrollments.csv',
        'lineItems.csv',
        'lineItemScoreScales.csv',
        'orgs.csv',
        'results.csv',
        'roles.csv',
        'scoreScales.csv',
        'users.csv',
      ]);
      const manifest = Object.fromEntries(csvRows(files[0][1]).map((r) => [r.propertyName, r.value]));
      expect(manifest['oneroster.version']).toBe('1.2');
      expect(manifest['file.users']).toBe('bulk');
      expect(manifest['file.resources']).toBe('absent');
      for (const [, text] of files.slice(1)) {
        const ids = csvRows(text).map((r) => r.sourcedId);
        expect(ids).toEqual([...ids].sort());
        expect(new Set(ids).size).toBe(ids.length);
      }
    });

    it('never writes contact data of a pupil with skyddad folkbokföring, nor of their guardians', async () => {
      const [pupil] = generated(20, 11).filter(
        (r) => (r.contact?.emails?.length ?? 0) > 0 && r.guardians?.length,
      );
      const marked: LearnerRecord = {
        ...pupil,
        pupil: { ...pupil.pupil, securityMarking: 'Skyddad folkbokföring' },
      };
      const { zip, loss } = await exportRecords([marked]);
      const users = csvRows((await unzip(zip)).find(([name]) => name === 'users.csv')?.[1] ?? '');
      expect(users.length).toBe(1 + (marked.guardians?.length ?? 0));
      for (const user of users) expect([user.email, user.sms, user.phone]).toEqual(['', '', '']);
      const withheld = loss.filter((l) => l.detail.includes('skyddad folkbokföring'));
      expect(withheld.map((l) => [l.kind, l.source.pointer])).toEqual([
        ['dropped', '/contact'],
        ...(marked.guardians ?? []).map((_, i) => ['dropped', `/guardians/${i}/contact`]),
      ]);
      expect(loss).toContainEqual(
        expect.objectContaining({ kind: 'dropped', source: { pointer: '/pupil/securityMarking' } }),
      );
    });

    it('reports every section OneRoster has no place for, and civic numbers unless the options ask for them', async () => {
      const pupils = generated(30);
      const { loss } = await exportRecords(pupils);
      for (const record of pupils) {
        const pointers = lossOf(loss, record.source.id).map((l) => l.source.pointer);
        for (const section of [
          'assessments',
          'attendance',
          'supportMeasures',
          'achievements',
          'evidence',
        ] as const)
          if (record[section]?.length) expect(pointers).toContain(`/${section}`);
        if (record.pupil.civicNo) expect(pointers).toContain('/pupil/civicNo');
      }
    });

    it('writes civic numbers into identifier when the options say so, and reads them back Luhn-checked', async () => {
      const options = { civicNo: { column: 'identifier', export: true } };
      const pupils = generated(10).filter((r) => r.pupil.civicNo);
      const { zip } = await exportRecords(pupils, options);
      const back = records(await importBytes(zip, 'export.zip', options));
      expect(back.map((i) => i.record.pupil.civicNo?.value)).toEqual(
        [...pupils].sort((a, b) => (a.source.id < b.source.id ? -1 : 1)).map((r) => r.pupil.civicNo?.value),
      );
      const users = (await unzip(zip)).find(([name]) => name === 'users.csv')?.[1] ?? '';
      const tampered = users.replace(
        /,(\d{11})(\d),/,
        (_m, head: string, last: string) => `,${head}${(Number(last) + 1) % 10},`,
      );
      const files = Object.fromEntries(
        (await unzip(zip)).map(([n, t]) => [n, n === 'users.csv' ? tampered : t]),
      );
      const items = await importBytes(await zipFiles(files), 'tampered.zip', options);
      const rejected = items.filter((i) => i.kind === 'rejected');
      expect(rejected).toHaveLength(1);
      expect((rejected[0] as { errors: FieldError[] }).errors[0]).toEqual(
        expect.objectContaining({
          file: 'users.csv',
          column: 10,
          pointer: expect.stringMatching(/civicNo\/value$/) as string,
        }),
      );
    });

    it('writes guardians as users with a guardian role and the pupil as agent', async () => {
      const pupils = generated(3);
      const files = await unzip((await exportRecords(pupils)).zip);
      const users = csvRows(files.find(([n]) => n === 'users.csv')?.[1] ?? '');
      const roles = csvRows(files.find(([n]) => n === 'roles.csv')?.[1] ?? '');
      for (const record of pupils)
        for (const guardian of record.guardians ?? []) {
          expect(users.find((u) => u.sourcedId === guardian.id)?.agentSourcedIds).toBe(record.source.id);
          expect(
            roles.some(
              (r) =>
                r.userSourcedId === guardian.id &&
                (['guardian', 'relative'].includes(r.role) || r.role.startsWith('ext:')),
            ),
          ).toBe(true);
        }
    });
  });

  it('declares what it reads and writes', () => {
    expect(oneRosterAdapter.mediaTypes).toEqual({
      import: ['application/zip', 'application/json'],
      export: ['application/zip'],
    });
    expect(oneRosterAdapter.exportFormat).toEqual({ mediaType: 'application/zip', extension: 'zip' });
    expect(oneRosterAdapter.optionsSchema).toEqual(expect.objectContaining({ type: 'object' }));
  });
});
