// Google Classroom, read only: its public REST resources (courses, students, courseWork, studentSubmissions)
// as the API returns them, saved as files (a zip of list responses, or one bundle) or fetched in production
// with the platform's token by google-classroom.client.ts, which writes the same bundle.
import { AdapterInputError } from '../adapter-input.errors';
import type { AdapterInput, ImportContext, ImportItem, VendorAdapter } from '../vendor-adapter.port';
import { ClassroomMapper } from './google-classroom.mapper';
import { CLASSROOM_OPTIONS_SCHEMA, readClassroomOptions } from './google-classroom.options';
import { readClassroomInput } from './google-classroom.reader';
import { CLASSROOM_RESOURCES } from './google-classroom.types';

const NAME = 'google-classroom';
const VERSION = '1.0.0';

export const googleClassroomAdapter: VendorAdapter = {
  name: NAME,
  version: VERSION,
  title: 'Google Classroom (REST API v1: courses, students, course work, submissions)',
  mediaTypes: { import: ['application/json', 'application/zip'], export: [] },
  reads: ['pupil', 'contact', 'groups', 'grades', 'assessments', 'evidence'],
  writes: [],
  optionsSchema: CLASSROOM_OPTIONS_SCHEMA,
  sniff: sniffClassroom,
  import: importClassroom,
};

export function sniffClassroom(head: Buffer, fileName?: string): number {
  const text = head.toString('utf8');
  const keys = CLASSROOM_RESOURCES.filter((key) => new RegExp(`"${key}"\\s*:\\s*\\[`).test(text));
  if (head.subarray(0, 2).toString('latin1') === 'PK') {
    // A zip's local headers name its entries; the content is compressed.
    return /(courses|students|courseWork|studentSubmissions)[^/]*\.json/i.test(head.toString('latin1'))
      ? 0.4
      : 0;
  }
  if (/^\s*\{/.test(text.replace(/^\uFEFF/, ''))) {
    if (keys.includes('studentSubmissions') || keys.includes('courseWork')) return 0.9;
    if (keys.length > 0) return /\bcourseState\b|\buserId\b|"profile"/.test(text) ? 0.8 : 0.5;
  }
  return /classroom/i.test(fileName ?? '') && /\.(json|zip)$/i.test(fileName ?? '') ? 0.2 : 0;
}

async function* importClassroom(input: AdapterInput, ctx: ImportContext): AsyncIterable<ImportItem> {
  const options = readClassroomOptions(ctx.options);
  try {
    new Intl.DateTimeFormat('sv-SE', { timeZone: options.timeZone });
  } catch {
    throw new AdapterInputError(
      'GOOGLE_CLASSROOM.BAD_OPTION',
      `timeZone "${options.timeZone}" is not an IANA time zone.`,
      [{ parameter: 'timeZone', detail: 'not an IANA time zone, e.g. Europe/Stockholm' }],
    );
  }
  const snapshot = await readClassroomInput(input);
  yield* new ClassroomMapper(snapshot, ctx, options, { name: NAME, version: VERSION }).items();
}
