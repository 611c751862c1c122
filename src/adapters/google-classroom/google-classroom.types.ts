// The parts of the Google Classroom REST API (v1) resources that portabel reads, as the API returns them
// (developers.google.com/classroom/reference/rest/v1). Every field is optional: a saved export may lack
// any of them, and the reader checks what it needs.

export interface ClassroomCourse {
  id?: string;
  name?: string;
  section?: string;
  descriptionHeading?: string;
  room?: string;
  ownerId?: string;
  creationTime?: string;
  updateTime?: string;
  courseState?: 'COURSE_STATE_UNSPECIFIED' | 'ACTIVE' | 'ARCHIVED' | 'PROVISIONED' | 'DECLINED' | 'SUSPENDED';
  alternateLink?: string;
  gradebookSettings?: {
    calculationType?: 'CALCULATION_TYPE_UNSPECIFIED' | 'TOTAL_POINTS' | 'WEIGHTED_CATEGORIES';
    displaySetting?: string;
    gradeCategories?: ClassroomGradeCategory[];
  };
}

export interface ClassroomGradeCategory {
  id?: string;
  name?: string;
  /** Share of the overall average in millionths: 12.34 % is 123400. */
  weight?: number;
  defaultMaxPoints?: number;
}

export interface ClassroomUserProfile {
  id?: string;
  name?: { givenName?: string; familyName?: string; fullName?: string };
  emailAddress?: string;
  photoUrl?: string;
}

/** courses.students: one per course the student is in. */
export interface ClassroomStudent {
  courseId?: string;
  userId?: string;
  profile?: ClassroomUserProfile;
  studentWorkFolder?: { id?: string; title?: string; alternateLink?: string };
}

export interface ClassroomCourseWork {
  courseId?: string;
  id?: string;
  title?: string;
  description?: string;
  state?: string;
  alternateLink?: string;
  creationTime?: string;
  updateTime?: string;
  dueDate?: { year?: number; month?: number; day?: number };
  maxPoints?: number;
  workType?:
    'COURSE_WORK_TYPE_UNSPECIFIED' | 'ASSIGNMENT' | 'SHORT_ANSWER_QUESTION' | 'MULTIPLE_CHOICE_QUESTION';
  gradeCategory?: ClassroomGradeCategory;
}

export interface ClassroomStudentSubmission {
  courseId?: string;
  courseWorkId?: string;
  id?: string;
  userId?: string;
  creationTime?: string;
  updateTime?: string;
  state?:
    'SUBMISSION_STATE_UNSPECIFIED' | 'NEW' | 'CREATED' | 'TURNED_IN' | 'RETURNED' | 'RECLAIMED_BY_STUDENT';
  late?: boolean;
  draftGrade?: number;
  assignedGrade?: number;
  alternateLink?: string;
  courseWorkType?: string;
  assignedRubricGrades?: Record<string, unknown>;
  draftRubricGrades?: Record<string, unknown>;
  assignmentSubmission?: { attachments?: unknown[] };
  shortAnswerSubmission?: { answer?: string };
  multipleChoiceSubmission?: { answer?: string };
  submissionHistory?: {
    stateHistory?: { state?: string; stateTimestamp?: string; actorUserId?: string };
    gradeHistory?: {
      pointsEarned?: number;
      maxPoints?: number;
      gradeTimestamp?: string;
      actorUserId?: string;
      gradeChangeType?: string;
    };
  }[];
}

/** The four lists as one document: what the client fetches and the adapter reads. */
export interface ClassroomBundle {
  courses: ClassroomCourse[];
  students: ClassroomStudent[];
  courseWork: ClassroomCourseWork[];
  studentSubmissions: ClassroomStudentSubmission[];
}

/** The list resources the adapter reads, by their top-level key in a list response. */
export const CLASSROOM_RESOURCES = ['courses', 'students', 'courseWork', 'studentSubmissions'] as const;
export type ClassroomResource = (typeof CLASSROOM_RESOURCES)[number];

/** Other Classroom list responses: not pupil data this adapter maps, passed over when a zip holds them. */
export const OTHER_CLASSROOM_LISTS = [
  'teachers',
  'announcements',
  'topic',
  'topics',
  'courseWorkMaterial',
  'invitations',
  'aliases',
  'guardians',
  'guardianInvitations',
  'rubrics',
] as const;
