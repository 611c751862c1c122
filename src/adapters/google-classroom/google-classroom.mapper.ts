// Classroom lists (joined) → one canonical record per student. A student's courses become teaching groups,
// each graded submission an assessment that keeps the points readable, each handed-in submission evidence
// (a link to it and the digest of what the API said about it), and, when the registration says how, the
// points of a course a derived grade. What has no place is a loss entry with its file and JSON pointer.
import { createHash } from 'node:crypto';
import type {
  Assessment,
  Email,
  Evidence,
  Grade,
  Group,
  Provenance,
  Pupil,
} from '../../records/learner-record.types';
import type { ImportContext, ImportItem, Location, LossEntry } from '../vendor-adapter.port';
import type { ClassroomOptions } from './google-classroom.options';
import { canonicalJson, type ClassroomSnapshot, type Located, type Place } from './google-classroom.reader';
import { settleRecord, type PendingItem, type PendingLoss } from '../shared/record-check';
import type {
  ClassroomCourse,
  ClassroomCourseWork,
  ClassroomStudent,
  ClassroomStudentSubmission,
} from './google-classroom.types';

export interface AdapterIdentity {
  name: string;
  version: string;
}

const HANDED_IN = new Set(['TURNED_IN', 'RETURNED']);
const STATE_TEXT: Record<string, string> = {
  NEW: 'inte öppnad',
  CREATED: 'påbörjad, inte inlämnad',
  TURNED_IN: 'inlämnad',
  RETURNED: 'återlämnad av läraren',
  RECLAIMED_BY_STUDENT: 'återtagen av eleven',
};
const WORK_TYPE_TEXT: Record<string, string> = {
  ASSIGNMENT: 'uppgift',
  SHORT_ANSWER_QUESTION: 'fråga med kort svar',
  MULTIPLE_CHOICE_QUESTION: 'flervalsfråga',
};
const ISO_DATE_TIME =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$/;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().normalize('NFC') : undefined;
const number = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
/** Points as Swedes write them: 17,5. */
const points = (value: number): string => String(Math.round(value * 100) / 100).replace('.', ',');
const at = (place: Place, suffix = ''): Location => ({
  file: place.file,
  pointer: `${place.pointer}${suffix}`,
});

export class ClassroomMapper {
  private readonly studentsByUser = new Map<string, Located<ClassroomStudent>[]>();
  private readonly submissionsByUser = new Map<string, Located<ClassroomStudentSubmission>[]>();
  private readonly dateFormat: Intl.DateTimeFormat;

  constructor(
    private readonly snapshot: ClassroomSnapshot,
    private readonly ctx: ImportContext,
    private readonly options: ClassroomOptions,
    private readonly adapter: AdapterIdentity,
  ) {
    this.dateFormat = new Intl.DateTimeFormat('sv-SE', {
      timeZone: options.timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    for (const student of snapshot.students) {
      const userId = text(student.value.userId);
      if (userId === undefined) continue;
      this.studentsByUser.set(userId, [...(this.studentsByUser.get(userId) ?? []), student]);
    }
    for (const submission of snapshot.submissions) {
      const userId = submission.value.userId as string;
      this.submissionsByUser.set(userId, [...(this.submissionsByUser.get(userId) ?? []), submission]);
    }
  }

  /** One item per student, in the order students first appear; then the submissions of unknown students. */
  *items(): Generator<ImportItem> {
    const done = new Set<string>();
    for (const student of this.snapshot.students) {
      const userId = text(student.value.userId);
      if (userId === undefined) {
        yield {
          kind: 'rejected',
          errors: [
            {
              file: student.place.file,
              pointer: `${student.place.pointer}/userId`,
              detail: 'is required: the student cannot be identified',
            },
          ],
          source: at(student.place),
        };
        continue;
      }
      if (done.has(userId)) continue;
      done.add(userId);
      yield this.pupilItem(userId, this.studentsByUser.get(userId) ?? [student]);
    }
    for (const [userId, submissions] of this.submissionsByUser) {
      if (this.studentsByUser.has(userId)) continue;
      yield {
        kind: 'rejected',
        sourceId: userId,
        errors: submissions.slice(0, 20).map(({ place }) => ({
          file: place.file,
          pointer: `${place.pointer}/userId`,
          detail: `refers to student ${userId}, who is on no course's student list (courses.students)`,
        })),
        source: at(submissions[0].place),
      };
    }
  }

  private provenance(sourceId?: string): Provenance {
    return {
      sourcePlatform: this.ctx.platformId,
      ...(sourceId ? { sourceId: sourceId.slice(0, 256) } : {}),
      adapter: this.adapter.name,
      adapterVersion: this.adapter.version,
      importedAt: this.ctx.now.toISOString(),
    };
  }

  /** The calendar date of a Classroom timestamp in the registration's time zone. */
  private dateOf(timestamp: unknown): string | undefined {
    const value = text(timestamp);
    if (value === undefined || !ISO_DATE_TIME.test(value)) return undefined;
    const time = new Date(value);
    return Number.isNaN(time.getTime()) ? undefined : this.dateFormat.format(time);
  }

  private pupilItem(userId: string, entries: Located<ClassroomStudent>[]): ImportItem {
    const loss: LossEntry[] = [];
    const origins = new Map<string, Location>();
    const withProfile = entries.find((entry) => entry.value.profile?.name) ?? entries[0];
    const profile = withProfile.value.profile ?? {};
    const place = withProfile.place;
    origins.set('/pupil', at(place, '/profile'));
    origins.set('/source/id', at(place, '/userId'));

    let givenName = text(profile.name?.givenName);
    let familyName = text(profile.name?.familyName);
    const fullName = text(profile.name?.fullName);
    origins.set('/pupil/givenName', at(place, '/profile/name/givenName'));
    origins.set('/pupil/familyName', at(place, '/profile/name/familyName'));
    if ((givenName === undefined || familyName === undefined) && fullName?.includes(' ')) {
      // "Anna Maria Svensson": the last word is taken as the family name.
      const split = fullName.lastIndexOf(' ');
      givenName ??= fullName.slice(0, split).trim();
      familyName ??= fullName.slice(split + 1);
      for (const field of ['givenName', 'familyName']) {
        loss.push({
          kind: 'approximated',
          source: at(place, '/profile/name/fullName'),
          target: { pointer: `/pupil/${field}` },
          detail: 'Classroom gave only the full name: its last word is taken as the family name',
        });
      }
    }
    const pupil: Pupil = {
      givenName: givenName ?? '',
      familyName: familyName ?? '',
      securityMarking: 'Ingen',
      provenance: this.provenance(userId),
    };
    loss.push({
      kind: 'defaulted',
      source: at(place),
      target: { pointer: '/pupil/securityMarking' },
      detail:
        'Classroom carries no protection of personal data (skyddad folkbokföring, sekretessmarkering): set to Ingen',
    });
    if (text(profile.photoUrl)) {
      loss.push({
        kind: 'dropped',
        source: at(place, '/profile/photoUrl'),
        detail: 'the learner record keeps no photo',
      });
    }

    const emails: PendingItem<Email>[] = [];
    const email = text(profile.emailAddress);
    if (email)
      emails.push({
        value: { value: email, type: 'Skola' },
        origin: at(place, '/profile/emailAddress'),
        losses: [],
      });

    const groups: PendingItem<Group>[] = [];
    for (const entry of entries) this.group(entry, groups, loss);

    const evidence: PendingItem<Evidence>[] = [];
    const assessments: PendingItem<Assessment>[] = [];
    const graded = new Map<
      string,
      { submission: Located<ClassroomStudentSubmission>; work: ClassroomCourseWork; date?: string }[]
    >();
    for (const submission of this.submissionsByUser.get(userId) ?? []) {
      this.submission(submission, { evidence, assessments, graded, loss });
    }
    const grades: PendingItem<Grade>[] = [];
    for (const [courseId, work] of graded) this.courseGrade(courseId, work, grades, loss);

    const settled = settleRecord({
      // The pointer is into the input (a JSON file); the detail says which field of the record it became.
      placeError: (error, origin) => ({
        ...(origin.file ? { file: origin.file } : {}),
        pointer: origin.pointer ?? '',
        detail: `${error.pointer} ${error.detail}`,
      }),
      base: {
        schemaVersion: '1.0',
        source: { platform: this.ctx.platformId, id: userId },
        pupil,
        ...(emails.length > 0 ? { contact: { provenance: this.provenance(userId) } } : {}),
      },
      sections: {
        '/contact/emails': emails,
        '/groups': groups,
        '/grades': grades,
        '/assessments': assessments,
        '/evidence': evidence,
      },
      origins,
      fallback: at(place),
    });
    if (settled.kind === 'rejected')
      return { kind: 'rejected', sourceId: userId, errors: settled.errors, source: at(place) };
    return { kind: 'record', record: settled.record, loss: [...loss, ...settled.loss], source: at(place) };
  }

  private group(entry: Located<ClassroomStudent>, groups: PendingItem<Group>[], loss: LossEntry[]): void {
    const courseId = entry.value.courseId as string;
    const course = this.snapshot.courses.get(courseId)?.value;
    if (text(entry.value.studentWorkFolder?.alternateLink)) {
      loss.push({
        kind: 'dropped',
        source: at(entry.place, '/studentWorkFolder'),
        detail: "the pupil's Drive folder for the course is not kept (its files are not copied)",
      });
    }
    if (!course) {
      loss.push({
        kind: 'dropped',
        source: at(entry.place, '/courseId'),
        detail: `course ${courseId} is not in the input (courses.list): no group`,
      });
      return;
    }
    const schoolUnitCode = this.options.schoolUnitCode;
    if (!schoolUnitCode) {
      loss.push({
        kind: 'dropped',
        source: at(entry.place, '/courseId'),
        detail: `course ${courseId}: a group needs a school unit, and Classroom has none (set schoolUnitCode in the registration)`,
      });
      return;
    }
    const name = [text(course.name) ?? courseId, text(course.section)].filter(Boolean).join(' ');
    const created = this.dateOf(course.creationTime);
    const startDate = this.options.startDate ?? created ?? this.ctx.now.toISOString().slice(0, 10);
    const losses: PendingLoss[] = [
      {
        kind: 'defaulted',
        source: at(entry.place, '/courseId'),
        targetSuffix: '/schoolUnitCode',
        detail: "Classroom has no school units: the registration's schoolUnitCode",
      },
      {
        kind: this.options.startDate ? 'defaulted' : 'approximated',
        source: at(entry.place),
        targetSuffix: '/startDate',
        detail: this.options.startDate
          ? "Classroom keeps no membership dates: the registration's startDate"
          : created
            ? "Classroom keeps no membership dates: the course's creation date"
            : 'Classroom keeps no membership dates: the day of import',
      },
    ];
    let endDate: string | undefined;
    if (course.courseState === 'ARCHIVED') {
      endDate = this.dateOf(course.updateTime);
      if (endDate) {
        losses.push({
          kind: 'approximated',
          source: at(this.snapshot.courses.get(courseId)?.place ?? entry.place, '/courseState'),
          targetSuffix: '/endDate',
          detail: 'the course is archived: membership taken to end on its last update',
        });
      }
    }
    groups.push({
      value: {
        id: courseId,
        name: name.slice(0, 200),
        groupType: 'Undervisning',
        schoolUnitCode,
        startDate,
        ...(endDate ? { endDate } : {}),
        provenance: this.provenance(courseId),
      },
      origin: at(entry.place),
      losses:
        name.length > 200
          ? [
              ...losses,
              {
                kind: 'approximated',
                source: at(entry.place),
                targetSuffix: '/name',
                detail: 'the course name is cut to 200 characters',
              },
            ]
          : losses,
    });
  }

  private submission(
    located: Located<ClassroomStudentSubmission>,
    out: {
      evidence: PendingItem<Evidence>[];
      assessments: PendingItem<Assessment>[];
      graded: Map<
        string,
        { submission: Located<ClassroomStudentSubmission>; work: ClassroomCourseWork; date?: string }[]
      >;
      loss: LossEntry[];
    },
  ): void {
    const sub = located.value;
    const { place } = located;
    const courseId = sub.courseId as string;
    const courseWorkId = sub.courseWorkId as string;
    const course = this.snapshot.courses.get(courseId)?.value;
    const work = this.snapshot.courseWork.get(`${courseId} ${courseWorkId}`)?.value;
    if (!course || !work) {
      out.loss.push({
        kind: 'dropped',
        source: at(place, course ? '/courseWorkId' : '/courseId'),
        detail: course
          ? `refers to course work ${courseWorkId}, which is not in the input (courses.courseWork.list)`
          : `refers to course ${courseId}, which is not in the input (courses.list)`,
      });
      return;
    }
    const courseName = [text(course.name) ?? courseId, text(course.section)].filter(Boolean).join(' ');
    const title = text(work.title) ?? `Uppgift ${courseWorkId}`;
    const state = sub.state ?? 'SUBMISSION_STATE_UNSPECIFIED';
    const assigned = number(sub.assignedGrade);
    const draft = number(sub.draftGrade);
    const maxPoints = number(work.maxPoints);
    const subjectCode = this.options.subjectCodes[courseId];
    const handedIn = HANDED_IN.has(state);

    if (handedIn) {
      const turnedIn = (sub.submissionHistory ?? [])
        .map((h) => h.stateHistory)
        .filter(
          (s) =>
            s?.state === 'TURNED_IN' &&
            typeof s.stateTimestamp === 'string' &&
            ISO_DATE_TIME.test(s.stateTimestamp),
        )
        .map((s) => s?.stateTimestamp as string)
        .sort()
        .pop();
      const recordedAt =
        turnedIn ??
        (typeof sub.updateTime === 'string' && ISO_DATE_TIME.test(sub.updateTime)
          ? sub.updateTime
          : undefined);
      const link = text(sub.alternateLink);
      const usable = link !== undefined && /^https?:\/\/[^\s]+$/.test(link) && link.length <= 2048;
      out.evidence.push({
        value: {
          id: `gc-submission-${courseId}-${courseWorkId}-${sub.id as string}`.slice(0, 256),
          uri: usable
            ? link
            : `urn:google-classroom:submission:${[courseId, courseWorkId, sub.id as string].map(encodeURIComponent).join(':')}`,
          sha256: createHash('sha256').update(canonicalJson(sub)).digest('hex'),
          title: `${title} (${courseName})`.slice(0, 1000),
          ...(recordedAt ? { recordedAt } : {}),
          provenance: this.provenance(sub.id),
        },
        origin: at(place),
        losses: [],
      });
    }

    if (assigned !== undefined) {
      const gradedAt = this.gradedAt(sub);
      const date = gradedAt ?? this.ctx.now.toISOString().slice(0, 10);
      const percent = maxPoints && maxPoints > 0 ? Math.round((assigned / maxPoints) * 1000) / 10 : undefined;
      const lines = [
        `${title}${work.workType && WORK_TYPE_TEXT[work.workType] ? ` (${WORK_TYPE_TEXT[work.workType]})` : ''}`,
        `Kurs: ${courseName}`,
        `Resultat: ${points(assigned)}${maxPoints !== undefined ? ` av ${points(maxPoints)}` : ''} poäng${percent !== undefined ? ` (${points(percent)} %)` : ''}`,
      ];
      if (text(work.gradeCategory?.name)) lines.push(`Kategori: ${text(work.gradeCategory?.name)}`);
      lines.push(
        `Status: ${STATE_TEXT[state] ?? state}${sub.late === true ? ', inlämnad efter sista dag' : ''}`,
      );
      const losses: PendingLoss[] = [
        {
          kind: 'approximated',
          source: at(place, '/assignedGrade'),
          targetSuffix: '',
          detail:
            'points on an assignment are kept as the text of an assessment (Övrigt): the learner record has no scores',
        },
      ];
      if (!gradedAt) {
        losses.push({
          kind: 'defaulted',
          source: at(place),
          targetSuffix: '/date',
          detail: 'the submission does not say when it was graded: dated the day of import',
        });
      }
      out.assessments.push({
        value: {
          kind: 'Övrigt',
          ...(subjectCode ? { subjectCode } : {}),
          date,
          text: lines.join('\n'),
          provenance: this.provenance(sub.id),
        },
        origin: at(place),
        losses,
      });
      if (maxPoints && maxPoints > 0) {
        out.graded.set(courseId, [
          ...(out.graded.get(courseId) ?? []),
          { submission: located, work, date: gradedAt },
        ]);
      }
    } else if (!handedIn) {
      out.loss.push({
        kind: 'dropped',
        source: at(place, '/state'),
        detail: `"${title}" was not handed in (${STATE_TEXT[state] ?? state}) and has no grade: nothing to keep`,
      });
    }

    if (draft !== undefined && draft !== assigned) {
      out.loss.push({
        kind: 'dropped',
        source: at(place, '/draftGrade'),
        detail: "a draft grade is the teacher's, not yet given to the pupil: not imported",
      });
    }
    for (const key of ['assignedRubricGrades', 'draftRubricGrades'] as const) {
      if (sub[key] && Object.keys(sub[key]).length > 0) {
        out.loss.push({
          kind: 'dropped',
          source: at(place, `/${key}`),
          detail: 'the learner record has no rubric scores',
        });
      }
    }
    const attachments = sub.assignmentSubmission?.attachments?.length ?? 0;
    const answer = sub.shortAnswerSubmission?.answer ?? sub.multipleChoiceSubmission?.answer;
    if (attachments > 0 || answer !== undefined) {
      out.loss.push({
        kind: 'dropped',
        source: at(
          place,
          attachments > 0
            ? '/assignmentSubmission/attachments'
            : sub.shortAnswerSubmission
              ? '/shortAnswerSubmission'
              : '/multipleChoiceSubmission',
        ),
        detail: `the work itself (${attachments > 0 ? `${attachments} attachment${attachments > 1 ? 's' : ''}` : 'the answer'}) is not copied${handedIn ? ': the evidence points to the submission in Classroom' : ''}`,
      });
    }
  }

  /** When the assigned grade was last set, as a date; the submission's last update otherwise. */
  private gradedAt(sub: ClassroomStudentSubmission): string | undefined {
    const stamps = (sub.submissionHistory ?? [])
      .map((h) => h.gradeHistory)
      .filter(
        (g) =>
          g?.gradeChangeType === 'ASSIGNED_GRADE_POINTS_EARNED_CHANGE' &&
          typeof g.gradeTimestamp === 'string',
      )
      .map((g) => g?.gradeTimestamp as string)
      .filter((stamp) => ISO_DATE_TIME.test(stamp))
      .sort();
    return this.dateOf(stamps.pop() ?? sub.updateTime);
  }

  /**
   * A course's points as one derived grade, as Classroom's gradebook computes the overall grade: total
   * points, or weighted categories when the course uses them. Only with the registration's thresholds.
   */
  private courseGrade(
    courseId: string,
    work: { submission: Located<ClassroomStudentSubmission>; work: ClassroomCourseWork; date?: string }[],
    grades: PendingItem<Grade>[],
    loss: LossEntry[],
  ): void {
    const thresholds = this.options.gradeThresholds;
    if (thresholds.length === 0) return;
    const first = work[0].submission.place;
    const subjectCode = this.options.subjectCodes[courseId];
    if (!subjectCode) {
      loss.push({
        kind: 'unknown-code',
        source: at(first, '/courseId'),
        detail: `course ${courseId} has no Skolverket subject code (subjectCodes option): no grade is derived from its points`,
      });
      return;
    }
    const course = this.snapshot.courses.get(courseId)?.value as ClassroomCourse;
    const settings = course.gradebookSettings;
    const earned = (w: (typeof work)[number]) => number(w.submission.value.assignedGrade) ?? 0;
    const max = (w: (typeof work)[number]) => number(w.work.maxPoints) ?? 0;
    let share: number;
    let how: string;
    const categoryWeights = new Map<string, number>();
    for (const category of settings?.gradeCategories ?? []) {
      if (category.id && number(category.weight) !== undefined)
        categoryWeights.set(category.id, category.weight as number);
    }
    const weighted = settings?.calculationType === 'WEIGHTED_CATEGORIES';
    const byCategory = new Map<string, typeof work>();
    if (weighted) {
      for (const w of work) {
        const id = w.work.gradeCategory?.id;
        const weight = id ? (categoryWeights.get(id) ?? number(w.work.gradeCategory?.weight)) : undefined;
        if (id && weight !== undefined) {
          categoryWeights.set(id, weight);
          byCategory.set(id, [...(byCategory.get(id) ?? []), w]);
        }
      }
    }
    const totalWeight = [...byCategory.keys()].reduce((sum, id) => sum + (categoryWeights.get(id) ?? 0), 0);
    if (weighted && totalWeight > 0) {
      share =
        [...byCategory].reduce((sum, [id, items]) => {
          const got = items.reduce((s, w) => s + earned(w), 0);
          const of = items.reduce((s, w) => s + max(w), 0);
          return sum + (categoryWeights.get(id) ?? 0) * (got / of);
        }, 0) / totalWeight;
      const counted = [...byCategory.values()].reduce((n, items) => n + items.length, 0);
      how = `weighted categories over ${counted} graded assignment${counted === 1 ? '' : 's'}${counted < work.length ? ` (${work.length - counted} without a category not counted)` : ''}`;
    } else {
      const got = work.reduce((s, w) => s + earned(w), 0);
      const of = work.reduce((s, w) => s + max(w), 0);
      share = got / of;
      how = `${points(got)} of ${points(of)} points over ${work.length} graded assignment${work.length === 1 ? '' : 's'}`;
    }
    const percent = Math.round(share * 10000) / 100;
    const value = thresholds.find((t) => percent >= t.minPercent)?.value;
    if (value === undefined) {
      loss.push({
        kind: 'out-of-range',
        source: at(first, '/assignedGrade'),
        detail: `course ${courseId}: ${percent} % is below every gradeThresholds value: no grade`,
      });
      return;
    }
    const dates = work
      .map((w) => w.date)
      .filter((d): d is string => d !== undefined)
      .sort();
    const registeredDate = dates.pop() ?? this.ctx.now.toISOString().slice(0, 10);
    const losses: PendingLoss[] = [
      {
        kind: 'approximated',
        source: at(first),
        targetSuffix: '',
        detail: `derived from the points, not set by a teacher: ${how}, ${points(percent)} %, with the registration's gradeThresholds`,
      },
    ];
    if (this.options.schoolUnitCode) {
      losses.push({
        kind: 'defaulted',
        source: at(first, '/courseId'),
        targetSuffix: '/schoolUnitCode',
        detail: "Classroom has no school units: the registration's schoolUnitCode",
      });
    }
    grades.push({
      value: {
        subjectCode,
        gradeScale: this.options.gradeScale,
        value,
        registeredDate,
        ...(this.options.schoolUnitCode ? { schoolUnitCode: this.options.schoolUnitCode } : {}),
        provenance: this.provenance(courseId),
      },
      origin: at(first),
      losses,
    });
  }
}
