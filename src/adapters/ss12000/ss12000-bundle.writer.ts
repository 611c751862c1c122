import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LearnerRecord } from '../../records/learner-record.types';
import type { ExportContext, LossEntry } from '../vendor-adapter.port';
import { itemUuids } from './ss12000-ids';
import { SharedEntities } from './ss12000-shared-entities';
import { attendanceOut, gradeOut, organiserOf, pupilToPersons, recordLosses } from './ss12000.mapper';

/**
 * The export bundle: one JSON document whose members are SS 12000 collections as the API pages them,
 * `{ "meta": {...}, "persons": { "data": [...], "pageToken": null }, "organisations": ..., "programmes": ...,
 * "groups": ..., "activities": ..., "syllabuses": ..., "grades": ..., "aggregatedAttendance": ... }`, one
 * entity per line. Persons stream out as the records come; grades and attendance (the bulk of a kommun)
 * wait in temporary files; organisations, groups and the other shared entities, which are few, in memory.
 */
export async function* writeSs12000Bundle(
  records: AsyncIterable<LearnerRecord>,
  ctx: ExportContext,
  generator: string,
): AsyncIterable<string | Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'portabel-ss12000-'));
  const grades = new Spool(join(dir, 'grades.jsonl'));
  const attendance = new Spool(join(dir, 'attendance.jsonl'));
  const shared = new SharedEntities();
  try {
    const meta = {
      schemaVersion: '1',
      format: 'ss12000-bundle',
      ss12000Version: '2.1',
      createdAt: ctx.now.toISOString(),
      generator,
    };
    yield `{"meta":${JSON.stringify(meta)},\n"persons":{"data":[`;
    // Persons written so far, by id: a digest of each, since guardians can be shared between pupils.
    const personJson = new Map<string, string>();
    let first = true;
    for await (const record of records) {
      const loss: LossEntry[] = [];
      const lines = mapRecord(record, ctx, shared, personJson, loss);
      for (const entry of loss) ctx.loss(entry);
      if (!lines) continue;
      for (const line of lines.persons) {
        yield `${first ? '' : ','}\n${line}`;
        first = false;
      }
      for (const line of lines.grades) await grades.append(line);
      for (const line of lines.attendance) await attendance.append(line);
    }
    yield '\n],"pageToken":null}';
    for (const [name, entities] of shared.collections()) yield* collection(name, entities);
    yield* spooled('grades', grades);
    yield* spooled('aggregatedAttendance', attendance);
    yield '\n}\n';
  } finally {
    await Promise.all([grades.close(), attendance.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}

interface RecordLines {
  persons: string[];
  grades: string[];
  attendance: string[];
}

function mapRecord(
  record: LearnerRecord,
  ctx: ExportContext,
  shared: SharedEntities,
  personJson: Map<string, string>,
  loss: LossEntry[],
): RecordLines | undefined {
  const pupilId = record.source.id;
  if (personJson.has(pupilId)) {
    loss.push({
      kind: 'dropped',
      source: { pointer: '' },
      detail: `Another record of this export already has the SS 12000 person id ${pupilId}`,
    });
    return undefined;
  }
  if (
    !record.enrolments?.length &&
    !record.groups?.length &&
    !record.grades?.length &&
    !record.attendance?.length
  ) {
    loss.push({
      kind: 'dropped',
      source: { pointer: '' },
      detail: 'With no enrolment, group, grade or attendance the person does not read back as a pupil',
    });
  }
  loss.push(...recordLosses(record));
  const mapped = pupilToPersons(record, { pupil: pupilId, guardian: (g) => g.id });
  loss.push(...mapped.loss);
  const persons = [JSON.stringify(mapped.person)];
  personJson.set(pupilId, '');
  mapped.guardians.forEach((adult, i) => {
    const json = JSON.stringify(adult);
    const digest = createHash('sha1').update(json).digest('base64');
    const earlier = personJson.get(adult.id);
    if (earlier === undefined) {
      personJson.set(adult.id, digest);
      persons.push(json);
    } else if (earlier !== digest) {
      loss.push({
        kind: 'approximated',
        source: { pointer: `/guardians/${i}` },
        detail: `The person ${adult.id} is already in the export with other details, which it keeps`,
      });
    }
  });

  for (const e of record.enrolments ?? []) {
    shared.unit(e.organiserCode, e.schoolUnitCode, e.schoolType);
    if (e.programmeCode !== undefined) shared.programme(e.programmeCode);
  }
  record.groups?.forEach((g, i) => {
    if (i > 0) shared.groupOrder(record.groups![i - 1].id, g.id);
    const organiserCode = organiserOf(record, g.schoolUnitCode, ctx.kommunCode);
    shared.unit(organiserCode, g.schoolUnitCode);
    const clash = shared.membership(g, organiserCode, pupilId);
    if (clash)
      loss.push({
        kind: 'approximated',
        source: { pointer: `/groups/${i}` },
        detail: `The group ${g.id} is already in the export with another name, type or school unit, which it keeps`,
      });
  });

  const gradeId = itemUuids('grade', pupilId);
  const gradeLines = (record.grades ?? []).map((g, i) => {
    const m = gradeOut(
      record,
      g,
      i,
      { grade: gradeId(i), student: pupilId, organiserFallback: ctx.kommunCode },
      loss,
    );
    shared.syllabus(m.syllabus);
    if (m.unit) shared.unit(m.unit.organiserCode, m.unit.schoolUnitCode);
    return JSON.stringify(m.grade);
  });
  const attendanceLines: string[] = [];
  const attendanceId = itemUuids('attendance', pupilId);
  record.attendance?.forEach((a, i) => {
    const m = attendanceOut(
      record,
      a,
      i,
      { attendance: attendanceId(i), student: pupilId, organiserFallback: ctx.kommunCode },
      loss,
    );
    if (!m) return;
    shared.activity(m.unit.organiserCode, m.unit.schoolUnitCode);
    attendanceLines.push(JSON.stringify(m.attendance));
  });
  return { persons, grades: gradeLines, attendance: attendanceLines };
}

/** Characters of spooled JSON collected before one write to the temporary file. */
const SPOOL_CHUNK = 256 * 1024;

function* collection(name: string, entities: object[]): Iterable<string> {
  yield `,\n"${name}":{"data":[`;
  let first = true;
  for (const entity of entities) {
    yield `${first ? '' : ','}\n${JSON.stringify(entity)}`;
    first = false;
  }
  yield '\n],"pageToken":null}';
}

async function* spooled(name: string, spool: Spool): AsyncIterable<string | Buffer> {
  yield `,\n"${name}":{"data":[`;
  await spool.close();
  if (spool.count > 0) yield* createReadStream(spool.path) as AsyncIterable<Buffer>;
  yield '\n],"pageToken":null}';
}

/** Entities written to a temporary file as they come, one per line, comma-separated for the array. */
class Spool {
  count = 0;
  private stream: WriteStream | undefined;
  private buffer: string[] = [];
  private buffered = 0;

  constructor(readonly path: string) {}

  async append(json: string): Promise<void> {
    const line = `${this.count === 0 ? '' : ','}\n${json}`;
    this.count++;
    this.buffer.push(line);
    this.buffered += line.length;
    if (this.buffered >= SPOOL_CHUNK) await this.flush();
  }

  async close(): Promise<void> {
    if (this.buffer.length > 0) await this.flush();
    const stream = this.stream;
    if (!stream || stream.closed) return;
    stream.end();
    await once(stream, 'close');
  }

  private async flush(): Promise<void> {
    this.stream ??= createWriteStream(this.path);
    const ok = this.stream.write(this.buffer.join(''));
    this.buffer = [];
    this.buffered = 0;
    if (!ok) await once(this.stream, 'drain');
  }
}
