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
import { join } from 'node:path';
import type { LearnerRecord } from '../../records/learner-record.types';
import { validateLearnerRecord } from '../../records/learner-record.validator';
import { AdapterInputError } from '../adapter-input.errors';
import type { AdapterInput, ImportItem } from '../vendor-adapter.port';
import { googleClassroomAdapter } from './google-classroom.adapter';
import { canonicalJson } from './google-classroom.reader';
import type { ClassroomBundle } from './google-classroom.types';

const FIXTURES = join(__dirname, 'fixtures');
const EXPORT_ZIP = join(FIXTURES, 'ok', 'classroom-export.zip');
const BUNDLE: ClassroomBundle = JSON.parse(readFileSync(join(FIXTURES, 'ok', 'bundle.json'), 'utf8'));
const MA = '658913224431';
const SV = '658913224587';
const ASA = '104857387912345678901';
const NOW = new Date('2026-01-15T10:00:00Z');
const OPTIONS = {
  schoolUnitCode: '18492305',
  startDate: '2025-08-18',
  subjectCodes: { [MA]: 'MA', [SV]: 'SV' },
  gradeThresholds: { A: 90, B: 80, C: 65, D: 55, E: 45, F: 0 },
};
const provenance = (sourceId: string) => ({
  sourcePlatform: 'gc-vasteras',
  sourceId,
  adapter: 'google-classroom',
  adapterVersion: '1.0.0',
  importedAt: '2026-01-15T10:00:00.000Z',
});

let tmp: string;
beforeAll(() => (tmp = mkdtempSync(join(tmpdir(), 'gc-spec-'))));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fileInput(path: string, fileName = path.split('/').pop()): AdapterInput {
  return { open: () => createReadStream(path), path, size: statSync(path).size, fileName };
}
let written = 0;
function jsonInput(value: unknown, fileName = 'bundle.json'): AdapterInput {
  const path = join(tmp, `${++written}-${fileName}`);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return fileInput(path, fileName);
}

async function importAll(
  input: AdapterInput,
  options: Record<string, unknown> = OPTIONS,
): Promise<ImportItem[]> {
  const items: ImportItem[] = [];
  const ctx = { platformId: 'gc-vasteras', options, kommunCode: '1980', now: NOW };
  for await (const item of googleClassroomAdapter.import!(input, ctx, {})) items.push(item);
  return items;
}

async function importError(
  input: AdapterInput,
  options: Record<string, unknown> = OPTIONS,
): Promise<AdapterInputError> {
  try {
    await importAll(input, options);
  } catch (err) {
    if (err instanceof AdapterInputError) return err;
    throw err;
  }
  throw new Error('expected an AdapterInputError');
}

const records = (items: ImportItem[]): LearnerRecord[] =>
  items.flatMap((item) => (item.kind === 'record' ? [item.record] : []));
const byId = (items: ImportItem[], id: string): Extract<ImportItem, { kind: 'record' }> => {
  const found = items.find((item) => item.kind === 'record' && item.record.source.id === id);
  if (found?.kind !== 'record') throw new Error(`no record ${id}`);
  return found;
};
const submissionDigest = (courseWorkId: string, userId: string): string => {
  const submission = BUNDLE.studentSubmissions.find(
    (s) => s.courseWorkId === courseWorkId && s.userId === userId,
  );
  return createHash('sha256').update(canonicalJson(submission)).digest('hex');
};

describe('google-classroom adapter: a saved export of two courses', () => {
  it('makes one record per student, merging the pages and the courses they are in', async () => {
    const items = await importAll(fileInput(EXPORT_ZIP));
    expect(
      items.map((item) =>
        item.kind === 'record' ? `${item.record.pupil.givenName} ${item.record.pupil.familyName}` : item.kind,
      ),
    ).toEqual([
      'Åsa Öberg',
      'Märta Ängström',
      'Jöns Åkesson',
      'Ebba Sjöström', // from the second page of Matematik's students
      'Noah Älvsjö Nilsson',
    ]);
    for (const record of records(items)) expect(validateLearnerRecord(record)).toEqual([]);
    expect(records(items).map((r) => r.groups?.map((g) => g.name))).toEqual([
      ['Matematik 7B', 'Svenska 7B'],
      ['Matematik 7B'],
      ['Matematik 7B'],
      ['Matematik 7B', 'Svenska 7B'],
      ['Matematik 7B', 'Svenska 7B'],
    ]);
  });

  it("maps a student's courses, points, derived grades and hand-ins exactly", async () => {
    const item = byId(await importAll(fileInput(EXPORT_ZIP)), ASA);
    const group = (id: string, name: string) => ({
      id,
      name,
      groupType: 'Undervisning',
      schoolUnitCode: '18492305',
      startDate: '2025-08-18',
      provenance: provenance(id),
    });
    const submissionLink = (course: string, work: string) =>
      `https://classroom.google.com/c/${Buffer.from(course).toString('base64').replace(/=+$/, '')}/a/${Buffer.from(work).toString('base64').replace(/=+$/, '')}/submissions/by-status/and-sort-last-name/student/${Buffer.from(ASA).toString('base64').replace(/=+$/, '')}`;
    expect(item.record).toEqual({
      schemaVersion: '1.0',
      source: { platform: 'gc-vasteras', id: ASA },
      pupil: { givenName: 'Åsa', familyName: 'Öberg', securityMarking: 'Ingen', provenance: provenance(ASA) },
      contact: {
        emails: [{ value: 'asa.oberg@elev.vasteras.se', type: 'Skola' }],
        provenance: provenance(ASA),
      },
      groups: [group(MA, 'Matematik 7B'), group(SV, 'Svenska 7B')],
      grades: [
        // 18 + 25,5 of 20 + 30 points: 87 %, a B with thresholds A 90, B 80.
        {
          subjectCode: 'MA',
          gradeScale: 'A-F',
          value: 'B',
          registeredDate: '2025-10-08',
          schoolUnitCode: '18492305',
          provenance: provenance(MA),
        },
        // Weighted: written 8/10 at 60 %, oral 4/5 at 40 %: 80 %.
        {
          subjectCode: 'SV',
          gradeScale: 'A-F',
          value: 'B',
          registeredDate: '2025-10-09',
          schoolUnitCode: '18492305',
          provenance: provenance(SV),
        },
      ],
      assessments: [
        {
          kind: 'Övrigt',
          subjectCode: 'MA',
          // Graded 21:45 UTC on 15 September: still the 15th in Stockholm.
          date: '2025-09-15',
          text: 'Bråk och procent (uppgift)\nKurs: Matematik 7B\nResultat: 18 av 20 poäng (90 %)\nStatus: återlämnad av läraren',
          provenance: provenance('Cg4I9101EJ8901'),
        },
        {
          kind: 'Övrigt',
          subjectCode: 'MA',
          date: '2025-10-08',
          text: 'Diagnos: algebra (fråga med kort svar)\nKurs: Matematik 7B\nResultat: 25,5 av 30 poäng (85 %)\nStatus: återlämnad av läraren',
          provenance: provenance('Cg4I9106EJ8901'),
        },
        {
          kind: 'Övrigt',
          subjectCode: 'SV',
          date: '2025-10-02',
          text: 'Novellanalys: ”Ett halvt ark papper” (uppgift)\nKurs: Svenska 7B\nResultat: 8 av 10 poäng (80 %)\nKategori: Skriftligt\nStatus: återlämnad av läraren',
          provenance: provenance('Cg4I9108EJ8901'),
        },
        {
          kind: 'Övrigt',
          subjectCode: 'SV',
          date: '2025-10-09',
          text: 'Muntlig redovisning (uppgift)\nKurs: Svenska 7B\nResultat: 4 av 5 poäng (80 %)\nKategori: Muntligt\nStatus: återlämnad av läraren',
          provenance: provenance('Cg4I9109EJ8901'),
        },
      ],
      evidence: [
        {
          id: `gc-submission-${MA}-719034512201-Cg4I9101EJ8901`,
          uri: submissionLink(MA, '719034512201'),
          sha256: submissionDigest('719034512201', ASA),
          title: 'Bråk och procent (Matematik 7B)',
          recordedAt: '2025-09-11T17:20:05.332Z',
          provenance: provenance('Cg4I9101EJ8901'),
        },
        {
          id: `gc-submission-${MA}-719034512202-Cg4I9106EJ8901`,
          uri: submissionLink(MA, '719034512202'),
          sha256: submissionDigest('719034512202', ASA),
          title: 'Diagnos: algebra (Matematik 7B)',
          recordedAt: '2025-10-06T08:40:00.000Z',
          provenance: provenance('Cg4I9106EJ8901'),
        },
        {
          id: `gc-submission-${SV}-719034599101-Cg4I9108EJ8901`,
          uri: submissionLink(SV, '719034599101'),
          sha256: submissionDigest('719034599101', ASA),
          title: 'Novellanalys: ”Ett halvt ark papper” (Svenska 7B)',
          recordedAt: '2025-09-26T12:00:00.000Z',
          provenance: provenance('Cg4I9108EJ8901'),
        },
        {
          id: `gc-submission-${SV}-719034599102-Cg4I9109EJ8901`,
          uri: submissionLink(SV, '719034599102'),
          sha256: submissionDigest('719034599102', ASA),
          title: 'Muntlig redovisning (Svenska 7B)',
          recordedAt: '2025-10-09T09:00:00.000Z',
          provenance: provenance('Cg4I9109EJ8901'),
        },
      ],
    });
    const students = (page: string) => `classroom-export/courses/${page}`;
    expect(item.loss.map((l) => [l.kind, l.source.file, l.source.pointer, l.target?.pointer])).toEqual([
      ['defaulted', students(`${MA}/students-page-1.json`), '/students/0', '/pupil/securityMarking'],
      ['dropped', students(`${MA}/students-page-1.json`), '/students/0/profile/photoUrl', undefined],
      ['dropped', students(`${MA}/students-page-1.json`), '/students/0/studentWorkFolder', undefined],
      ['dropped', students(`${SV}/students.json`), '/students/0/studentWorkFolder', undefined],
      [
        'dropped',
        students(`${MA}/studentSubmissions.json`),
        '/studentSubmissions/0/assignmentSubmission/attachments',
        undefined,
      ],
      [
        'dropped',
        students(`${MA}/studentSubmissions.json`),
        '/studentSubmissions/5/shortAnswerSubmission',
        undefined,
      ],
      [
        'dropped',
        students(`${SV}/studentSubmissions.json`),
        '/studentSubmissions/0/assignmentSubmission/attachments',
        undefined,
      ],
      [
        'defaulted',
        students(`${MA}/students-page-1.json`),
        '/students/0/courseId',
        '/groups/0/schoolUnitCode',
      ],
      ['defaulted', students(`${MA}/students-page-1.json`), '/students/0', '/groups/0/startDate'],
      ['defaulted', students(`${SV}/students.json`), '/students/0/courseId', '/groups/1/schoolUnitCode'],
      ['defaulted', students(`${SV}/students.json`), '/students/0', '/groups/1/startDate'],
      ['approximated', students(`${MA}/studentSubmissions.json`), '/studentSubmissions/0', '/grades/0'],
      [
        'defaulted',
        students(`${MA}/studentSubmissions.json`),
        '/studentSubmissions/0/courseId',
        '/grades/0/schoolUnitCode',
      ],
      ['approximated', students(`${SV}/studentSubmissions.json`), '/studentSubmissions/0', '/grades/1'],
      [
        'defaulted',
        students(`${SV}/studentSubmissions.json`),
        '/studentSubmissions/0/courseId',
        '/grades/1/schoolUnitCode',
      ],
      [
        'approximated',
        students(`${MA}/studentSubmissions.json`),
        '/studentSubmissions/0/assignedGrade',
        '/assessments/0',
      ],
      [
        'approximated',
        students(`${MA}/studentSubmissions.json`),
        '/studentSubmissions/5/assignedGrade',
        '/assessments/1',
      ],
      [
        'approximated',
        students(`${SV}/studentSubmissions.json`),
        '/studentSubmissions/0/assignedGrade',
        '/assessments/2',
      ],
      [
        'approximated',
        students(`${SV}/studentSubmissions.json`),
        '/studentSubmissions/1/assignedGrade',
        '/assessments/3',
      ],
    ]);
    expect(item.loss[11].detail).toBe(
      "derived from the points, not set by a teacher: 43,5 of 50 points over 2 graded assignments, 87 %, with the registration's gradeThresholds",
    );
  });

  it('keeps a draft grade out, and what was not handed in out of the evidence', async () => {
    const items = await importAll(fileInput(EXPORT_ZIP));
    const jons = byId(items, '104857387912345678903');
    expect(jons.record.assessments).toBeUndefined();
    expect(jons.record.grades).toBeUndefined();
    expect(jons.record.evidence?.map((e) => e.title)).toEqual(['Bråk och procent (Matematik 7B)']);
    expect(jons.loss).toContainEqual(
      expect.objectContaining({
        kind: 'dropped',
        source: expect.objectContaining({ pointer: '/studentSubmissions/2/draftGrade' }),
      }),
    );
    const ebba = byId(items, '104857387912345678904');
    expect(ebba.record.evidence?.map((e) => e.title)).toEqual([
      'Novellanalys: ”Ett halvt ark papper” (Svenska 7B)',
    ]);
    expect(ebba.loss).toContainEqual({
      kind: 'dropped',
      source: {
        file: `classroom-export/courses/${MA}/studentSubmissions.json`,
        pointer: '/studentSubmissions/3/state',
      },
      detail:
        '"Bråk och procent" was not handed in (påbörjad, inte inlämnad) and has no grade: nothing to keep',
    });
    const noah = byId(items, '104857387912345678905');
    expect(noah.record.grades).toEqual([expect.objectContaining({ subjectCode: 'MA', value: 'A' })]); // 47 of 50
  });

  it('reads the same from one bundle as from a zip of pages', async () => {
    const fromZip = records(await importAll(fileInput(EXPORT_ZIP)));
    const fromBundle = records(await importAll(fileInput(join(FIXTURES, 'ok', 'bundle.json'))));
    expect(fromBundle).toEqual(fromZip);
  });

  it('without a grade mapping or a school unit, makes no grades and no groups, and says why', async () => {
    const item = byId(await importAll(fileInput(EXPORT_ZIP), {}), ASA);
    expect(item.record.grades).toBeUndefined();
    expect(item.record.groups).toBeUndefined();
    expect(item.record.assessments?.map((a) => a.subjectCode)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(item.record.evidence).toHaveLength(4);
    expect(item.loss.filter((l) => l.source.pointer === '/students/0/courseId').map((l) => l.detail)).toEqual(
      [
        `course ${MA}: a group needs a school unit, and Classroom has none (set schoolUnitCode in the registration)`,
        `course ${SV}: a group needs a school unit, and Classroom has none (set schoolUnitCode in the registration)`,
      ],
    );
  });
});

describe('google-classroom adapter: edge cases', () => {
  const course = {
    id: 'c1',
    name: 'Engelska',
    section: '8A',
    courseState: 'ACTIVE',
    creationTime: '2025-08-10T08:00:00Z',
  };
  const student = (userId: string, name: Record<string, string>) => ({
    courseId: 'c1',
    userId,
    profile: { id: userId, name },
  });
  const work = { courseId: 'c1', id: 'w1', title: 'Essay', maxPoints: 10, workType: 'ASSIGNMENT' };
  const graded = (userId: string, assignedGrade: number, gradeTimestamp: string) => ({
    courseId: 'c1',
    courseWorkId: 'w1',
    id: `s-${userId}`,
    userId,
    state: 'RETURNED',
    assignedGrade,
    submissionHistory: [
      {
        gradeHistory: {
          gradeTimestamp,
          gradeChangeType: 'ASSIGNED_GRADE_POINTS_EARNED_CHANGE',
          pointsEarned: assignedGrade,
        },
      },
    ],
  });

  it('dates grades in Swedish time unless told otherwise', async () => {
    const bundle = {
      courses: [course],
      students: [student('u1', { givenName: 'Åke', familyName: 'Ström' })],
      courseWork: [work],
      studentSubmissions: [graded('u1', 9, '2025-06-10T23:30:00Z')],
    };
    const options = { ...OPTIONS, subjectCodes: { c1: 'EN' } };
    const inSweden = records(await importAll(jsonInput(bundle), options))[0];
    expect(inSweden.grades?.[0].registeredDate).toBe('2025-06-11');
    expect(inSweden.assessments?.[0].date).toBe('2025-06-11');
    const inUtc = records(await importAll(jsonInput(bundle), { ...options, timeZone: 'UTC' }))[0];
    expect(inUtc.grades?.[0].registeredDate).toBe('2025-06-10');
  });

  it('refuses a time zone that does not exist', async () => {
    const error = await importError(jsonInput({ courses: [course] }), { timeZone: 'Europe/Västerås' });
    expect(error.code).toBe('GOOGLE_CLASSROOM.BAD_OPTION');
  });

  it('splits a full name when the parts are missing, and says so', async () => {
    const bundle = { courses: [course], students: [student('u1', { fullName: 'Anna Maria Lundqvist' })] };
    const [item] = await importAll(jsonInput(bundle));
    if (item.kind !== 'record') throw new Error('expected a record');
    expect(item.record.pupil).toMatchObject({ givenName: 'Anna Maria', familyName: 'Lundqvist' });
    expect(item.loss.filter((l) => l.kind === 'approximated').map((l) => l.target?.pointer)).toEqual([
      '/pupil/givenName',
      '/pupil/familyName',
    ]);
  });

  it('reports points below every threshold, and a course without a subject code', async () => {
    const bundle = {
      courses: [course, { ...course, id: 'c2', name: 'Bild' }],
      students: [
        student('u1', { givenName: 'Åke', familyName: 'Ström' }),
        { ...student('u1', { givenName: 'Åke', familyName: 'Ström' }), courseId: 'c2' },
      ],
      courseWork: [work, { ...work, courseId: 'c2' }],
      studentSubmissions: [
        graded('u1', 2, '2025-06-10T10:00:00Z'),
        { ...graded('u1', 9, '2025-06-10T10:00:00Z'), courseId: 'c2' },
      ],
    };
    const [item] = await importAll(jsonInput(bundle), {
      ...OPTIONS,
      subjectCodes: { c1: 'EN' },
      gradeThresholds: { A: 90, E: 50 },
    });
    if (item.kind !== 'record') throw new Error('expected a record');
    expect(item.record.grades).toBeUndefined();
    expect(
      item.loss
        .filter((l) => l.kind === 'out-of-range' || l.kind === 'unknown-code')
        .map((l) => [l.kind, l.detail]),
    ).toEqual([
      ['out-of-range', 'course c1: 20 % is below every gradeThresholds value: no grade'],
      [
        'unknown-code',
        'course c2 has no Skolverket subject code (subjectCodes option): no grade is derived from its points',
      ],
    ]);
  });

  it('reports submissions whose course work is missing, and ends membership of an archived course', async () => {
    const bundle = {
      courses: [{ ...course, courseState: 'ARCHIVED', updateTime: '2026-01-05T09:00:00Z' }],
      students: [student('u1', { givenName: 'Åke', familyName: 'Ström' })],
      courseWork: [],
      studentSubmissions: [graded('u1', 9, '2025-06-10T10:00:00Z')],
    };
    const [item] = await importAll(jsonInput(bundle, 'archived.json'));
    if (item.kind !== 'record') throw new Error('expected a record');
    expect(item.record.groups).toEqual([expect.objectContaining({ id: 'c1', endDate: '2026-01-05' })]);
    expect(item.loss).toContainEqual({
      kind: 'dropped',
      source: { file: 'archived.json', pointer: '/studentSubmissions/0/courseWorkId' },
      detail: 'refers to course work w1, which is not in the input (courses.courseWork.list)',
    });
    expect(item.loss).toContainEqual(
      expect.objectContaining({ kind: 'approximated', target: { pointer: '/groups/0/endDate' } }),
    );
  });

  it('leaves out an e-mail address that is none and keeps the pupil', async () => {
    const bundle = {
      courses: [course],
      students: [
        {
          ...student('u1', { givenName: 'Åke', familyName: 'Ström' }),
          profile: { name: { givenName: 'Åke', familyName: 'Ström' }, emailAddress: 'åke at skolan' },
        },
      ],
    };
    const [item] = await importAll(jsonInput(bundle, 'mail.json'));
    if (item.kind !== 'record') throw new Error('expected a record');
    expect(item.record.contact).toBeUndefined();
    expect(item.loss).toContainEqual({
      kind: 'dropped',
      source: { file: 'mail.json', pointer: '/students/0/profile/emailAddress' },
      detail: 'not imported: /value must be an e-mail address',
    });
  });

  it('rejects a student whose 10 MB name cannot be a name, and goes on', async () => {
    const huge = 'ö'.repeat(5 * 1024 * 1024);
    const bundle = {
      courses: [course],
      students: [
        student('u1', { givenName: huge, familyName: 'Ström' }),
        student('u2', { givenName: 'Ida', familyName: 'Ek' }),
      ],
    };
    const items = await importAll(jsonInput(bundle, 'huge.json'));
    expect(items.map((item) => item.kind)).toEqual(['rejected', 'record']);
    expect(items[0]).toEqual({
      kind: 'rejected',
      sourceId: 'u1',
      errors: [
        {
          file: 'huge.json',
          pointer: '/students/0/profile/name/givenName',
          detail: '/pupil/givenName must be at most 200 characters',
        },
      ],
      source: { file: 'huge.json', pointer: '/students/0' },
    });
  });

  it('digests a submission the same whatever order its fields came in', async () => {
    const submission = {
      ...graded('u1', 9, '2025-06-10T10:00:00Z'),
      alternateLink: 'https://classroom.google.com/c/x/a/y/submissions/student/z',
    };
    const reversed = Object.fromEntries(Object.entries(submission).reverse());
    const base = {
      courses: [course],
      students: [student('u1', { givenName: 'Åke', familyName: 'Ström' })],
      courseWork: [work],
    };
    const a = records(await importAll(jsonInput({ ...base, studentSubmissions: [submission] })))[0];
    const b = records(await importAll(jsonInput({ ...base, studentSubmissions: [reversed] })))[0];
    expect(a.evidence?.[0].sha256).toBe(b.evidence?.[0].sha256);
    expect(a.evidence?.[0].uri).toBe('https://classroom.google.com/c/x/a/y/submissions/student/z');
  });

  it('names a submission by URN when Classroom gave no link', async () => {
    const base = {
      courses: [course],
      students: [student('u1', { givenName: 'Åke', familyName: 'Ström' })],
      courseWork: [work],
    };
    const [record] = records(
      await importAll(jsonInput({ ...base, studentSubmissions: [graded('u1', 9, '2025-06-10T10:00:00Z')] })),
    );
    expect(record.evidence?.[0].uri).toBe('urn:google-classroom:submission:c1:w1:s-u1');
  });

  it('reads nothing from an export that has no export direction', () => {
    expect(googleClassroomAdapter.mediaTypes.export).toEqual([]);
    expect(googleClassroomAdapter.export).toBeUndefined();
    expect(googleClassroomAdapter.writes).toEqual([]);
  });
});

describe('google-classroom adapter: fixtures', () => {
  // The same checks the shared conformance kit makes, so a fixture is right before the kit runs it.
  for (const dir of ['ok', 'not-ok'] as const) {
    for (const file of readdirSync(join(FIXTURES, dir)).filter((name) => !name.endsWith('.expect.json'))) {
      it(`${dir}/${file}`, async () => {
        const path = join(FIXTURES, dir, file);
        const expected = JSON.parse(readFileSync(path.replace(/\.[a-z]+$/, '.expect.json'), 'utf8'));
        if (expected.code) {
          const error = await importError(fileInput(path));
          expect(error.code).toBe(expected.code);
          for (const want of expected.errors ?? [])
            expect(error.errors).toContainEqual(expect.objectContaining(want));
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
        for (const record of records(items)) expect(validateLearnerRecord(record)).toEqual([]);
      });
    }
  }
});

describe('google-classroom adapter: sniff', () => {
  it('knows Classroom list responses by their keys', () => {
    const head = (file: string) => readFileSync(join(FIXTURES, file)).subarray(0, 65536);
    expect(googleClassroomAdapter.sniff!(head('ok/bundle.json'), 'bundle.json')).toBe(0.9);
    expect(
      googleClassroomAdapter.sniff!(
        Buffer.from('{"students":[{"courseId":"1","userId":"2","profile":{}}]}'),
        'p.json',
      ),
    ).toBe(0.8);
    expect(googleClassroomAdapter.sniff!(head('ok/classroom-export.zip'), 'export.zip')).toBe(0.4);
    expect(googleClassroomAdapter.sniff!(head('not-ok/oneroster-users.json'), 'users.json')).toBe(0);
    expect(googleClassroomAdapter.sniff!(Buffer.from('<elmo/>'), 'x.xml')).toBe(0);
  });
});
