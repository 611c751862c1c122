// Reads what the Classroom API returned, saved as files: one list response per file (any name, told apart by
// its top-level key), pages of the same list merged, in a zip; or one JSON bundle with all four lists.
// Every item keeps its place (file and JSON pointer) for the loss report and for errors.
import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import type { FieldError } from '../../common/problem/domain-error';
import { AdapterInputError } from '../adapter-input.errors';
import type { AdapterInput } from '../vendor-adapter.port';
import {
  CLASSROOM_RESOURCES,
  OTHER_CLASSROOM_LISTS,
  type ClassroomCourse,
  type ClassroomCourseWork,
  type ClassroomResource,
  type ClassroomStudent,
  type ClassroomStudentSubmission,
} from './google-classroom.types';

/** A list response is parsed whole; 64 MB is far beyond a page (the API's pages are at most a few MB). */
export const MAX_JSON_FILE_BYTES = 64 * 1024 * 1024;
const MAX_ZIP_ENTRIES = 100_000;

export interface Place {
  file: string;
  pointer: string;
}

export interface Located<T> {
  value: T;
  place: Place;
}

/** Everything read, joined by id. Students and submissions keep their input order. */
export interface ClassroomSnapshot {
  courses: Map<string, Located<ClassroomCourse>>;
  students: Located<ClassroomStudent>[];
  /** By `${courseId} ${courseWorkId}`. */
  courseWork: Map<string, Located<ClassroomCourseWork>>;
  submissions: Located<ClassroomStudentSubmission>[];
}

const CODE = 'GOOGLE_CLASSROOM';

function fail(code: string, detail: string, errors: FieldError[]): never {
  throw new AdapterInputError(`${CODE}.${code}`, detail, errors);
}

export async function readClassroomInput(input: AdapterInput): Promise<ClassroomSnapshot> {
  const collector = new Collector();
  const head = await readHead(input);
  if (head.subarray(0, 2).toString('latin1') === 'PK') {
    let files = 0;
    for await (const { name, bytes } of zipJsonEntries(input)) {
      files++;
      collector.addFile(name, bytes);
    }
    if (files === 0) {
      fail('NO_RESOURCES', 'The zip holds no JSON files of Classroom API responses.', [
        { file: input.fileName ?? 'input', detail: 'no .json entries' },
      ]);
    }
  } else {
    collector.addFile(input.fileName ?? 'input.json', await readAll(input));
  }
  return collector.finish();
}

interface PageGroup {
  resource: ClassroomResource;
  courseId: string;
  files: string[];
  complete: boolean;
}

class Collector {
  private readonly snapshot: ClassroomSnapshot = {
    courses: new Map(),
    students: [],
    courseWork: new Map(),
    submissions: [],
  };
  private readonly seen = new Map<string, { json: string; place: Place }>();
  private readonly pages = new Map<string, PageGroup>();
  private resources = 0;

  addFile(file: string, bytes: Buffer): void {
    const document = parseJson(file, bytes);
    if (!document || typeof document !== 'object' || Array.isArray(document)) {
      fail('BAD_SHAPE', `${file} is not a Classroom API list response (a JSON object).`, [
        { file, pointer: '', detail: 'must be a JSON object' },
      ]);
    }
    const body = document as Record<string, unknown>;
    if ('error' in body && !CLASSROOM_RESOURCES.some((key) => key in body)) {
      fail(
        'SAVED_ERROR_RESPONSE',
        `${file} is an error the Classroom API returned, not data: the export is incomplete.`,
        [{ file, pointer: '/error', detail: 'an API error response' }],
      );
    }
    const keys = CLASSROOM_RESOURCES.filter((key) => key in body);
    if (keys.length === 0) {
      const known = Object.keys(body).some((key) =>
        (OTHER_CLASSROOM_LISTS as readonly string[]).includes(key),
      );
      // Google leaves an empty list out altogether: a page of nothing is {} (or only a nextPageToken).
      const empty = Object.keys(body).every((key) => key === 'nextPageToken');
      if (known || empty) return;
      fail(
        'UNKNOWN_RESOURCE',
        `${file} is none of the Classroom lists read here (${CLASSROOM_RESOURCES.join(', ')}).`,
        [{ file, pointer: '', detail: `top-level keys: ${Object.keys(body).slice(0, 5).join(', ')}` }],
      );
    }
    const token = body.nextPageToken;
    if (token !== undefined && (typeof token !== 'string' || keys.length > 1)) {
      fail('BAD_SHAPE', `${file}: nextPageToken belongs to a page of one list.`, [
        { file, pointer: '/nextPageToken', detail: 'must be a string, in a page of one list' },
      ]);
    }
    for (const key of keys) {
      const list = body[key];
      if (!Array.isArray(list)) {
        fail('BAD_SHAPE', `${file}: "${key}" must be a list.`, [
          { file, pointer: `/${key}`, detail: 'must be an array' },
        ]);
      }
      this.resources++;
      list.forEach((item, index) => this.addItem(key, item, { file, pointer: `/${key}/${index}` }));
      this.addPage(key, list, file, typeof token === 'string' && token !== '');
    }
  }

  private addItem(resource: ClassroomResource, item: unknown, place: Place): void {
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      fail('BAD_SHAPE', `${place.file}: every ${resource} item must be an object.`, [
        { ...place, detail: 'must be an object' },
      ]);
    }
    const value = item as Record<string, unknown>;
    const text = (key: string): string | undefined => {
      const v = value[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || v === '') {
        fail('BAD_SHAPE', `${place.file}: ${key} must be a non-empty string.`, [
          { ...place, pointer: `${place.pointer}/${key}`, detail: 'must be a non-empty string' },
        ]);
      }
      return v;
    };
    const required = (key: string): string => {
      const v = text(key);
      if (v === undefined) {
        fail('BAD_SHAPE', `${place.file}: a ${resource} item has no ${key}.`, [
          { ...place, pointer: `${place.pointer}/${key}`, detail: 'is required' },
        ]);
      }
      return v;
    };
    let key: string;
    switch (resource) {
      case 'courses':
        key = `course ${required('id')}`;
        break;
      case 'students':
        // A student without a userId is one pupil's problem (rejected later), not the file's.
        key = `student ${required('courseId')} ${text('userId') ?? `#${place.file}${place.pointer}`}`;
        break;
      case 'courseWork':
        key = `courseWork ${required('courseId')} ${required('id')}`;
        break;
      case 'studentSubmissions':
        key = `submission ${required('courseId')} ${required('courseWorkId')} ${required('id')} ${required('userId')}`;
        break;
    }
    const json = canonicalJson(value);
    const earlier = this.seen.get(key);
    if (earlier) {
      // Overlapping pages repeat an item unchanged; the same id with other content cannot both be true.
      if (earlier.json === json) return;
      fail('DUPLICATE_ID', `${key} appears twice with different content.`, [
        { ...earlier.place, detail: `${key}, first` },
        { ...place, detail: `${key} again, different` },
      ]);
    }
    this.seen.set(key, { json, place });
    const located = { value, place };
    switch (resource) {
      case 'courses':
        this.snapshot.courses.set(value.id as string, located);
        break;
      case 'students':
        this.snapshot.students.push(located);
        break;
      case 'courseWork':
        this.snapshot.courseWork.set(`${String(value.courseId)} ${String(value.id)}`, located);
        break;
      case 'studentSubmissions':
        this.snapshot.submissions.push(located);
        break;
    }
  }

  /** Pages of one list (per course, for the lists under a course) end with one that has no nextPageToken. */
  private addPage(resource: ClassroomResource, list: unknown[], file: string, hasNext: boolean): void {
    const first = list[0] as { courseId?: unknown } | undefined;
    const courseId = resource === 'courses' || typeof first?.courseId !== 'string' ? '' : first.courseId;
    const key = `${resource} ${courseId}`;
    const group = this.pages.get(key) ?? { resource, courseId, files: [], complete: false };
    group.files.push(file);
    group.complete ||= !hasNext;
    this.pages.set(key, group);
  }

  finish(): ClassroomSnapshot {
    if (this.resources === 0) {
      fail(
        'NO_RESOURCES',
        'The input holds no Classroom lists (courses, students, courseWork, studentSubmissions).',
        [],
      );
    }
    const incomplete = [...this.pages.values()].filter((group) => !group.complete);
    if (incomplete.length > 0) {
      fail(
        'INCOMPLETE_PAGES',
        'Every page of a list says another follows (nextPageToken), so the last page is missing: importing part of a roster is refused.',
        incomplete.map((group) => ({
          file: group.files[group.files.length - 1],
          pointer: '/nextPageToken',
          detail: `${group.resource}${group.courseId ? ` of course ${group.courseId}` : ''}: no last page among ${group.files.join(', ')}`,
        })),
      );
    }
    return this.snapshot;
  }
}

/** JSON with keys sorted, so the same object has the same text (and digest) whatever order it came in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function parseJson(file: string, raw: Buffer): unknown {
  const bytes = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? raw.subarray(3) : raw;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    fail('INVALID_ENCODING', `${file} is UTF-16; the Classroom API writes UTF-8 (RFC 8259 §8.1).`, [
      { file, line: 1, column: 1, detail: 'UTF-16 byte order mark' },
    ]);
  }
  if (!isUtf8(bytes)) {
    const offset = firstInvalidUtf8(bytes);
    fail('INVALID_ENCODING', `${file} is not valid UTF-8 (mixed or wrong encoding?).`, [
      {
        file,
        ...lineColumn(bytes, offset),
        detail: `byte 0x${bytes[offset].toString(16).padStart(2, '0')} is not UTF-8`,
      },
    ]);
  }
  const text = bytes.toString('utf8');
  if (text.trim() === '')
    fail('MALFORMED_JSON', `${file} is empty.`, [{ file, line: 1, column: 1, detail: 'empty' }]);
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : 'unreadable';
    const position = /position (\d+)/.exec(message);
    const offset = position ? Number(position[1]) : text.length;
    const prefix = text.slice(0, offset);
    const line = prefix.split('\n').length;
    const column = offset - prefix.lastIndexOf('\n');
    fail('MALFORMED_JSON', `${file} is not well-formed JSON (truncated?).`, [
      { file, line, column, detail: message.replace(/^.*?(Unexpected|Expected|Bad)/, '$1') },
    ]);
  }
}

function lineColumn(bytes: Buffer, offset: number): { line: number; column: number } {
  const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
  return { line, column: bytes.subarray(lineStart, offset).toString('utf8').length + 1 };
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (need === 0) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < [0, 0x80, 0x800, 0x10000][need] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

async function readHead(input: AdapterInput): Promise<Buffer> {
  const stream = input.open();
  try {
    for await (const chunk of stream) return chunk as Buffer;
    return Buffer.alloc(0);
  } finally {
    stream.destroy();
  }
}

async function readAll(input: AdapterInput): Promise<Buffer> {
  const file = input.fileName ?? 'input.json';
  return collect(input.open(), MAX_JSON_FILE_BYTES, () =>
    fail(
      'TOO_LARGE',
      `${file} is larger than ${MAX_JSON_FILE_BYTES} bytes; send the pages as separate files in a zip.`,
      [{ file, detail: `more than ${MAX_JSON_FILE_BYTES} bytes` }],
    ),
  );
}

async function collect(stream: Readable, maxBytes: number, tooLarge: () => never): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      stream.destroy();
      tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The zip's .json entries in central-directory order, each read whole (it is one API response). */
async function* zipJsonEntries(input: AdapterInput): AsyncGenerator<{ name: string; bytes: Buffer }> {
  const zipName = input.fileName ?? 'input.zip';
  const badZip = (message: string): never =>
    fail('BAD_ZIP', `The zip cannot be read: ${message}.`, [{ file: zipName, detail: message }]);
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(
        input.path,
        { lazyEntries: true, autoClose: false, validateEntrySizes: true },
        (err, file) => (err || !file ? reject(err ?? new Error('not a zip file')) : resolve(file)),
      ),
    );
  } catch (err) {
    return badZip(err instanceof Error ? err.message : 'not a zip file');
  }
  try {
    if (zip.entryCount > MAX_ZIP_ENTRIES)
      badZip(`it has ${zip.entryCount} entries, more than ${MAX_ZIP_ENTRIES}`);
    for (;;) {
      let entry: yauzl.Entry | undefined;
      try {
        entry = await nextEntry(zip);
      } catch (err) {
        return badZip(err instanceof Error ? err.message : 'unreadable');
      }
      if (!entry) return;
      const name = entry.fileName;
      if (name.endsWith('/') || /(^|\/)__MACOSX\//.test(name) || !/\.json$/i.test(name)) continue;
      if (entry.uncompressedSize > MAX_JSON_FILE_BYTES) {
        fail('TOO_LARGE', `${name} is larger than ${MAX_JSON_FILE_BYTES} bytes.`, [
          { file: name, detail: `${entry.uncompressedSize} bytes` },
        ]);
      }
      let stream: Readable;
      try {
        stream = await new Promise<Readable>((resolve, reject) =>
          zip.openReadStream(entry, (err, s) =>
            err || !s ? reject(err ?? new Error('no stream')) : resolve(s),
          ),
        );
      } catch (err) {
        return badZip(`${name}: ${err instanceof Error ? err.message : 'unreadable'}`);
      }
      let bytes: Buffer;
      try {
        bytes = await collect(stream, MAX_JSON_FILE_BYTES, () => {
          throw new Error(`${name} inflates to more than ${MAX_JSON_FILE_BYTES} bytes`);
        });
      } catch (err) {
        return badZip(err instanceof Error ? err.message : 'unreadable');
      }
      yield { name, bytes };
    }
  } finally {
    zip.close();
  }
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: yauzl.Entry) => {
      cleanup();
      resolve(entry);
    };
    const onEnd = () => {
      cleanup();
      resolve(undefined);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}
