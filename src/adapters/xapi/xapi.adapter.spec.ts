import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { canonicalJson } from '../../records/record-content';
import type { LearnerRecord } from '../../records/learner-record.types';
import { validateLearnerRecord } from '../../records/learner-record.validator';
import { generatePupils } from '../../seed/pupil-generator';
import type { AdapterInputError } from '../adapter-input.errors';
import type { AdapterInput, ExportContext, ImportItem, LossEntry } from '../vendor-adapter.port';
import { xapiAdapter } from './xapi.adapter';
import { SAMPLES as SAMPLES_ROOT } from '../../../test/helpers/samples';

const SAMPLES = join(SAMPLES_ROOT, 'xapi');
const FIXTURES = join(__dirname, 'fixtures');
const NOW = new Date('2026-08-20T09:30:00Z');
const TEMPLATES = ['default', 'attachment', 'context', 'result'].map((t) => `statement-template-${t}.json`);

type RecordItem = Extract<ImportItem, { kind: 'record' }>;

function bufferInput(bytes: Buffer | string): AdapterInput {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  return { open: () => Readable.from([buffer]), path: '', size: buffer.length, fileName: 'statements.json' };
}

function fileInput(path: string): AdapterInput {
  return { open: () => createReadStream(path), path, size: statSync(path).size, fileName: basename(path) };
}

async function importAll(input: AdapterInput, options: Record<string, unknown> = {}): Promise<ImportItem[]> {
  const items: ImportItem[] = [];
  const ctx = { platformId: 'lms', kommunCode: '1980', now: NOW, options };
  for await (const item of xapiAdapter.import!(input, ctx, {})) items.push(item);
  return items;
}

const records = (items: ImportItem[]): RecordItem[] =>
  items.filter((i): i is RecordItem => i.kind === 'record');
const json = (value: unknown): string => JSON.stringify(value);
const digest = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex');

const statement = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  actor: { objectType: 'Agent', account: { homePage: 'https://lms.example', name: 'elev-1' } },
  verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
  object: { objectType: 'Activity', id: 'https://lms.example/uppgift/1' },
  ...over,
});

async function exportAll(
  input: LearnerRecord[],
  options: Record<string, unknown> = {},
): Promise<{ text: string; loss: LossEntry[][] }> {
  const loss: LossEntry[][] = [];
  let current: LossEntry[] = [];
  // Pulled one at a time, so the loss entries reported in between belong to the record just pulled.
  let next = 0;
  const feed = (): AsyncIterable<LearnerRecord> => ({
    [Symbol.asyncIterator]: () => ({
      next: () => {
        if (next >= input.length) return Promise.resolve({ done: true, value: undefined });
        current = [];
        loss.push(current);
        return Promise.resolve({ done: false, value: input[next++] });
      },
    }),
  });
  const ctx: ExportContext = {
    platformId: 'lms',
    kommunCode: '1980',
    now: NOW,
    options,
    loss: (e) => current.push(e),
  };
  let text = '';
  for await (const chunk of xapiAdapter.export!(feed(), ctx)) text += chunk.toString();
  return { text, loss };
}

describe('xapi import of the LRS conformance suite templates', () => {
  it.each(TEMPLATES)('imports %s as one pupil with one evidence item', async (file) => {
    const raw = JSON.parse(readFileSync(join(SAMPLES, file), 'utf8')) as Record<string, unknown>;
    const items = await importAll(fileInput(join(SAMPLES, file)));
    expect(items).toHaveLength(1);
    const [{ record, loss }] = records(items);
    expect(validateLearnerRecord(record)).toEqual([]);
    expect(record.source).toEqual({ platform: 'lms', id: 'mailto:xapi@adlnet.gov' });
    const name = (raw.actor as { name: string }).name;
    expect(record.pupil).toEqual({
      givenName: 'xAPI',
      familyName: name.split(' ')[1],
      securityMarking: 'Ingen',
      provenance: {
        sourcePlatform: 'lms',
        sourceId: 'mailto:xapi@adlnet.gov',
        adapter: 'xapi',
        adapterVersion: '1.0.0',
        importedAt: NOW.toISOString(),
      },
    });
    // The templates have no id and no timestamp: the id comes from the digest, the URI from the object.
    expect(record.evidence).toEqual([
      {
        id: `xapi-${digest(raw).slice(0, 32)}`,
        uri: 'http://www.example.com/meetings/occurances/34534',
        sha256: digest(raw),
        xapiStatement: raw,
        provenance: {
          sourcePlatform: 'lms',
          adapter: 'xapi',
          adapterVersion: '1.0.0',
          importedAt: NOW.toISOString(),
        },
      },
    ]);
    expect(loss.map((e) => [e.kind, e.target?.pointer])).toEqual([
      ['approximated', '/evidence/0/sha256'],
      ['defaulted', '/evidence/0/id'],
      ['approximated', '/pupil/givenName'],
      ['approximated', '/pupil/familyName'],
      ['defaulted', '/pupil/securityMarking'],
    ]);
  });

  it('gathers the four templates, one actor, into one record with four items', async () => {
    const batch = TEMPLATES.map((file) => JSON.parse(readFileSync(join(SAMPLES, file), 'utf8')) as unknown);
    const [{ record }] = records(await importAll(bufferInput(json(batch))));
    expect(record.evidence?.map((e) => e.xapiStatement)).toEqual(batch);
    expect(new Set(record.evidence?.map((e) => e.id)).size).toBe(4);
    expect(record.pupil.familyName).toBe('mbox');
  });
});

describe('xapi import', () => {
  it('reads a StatementResult with two pupils, keyed by account name, with times as given', async () => {
    const items = await importAll(fileInput(join(FIXTURES, 'ok/statement-result.json')), {
      accountHomePage: 'https://lms.example/',
    });
    expect(items.map((i) => i.kind)).toEqual(['record', 'record']);
    const [asa, nils] = records(items).map((i) => i.record);
    expect(asa.source.id).toBe('elev-1001');
    expect(asa.pupil).toMatchObject({ givenName: 'Åsa', familyName: 'Öberg' });
    expect(asa.evidence?.map((e) => [e.id, e.uri, e.title, e.recordedAt])).toEqual([
      [
        '6690e6c9-3ef0-4ed3-8b37-7f3964730bee',
        'urn:uuid:6690e6c9-3ef0-4ed3-8b37-7f3964730bee',
        'Prov: bråk och procent',
        '2026-03-12T10:15:00+01:00',
      ],
      [
        '2f0e3a8e-7c55-4d8a-9d6e-0c1b3e4f5a61',
        'urn:uuid:2f0e3a8e-7c55-4d8a-9d6e-0c1b3e4f5a61',
        undefined,
        '2026-03-14T08:02:11Z',
      ],
    ]);
    expect(nils.source.id).toBe('elev-1002');
    for (const record of [asa, nils]) expect(validateLearnerRecord(record)).toEqual([]);
  });

  it('rejects actors of another platform, and takes the id the options name', async () => {
    const items = await importAll(bufferInput(json(statement())), {
      accountHomePage: 'https://other.example',
    });
    expect(items).toEqual([
      {
        kind: 'rejected',
        source: { pointer: '' },
        errors: [
          { pointer: '/actor/account/homePage', detail: "is not this platform's (https://other.example)" },
        ],
      },
    ]);
    const both = statement({ actor: { mbox: 'mailto:kim@skola.example', name: 'Kim' } });
    expect(
      records(await importAll(bufferInput(json(both)), { pupilIdFrom: 'mbox' }))[0].record.source.id,
    ).toBe('mailto:kim@skola.example');
    const missing = await importAll(bufferInput(json(both)), { pupilIdFrom: 'account.name' });
    expect(missing[0]).toMatchObject({
      kind: 'rejected',
      errors: [{ pointer: '/actor', detail: 'has no account.name to know which pupil it is' }],
    });
  });

  it('rejects the whole pupil when one of its statements is invalid, and keeps the others going', async () => {
    const batch = [
      statement(),
      statement({ id: 'nope', verb: { id: 'completed' }, timestamp: '2026-13-45T99:00:00Z' }),
      statement({ actor: { account: { homePage: 'https://lms.example', name: 'elev-2' } } }),
      statement({ actor: { mbox: 'kim@skola.example' } }),
    ];
    const items = await importAll(bufferInput(json(batch)));
    expect(items).toEqual([
      {
        kind: 'rejected',
        source: { pointer: '/3' },
        errors: [{ pointer: '/3/actor/mbox', detail: 'must be a mailto: IRI' }],
      },
      {
        kind: 'rejected',
        sourceId: 'elev-1',
        source: { pointer: '/0' },
        errors: [
          { pointer: '/1/id', detail: 'must be a UUID' },
          { pointer: '/1/verb/id', detail: 'must be an IRI' },
          { pointer: '/1/timestamp', detail: 'must be an ISO 8601 timestamp, e.g. 2026-03-12T10:15:00Z' },
        ],
      },
      expect.objectContaining({ kind: 'record', source: { pointer: '/2' } }),
    ]);
  });

  it('keeps a repeated statement once, and rejects a different statement with the same id', async () => {
    const id = '0b3e2a1c-1d2e-4f5a-8b9c-0d1e2f3a4b5c';
    const [{ record, loss }] = records(
      await importAll(bufferInput(json([statement({ id }), statement({ id })]))),
    );
    expect(record.evidence).toHaveLength(1);
    expect(loss).toContainEqual({
      kind: 'dropped',
      source: { pointer: '/1' },
      detail: 'the same statement again: kept once',
    });
    const clash = await importAll(
      bufferInput(
        json([statement({ id }), statement({ id, verb: { id: 'http://adlnet.gov/expapi/verbs/failed' } })]),
      ),
    );
    expect(clash).toEqual([
      {
        kind: 'rejected',
        sourceId: 'elev-1',
        source: { pointer: '/0' },
        errors: [{ pointer: '/1/id', detail: 'another statement (/0) has this id' }],
      },
    ]);
  });

  it('writes a timestamp without offset or seconds as RFC 3339 UTC, and says so', async () => {
    const [{ record, loss }] = records(
      await importAll(bufferInput(json(statement({ timestamp: '2026-03-12T10:15' })))),
    );
    expect(record.evidence?.[0].recordedAt).toBe('2026-03-12T10:15:00.000Z');
    expect(loss).toContainEqual({
      kind: 'approximated',
      source: { pointer: '/timestamp' },
      target: { pointer: '/evidence/0/recordedAt' },
      detail: '2026-03-12T10:15 is written as the RFC 3339 time 2026-03-12T10:15:00.000Z',
    });
  });

  it('turns Swedish text into NFC and an IRI with å into a URI', async () => {
    const decomposed = 'Sma\u030aland'; // "Småland" with a combining ring
    const s = statement({
      object: { id: 'https://lms.example/kurs/småland', definition: { name: { 'sv-SE': decomposed } } },
    });
    const [{ record }] = records(await importAll(bufferInput(json(s))));
    expect(record.evidence?.[0].title).toBe('Småland');
    expect(record.evidence?.[0].title).toBe('Sm\u00e5land');
    expect(record.evidence?.[0].uri).toBe('https://lms.example/kurs/sm%C3%A5land');
    expect(validateLearnerRecord(record)).toEqual([]);
  });

  it('rejects a statement with a 10 MB field', async () => {
    const huge = statement({ result: { response: 'x'.repeat(10 * 1024 * 1024) } });
    const items = await importAll(bufferInput(json([huge])));
    expect(items).toEqual([
      {
        kind: 'rejected',
        sourceId: 'elev-1',
        source: { pointer: '/0' },
        errors: [{ pointer: '/0', detail: 'the statement is larger than 1048576 characters' }],
      },
    ]);
  });

  it('refuses input that is not JSON statements as a whole', async () => {
    await expect(importAll(bufferInput('{"statements": {}}'))).rejects.toMatchObject({
      code: 'XAPI.NOT_STATEMENTS',
      errors: [{ pointer: '/statements' }],
    });
    await expect(importAll(bufferInput('[{"actor": '))).rejects.toMatchObject({
      code: 'XAPI.INVALID_JSON',
      errors: [{ file: 'statements.json', line: 1, column: 12 }],
    });
    await expect(importAll(bufferInput('\ufeff[\r\n  {"actor": {}},\r\n  {"verb": '))).rejects.toMatchObject({
      code: 'XAPI.INVALID_JSON',
      errors: [{ file: 'statements.json', line: 3 }],
    });
    await expect(importAll(bufferInput(''))).rejects.toMatchObject({
      code: 'XAPI.EMPTY',
      errors: [{ file: 'statements.json', line: 1, column: 1 }],
    });
    await expect(
      importAll(bufferInput(Buffer.from('[{"actor": {"name": "\xc5sa"}}]', 'latin1'))),
    ).rejects.toMatchObject({
      code: 'XAPI.INVALID_UTF8',
      errors: [{ file: 'statements.json', line: 1, column: 22 }],
    });
    await expect(importAll(bufferInput(`[${'['.repeat(100)}${']'.repeat(100)}]`))).rejects.toMatchObject({
      code: expect.stringMatching(/^XAPI\./),
    });
  });

  it('sniffs statements and not other JSON', () => {
    expect(xapiAdapter.sniff!(readFileSync(join(SAMPLES, 'statement-template-default.json')))).toBe(0.9);
    expect(
      xapiAdapter.sniff!(Buffer.from(json(statement({ verb: { id: 'https://w3id.org/xapi/x' } })))),
    ).toBe(0.8);
    expect(xapiAdapter.sniff!(Buffer.from('{"@context": [], "type": ["VerifiableCredential"]}'))).toBe(0);
    expect(xapiAdapter.sniff!(Buffer.from('eyJhbGciOi'))).toBe(0);
  });
});

describe('xapi export', () => {
  const pupils = [...generatePupils({ kommunCode: '1980', count: 40, seed: 3 })].map((r) => ({
    ...r,
    source: { ...r.source, platform: 'lms' },
  }));
  const withStatements = pupils.filter((r) => r.evidence?.some((e) => e.xapiStatement));

  it('writes every statement as received into one StatementResult, deterministically', async () => {
    expect(withStatements.length).toBeGreaterThan(3);
    const a = await exportAll(pupils);
    const b = await exportAll(pupils);
    expect(b.text).toBe(a.text);
    const result = JSON.parse(a.text) as { statements: unknown[]; more: string };
    expect(result.more).toBe('');
    expect(result.statements).toEqual(
      pupils.flatMap((r) => (r.evidence ?? []).flatMap((e) => (e.xapiStatement ? [e.xapiStatement] : []))),
    );
  });

  it('reports the evidence fields a statement does not carry, and pupils with nothing to write', async () => {
    const { loss } = await exportAll(pupils);
    const n = pupils.indexOf(withStatements[0]);
    const i = pupils[n].evidence!.findIndex((e) => e.xapiStatement);
    const item = pupils[n].evidence![i];
    expect(loss[n]).toEqual(
      expect.arrayContaining([
        {
          kind: 'approximated',
          source: { pointer: `/evidence/${i}/id` },
          detail: expect.stringContaining('an import derives xapi-'),
        },
        {
          kind: 'approximated',
          source: { pointer: `/evidence/${i}/sha256` },
          detail: expect.stringContaining(digest(item.xapiStatement)),
        },
        {
          kind: 'dropped',
          source: { pointer: `/evidence/${i}/mediaType` },
          detail: "the statement does not carry the evidence's mediaType",
        },
        { kind: 'dropped', source: { pointer: '/pupil/givenName' }, detail: expect.any(String) },
      ]),
    );
    expect(loss[n].map((e) => e.source.pointer)).not.toContain(`/evidence/${i}/uri`);
    expect(loss[n].map((e) => e.source.pointer)).not.toContain(`/evidence/${i}/recordedAt`);
    const none = pupils.findIndex((r) => !r.evidence?.some((e) => e.xapiStatement));
    expect(loss[none]).toContainEqual({
      kind: 'dropped',
      source: { pointer: '' },
      detail: 'the pupil has no xAPI statements: nothing of the record is written',
    });
  });

  it('writes {"statements":[],"more":""} for no records', async () => {
    expect((await exportAll([])).text).toBe('{"statements":[],"more":""}');
  });

  it('round-trips: what comes back differs from the original only where the loss reports say', async () => {
    const { text, loss } = await exportAll(pupils);
    const back = new Map(
      records(await importAll(bufferInput(text))).map((item) => [item.record.source.id, item]),
    );
    for (const [n, original] of pupils.entries()) {
      const exportPointers = loss[n].map((e) => e.source.pointer ?? '');
      if (exportPointers.includes('')) {
        expect(back.has(original.source.id)).toBe(false);
        continue;
      }
      const item = back.get(original.source.id)!;
      expect(validateLearnerRecord(item.record)).toEqual([]);
      const importPointers = item.loss
        .filter((e) => e.kind === 'defaulted' || e.kind === 'approximated')
        .map((e) => e.target!.pointer!);
      // A pointer names the same place in both records unless it passes through an array index: items
      // may be renumbered (dropped ones are gone), so those apply only to the record they were made for.
      const shared = (pointers: string[]): string[] => pointers.filter((p) => !/\/[0-9]+(\/|$)/.test(p));
      expect(comparable(item.record, [...importPointers, ...shared(exportPointers)])).toEqual(
        comparable(original, [...exportPointers, ...shared(importPointers)]),
      );
    }
    expect(back.size).toBe(withStatements.length);
  });
});

/** The record without the places the loss reports name and without provenance; arrays sorted. */
function comparable(record: LearnerRecord, pointers: string[]): unknown {
  const NAMED = '\u0000named';
  const copy = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
  for (const pointer of pointers) {
    const parts = pointer.split('/').slice(1);
    let node: unknown = copy;
    for (const part of parts.slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[part];
    const last = parts[parts.length - 1];
    if (node && typeof node === 'object' && last in node) (node as Record<string, unknown>)[last] = NAMED;
  }
  const normalise = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      return value
        .filter((v) => v !== NAMED)
        .map(normalise)
        .sort((a, b) => canonicalJson(a).localeCompare(canonicalJson(b)));
    }
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === 'provenance' || v === NAMED) continue;
        const n = normalise(v);
        if (!(Array.isArray(n) && n.length === 0)) out[k] = n;
      }
      return out;
    }
    return value;
  };
  return normalise(copy);
}

describe('xapi fixtures', () => {
  for (const kind of ['ok', 'not-ok'] as const) {
    const dir = join(FIXTURES, kind);
    for (const file of readdirSync(dir).filter((f) => !f.endsWith('.expect.json'))) {
      const expected = JSON.parse(
        readFileSync(join(dir, file.replace(/\.[^.]+$/, '.expect.json')), 'utf8'),
      ) as Record<string, unknown>;
      it(`${kind}/${file} gives ${JSON.stringify(expected)}`, async () => {
        const run = importAll(fileInput(join(dir, file)));
        if (typeof expected.code === 'string') {
          const error = (await run.catch((e: unknown) => e)) as AdapterInputError;
          expect(error).toMatchObject({ code: expected.code });
          for (const want of (expected.errors as object[] | undefined) ?? [])
            expect(error.errors).toContainEqual(expect.objectContaining(want));
          return;
        }
        const items = await run;
        for (const item of records(items)) expect(validateLearnerRecord(item.record)).toEqual([]);
        const rejected = items.flatMap((i) => (i.kind === 'rejected' ? [i] : []));
        if (Array.isArray(expected.rejected)) {
          for (const want of expected.rejected as object[])
            expect(rejected.flatMap((r) => r.errors)).toContainEqual(expect.objectContaining(want));
        } else {
          expect({ records: records(items).length, deletions: 0, rejected: rejected.length }).toEqual(
            expected,
          );
        }
      });
    }
  }
});
