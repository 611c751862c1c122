import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStrictJson } from '../../common/http/strict-json';
import type { LearnerRecord } from '../../records/learner-record.types';
import { validateLearnerRecord } from '../../records/learner-record.validator';
import { generatePupils } from '../../seed/pupil-generator';
import { AdapterInputError } from '../adapter-input.errors';
import { entitiesOf, JsonRosterSource } from '../oneroster-1.2/json-source';
import { OR_FILES, type OrFile } from '../oneroster-1.2/oneroster-1.2.columns';
import { maskedPair } from '../oneroster-1.2/testing/round-trip';
import { lossOf } from '../oneroster-1.2/testing/run-adapter';
import { jsonErrorOffset, lineColumn } from '../shared/json-syntax';
import type { ImportItem, LossEntry } from '../vendor-adapter.port';
import { oneRosterRestAdapter } from './oneroster-1.2-rest.adapter';

type RecordItem = Extract<ImportItem, { kind: 'record' }>;

const NOW = new Date('2026-08-15T00:00:00Z');

let scratch: string;
beforeAll(() => (scratch = mkdtempSync(join(tmpdir(), 'oneroster-rest-spec-'))));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every item of an import, and the refusal if there is one (with what came before it). */
async function importPath(path: string): Promise<{ items: ImportItem[]; error?: AdapterInputError }> {
  const input = {
    open: () => createReadStream(path),
    path,
    size: statSync(path).size,
    fileName: path.split('/').pop(),
  };
  const items: ImportItem[] = [];
  try {
    for await (const item of oneRosterRestAdapter.import!(
      input,
      { platformId: 'lms', options: {}, kommunCode: '1980', now: NOW },
      {},
    ))
      items.push(item);
  } catch (error) {
    if (error instanceof AdapterInputError) return { items, error };
    throw error;
  }
  return { items };
}

async function importBytes(bytes: Buffer, name: string) {
  const path = join(scratch, name);
  await writeFile(path, bytes);
  return importPath(path);
}

async function exportRest(records: LearnerRecord[]): Promise<{ bytes: Buffer; loss: LossEntry[] }> {
  const loss: LossEntry[] = [];
  const chunks: Buffer[] = [];
  const run = oneRosterRestAdapter.export!(
    (async function* () {
      await Promise.resolve();
      yield* records;
    })(),
    { platformId: 'lms', options: {}, kommunCode: '1980', now: NOW, loss: (entry) => loss.push(entry) },
  );
  for await (const chunk of run) chunks.push(Buffer.from(chunk));
  return { bytes: Buffer.concat(chunks), loss };
}

const pupils = (count: number, seed: number): LearnerRecord[] =>
  [...generatePupils({ kommunCode: '1980', count, seed })].map((r) => ({
    ...r,
    source: { platform: 'lms', id: r.source.id },
  }));

/** What a strict parse of the whole text says is wrong, and where (the reference for the stream). */
function wholeFault(bytes: Buffer): { code: string; line: number; column: number } | undefined {
  // The documents here hold no U+FFFD of their own: the first one stands for the first byte that is not UTF-8.
  const text = bytes.toString('utf8');
  const bad = text.indexOf('\ufffd');
  if (bad >= 0) return { code: 'ONEROSTER.ENCODING', ...lineColumn(text, bad) };
  const offset = jsonErrorOffset(text);
  return offset === undefined ? undefined : { code: 'ONEROSTER.BAD_JSON', ...lineColumn(text, offset) };
}

describe('oneroster-1.2-rest adapter', () => {
  it('brings back a few hundred pupils it exported as one REST document, except what the loss reports name', async () => {
    const records = pupils(300, 20261202);
    const { bytes, loss } = await exportRest(records);
    const { items, error } = await importBytes(bytes, 'kommun.json');
    expect(error).toBeUndefined();
    expect(items.filter((i) => i.kind !== 'record')).toEqual([]);
    const back = new Map(items.map((i) => [(i as RecordItem).record.source.id, i as RecordItem]));
    expect(back.size).toBe(records.length);
    let grades = 0;
    for (const original of records) {
      const item = back.get(original.source.id)!;
      expect(validateLearnerRecord(item.record)).toEqual([]);
      grades += item.record.grades?.length ?? 0;
      const exportPointers = lossOf(loss, original.source.id).map((l) => l.source.pointer ?? '');
      const importPointers = item.loss.flatMap((l) =>
        l.target?.pointer !== undefined ? [l.target.pointer] : [],
      );
      const pair = maskedPair(original, item.record, exportPointers, importPointers);
      expect(pair.reimported).toEqual(pair.original);
    }
    // Something real came back: names, placements and grades, not only what the loss entries let go.
    expect(grades).toBeGreaterThan(1000);
    const first = back.get(records[0].source.id)!.record;
    expect(first.pupil.familyName).toBe(records[0].pupil.familyName);
    expect(first.enrolments?.length).toBeGreaterThan(0);
  }, 120_000);

  it('reads a document larger than the old 64 MB limit into the same entities as a whole parse', async () => {
    const path = join(scratch, 'large.json');
    await writeLargeDocument(path, 70 * 1024 * 1024);
    expect(statSync(path).size).toBeGreaterThan(64 * 1024 * 1024);

    const source = await JsonRosterSource.open(
      [{ file: 'large.json', bytes: (range) => Promise.resolve(readRange(path, range)) }],
      { maxFieldBytes: 1024 * 1024 },
    );
    const streamed = new Map<OrFile, string[]>();
    for (const file of Object.keys(OR_FILES) as OrFile[]) {
      const list: string[] = [];
      for await (const batch of source.batches(file))
        for (const entity of batch) list.push(comparable(entity));
      streamed.set(file, list);
    }
    await source.close();

    // The reference: the whole text parsed at once, each object converted as the source does.
    const whole = parseStrictJson(readFileSync(path)) as Record<string, Record<string, unknown>[]>;
    for (const file of Object.keys(OR_FILES) as OrFile[]) {
      const from = { roles: 'users', lineItemScoreScales: 'lineItems', resultScoreScales: 'results' }[
        file as string
      ] as OrFile | undefined;
      const key = from ?? file;
      const expected = (whole[key] ?? []).flatMap((value, at) =>
        entitiesOf(file, { value, origin: { file: 'large.json', pointer: `/${key}` }, at }).map(comparable),
      );
      expect({ file, count: streamed.get(file)!.length }).toEqual({ file, count: expected.length });
      expect(streamed.get(file)).toEqual(expected);
    }
    expect(streamed.get('results')!.length).toBeGreaterThan(50_000);
    expect(streamed.get('roles')!.length).toBe(2000);
  }, 60_000);

  describe('malformed documents: refused at the place of the first fault, nothing yielded before', () => {
    let exported: Buffer;
    beforeAll(async () => {
      exported = (await exportRest(pupils(12, 7))).bytes;
    });

    it('refuses the export cut at any of many bytes, where a whole parse says', async () => {
      const step = Math.max(1, Math.floor(exported.length / 150));
      const cuts = new Set<number>();
      for (let at = 1; at < exported.length - 2; at += step) cuts.add(at);
      // And inside multi-byte characters (Swedish names).
      for (let at = 0, n = 0; at < exported.length && n < 30; at++)
        if (exported[at] >= 0xc0) {
          cuts.add(at + 1);
          n++;
        }
      for (const cut of cuts) {
        const bytes = exported.subarray(0, cut);
        const expected = wholeFault(bytes)!;
        const { items, error } = await importBytes(bytes, 'cut.json');
        expect({ cut, items: items.length }).toEqual({ cut, items: 0 });
        expect({ cut, code: error?.code, place: error?.errors?.[0] }).toEqual({
          cut,
          code: expected.code,
          place: expect.objectContaining({ file: 'cut.json', line: expected.line, column: expected.column }),
        });
      }
    }, 60_000);

    // The file is read in 64 KiB chunks: these put a character, and a bad byte, on a boundary.
    const BOUNDARY = 64 * 1024;
    /** One user whose givenName begins at byte `nameAt`; line 2 begins at byte 12. */
    function userNamedAt(nameAt: number, name: Buffer): Buffer {
      const head = Buffer.from('{"users": [\n{"sourcedId": "u-1", "status": "active", "note": "');
      const middle = Buffer.from('", "givenName": "');
      return Buffer.concat([
        head,
        Buffer.alloc(nameAt - head.length - middle.length, 'x'),
        middle,
        name,
        Buffer.from(
          '", "familyName": "Berg", "roles": [{"roleType": "primary", "role": "student", "org": {"sourcedId": "1980"}}]}\n],\n' +
            '"orgs": [{"sourcedId": "1980", "status": "active", "name": "Kommun", "type": "district"}]}\n',
        ),
      ]);
    }

    it('reads a character split across chunks, in a string that spans them', async () => {
      for (const name of ['Östen', '😀 Östen'])
        for (const nameAt of [BOUNDARY - 1, BOUNDARY - 2, BOUNDARY - 3]) {
          const { items, error } = await importBytes(userNamedAt(nameAt, Buffer.from(name)), 'split.json');
          expect(error).toBeUndefined();
          expect((items[0] as RecordItem).record.pupil.givenName).toBe(name);
        }
    });

    it('refuses a byte that is not UTF-8 on either side of a chunk boundary, with its line and column', async () => {
      for (const at of [BOUNDARY - 1, BOUNDARY, BOUNDARY + 1]) {
        const bytes = userNamedAt(at, Buffer.from('Osten'));
        bytes[at] = 0xd6; // "Ö" in Latin-1, followed by "s": not UTF-8
        const { items, error } = await importBytes(bytes, 'latin1.json');
        expect(items).toEqual([]);
        expect(error?.code).toBe('ONEROSTER.ENCODING');
        expect(error?.errors).toEqual([
          expect.objectContaining({ file: 'latin1.json', line: 2, column: at - 12 + 1 }),
        ]);
        expect(wholeFault(bytes)).toEqual({ code: 'ONEROSTER.ENCODING', line: 2, column: at - 12 + 1 });
      }
    });

    it('refuses a syntax fault in the middle of a large document without yielding the pupils before it', async () => {
      const bytes = Buffer.from(exported);
      // The first result's {"sourcedId": becomes {"sourcedId"} : a syntax fault after every pupil's rows.
      const at = bytes.indexOf('{"sourcedId":', bytes.indexOf('"results":[')) + '{"sourcedId"'.length;
      bytes[at] = 0x7d;
      const expected = wholeFault(bytes)!;
      const { items, error } = await importBytes(bytes, 'broken.json');
      expect(items).toEqual([]);
      expect(error?.code).toBe('ONEROSTER.BAD_JSON');
      expect(error?.errors?.[0]).toEqual(
        expect.objectContaining({ file: 'broken.json', line: expected.line, column: expected.column }),
      );
    });

    it('takes keys named like Object.prototype members for what they are: not collections', async () => {
      const doc = '{"constructor": [{"sourcedId": "x"}], "toString": {"a": 1}}';
      const alone = await importBytes(Buffer.from(doc), 'proto.json');
      expect(alone.error?.code).toBe('ONEROSTER.UNRECOGNISED');
      const beside = await importBytes(Buffer.from(doc.replace(/}$/, ', "users": []}')), 'proto.json');
      expect(beside).toEqual({ items: [] });
    });

    it('refuses a UTF-16 document and a number that would not survive, saying where', async () => {
      const utf16 = await importBytes(Buffer.from(`\ufeff${exported.toString()}`, 'utf16le'), 'utf16.json');
      expect(utf16.error?.code).toBe('ONEROSTER.ENCODING');
      expect(utf16.error?.errors).toEqual([
        expect.objectContaining({ file: 'utf16.json', line: 1, column: 1 }),
      ]);
      const big = await importBytes(
        Buffer.from(
          '{"users": [{"sourcedId": "u", "status": "active", "identifier": 12345678901234567890}]}',
        ),
        'number.json',
      );
      expect(big.error?.code).toBe('ONEROSTER.BAD_JSON');
      expect(big.error?.errors).toEqual([
        expect.objectContaining({ file: 'number.json', pointer: '/users/0/identifier' }),
      ]);
    });
  });
});

/** An entity as text to compare, its origin reduced to file and pointer (valueOf, a function, drops out). */
function comparable(entity: object): string {
  const { origin, ...rest } = entity as { origin: { file: string; pointer?: string } };
  return JSON.stringify({ ...rest, origin: `${origin.file}#${origin.pointer ?? ''}` });
}

function readRange(path: string, range?: { start: number; end: number }): AsyncIterable<Buffer> {
  return createReadStream(path, range ? { start: range.start, end: range.end - 1 } : {});
}

/**
 * A REST document of about `size` bytes written as it is made: 2,000 pupils with roles, demographics and
 * enrollments, then results with long comments until the size is reached. Swedish letters, some decomposed.
 */
async function writeLargeDocument(path: string, size: number): Promise<void> {
  const out = createWriteStream(path);
  let written = 0;
  const write = async (text: string) => {
    written += Buffer.byteLength(text);
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  const list = async (key: string, count: number, make: (i: number) => object, last = false) => {
    await write(`"${key}": [\n`);
    for (let i = 0; i < count; i++) await write(`${i > 0 ? ',\n' : ''}${JSON.stringify(make(i))}`);
    await write(last ? '\n]\n' : '\n],\n');
  };
  const ref = (sourcedId: string, type: string) => ({ href: `/x/${sourcedId}`, sourcedId, type });
  await write('{');
  await list('orgs', 2, (i) => ({
    sourcedId: i === 0 ? '1980' : '12345678',
    status: 'active',
    name: i === 0 ? 'Västerås' : 'Skälby skola',
    type: i === 0 ? 'district' : 'school',
    identifier: i === 0 ? '1980' : '12345678',
    ...(i === 1 ? { parent: ref('1980', 'org') } : {}),
  }));
  await list('classes', 20, (i) => ({
    sourcedId: `c-${i}`,
    status: 'active',
    title: `Klass ${i}B`,
    classType: 'homeroom',
    school: ref('12345678', 'org'),
  }));
  await list('users', 2000, (i) => ({
    sourcedId: `u-${i}`,
    status: 'active',
    enabledUser: true,
    username: `elev${i}`,
    givenName: i % 3 === 0 ? 'A\u030asa' : 'Örjan',
    familyName: `Ström-${i}`,
    identifier: `id-${i}`,
    roles: [{ roleType: 'primary', role: 'student', org: ref('12345678', 'org') }],
    metadata: { note: `elev nummer ${i}` },
  }));
  await list('demographics', 2000, (i) => ({
    sourcedId: `u-${i}`,
    status: 'active',
    birthDate: '2012-03-04',
    sex: i % 2 ? 'female' : 'male',
  }));
  await list('enrollments', 2000, (i) => ({
    sourcedId: `e-${i}`,
    status: 'active',
    role: 'student',
    primary: true,
    user: ref(`u-${i}`, 'user'),
    class: ref(`c-${i % 20}`, 'class'),
    school: ref('12345678', 'org'),
  }));
  await list('lineItems', 20, (i) => ({
    sourcedId: `li-${i}`,
    status: 'active',
    title: `Svenska ${i}`,
    class: ref(`c-${i}`, 'class'),
    scoreScale: ref('A-F', 'scoreScale'),
  }));
  await write('"results": [\n');
  const comment = 'Mycket väl genomfört arbete, särskilt analysen av källorna. '.repeat(12);
  for (let i = 0; written < size; i++)
    await write(
      `${i > 0 ? ',\n' : ''}${JSON.stringify({
        sourcedId: `r-${i}`,
        status: 'active',
        lineItem: ref(`li-${i % 20}`, 'lineItem'),
        student: ref(`u-${i % 2000}`, 'user'),
        scoreStatus: 'fully graded',
        textScore: 'ABCDE'[i % 5],
        scoreDate: '2026-06-10',
        comment,
      })}`,
    );
  await write('\n]}\n');
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}
