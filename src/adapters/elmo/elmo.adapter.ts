// EMREX ELMO: the XML transcript of records that EMREX moves between European institutions when a student
// moves (emrex-eu/elmo-schemas, v1). In: one ELMO document, or a zip of them; out: a zip of ELMO documents,
// one per pupil (an ELMO document describes exactly one learner).
import type { FieldError } from '../../common/problem/domain-error';
import type { LearnerRecord } from '../../records/learner-record.types';
import { AdapterInputError } from '../adapter-input.errors';
import { LOSS_REPORT_ENTRY } from '../shared/loss-log';
import type {
  AdapterInput,
  ExportContext,
  ImportContext,
  ImportItem,
  VendorAdapter,
} from '../vendor-adapter.port';
import { elmoDocument } from './elmo-export.mapper';
import { ELMO_NAMESPACE } from './elmo-format';
import { assertElmoRoot, mapElmoDocument } from './elmo-import.mapper';
import { ELMO_OPTIONS_SCHEMA, readElmoOptions, type ElmoOptions } from './elmo-options';
import {
  decodeXmlBytes,
  MAX_XML_DOCUMENT_BYTES,
  parseXmlDocument,
  XmlDocumentError,
  type XmlProblem,
} from './elmo-xml';
import {
  EMPTY_ZIP_SIGNATURE,
  firstXmlEntryHead,
  readZipEntries,
  writeZip,
  ZIP_SIGNATURE,
  ZipReadError,
} from './elmo-zip';

const NAME = 'elmo';
const VERSION = '1.0.0';

export const elmoAdapter: VendorAdapter = {
  name: NAME,
  version: VERSION,
  title: 'EMREX ELMO (European student-mobility results, XML)',
  mediaTypes: {
    import: ['application/xml', 'text/xml', 'application/zip'],
    export: ['application/zip'],
  },
  reads: ['pupil', 'grades', 'assessments', 'evidence'],
  writes: ['pupil', 'grades'],
  optionsSchema: ELMO_OPTIONS_SCHEMA,
  sniff: sniffElmo,
  import: importElmo,
  export: exportElmo,
  exportFormat: { mediaType: 'application/zip', extension: 'zip' },
};

export function sniffElmo(head: Buffer, fileName?: string): number {
  if (head.subarray(0, 4).equals(ZIP_SIGNATURE)) {
    // A zip is judged by its first document, whatever the zip and its entries are called; a bare
    // document outscores it, since a zip may hold other things after that document.
    const document = firstXmlEntryHead(head);
    const root = document ? elmoRoot(document) : undefined;
    if (root) return root === 'namespaced' ? 0.9 : 0.55;
    const names = head.toString('latin1');
    return /\.xml/i.test(names) && /elmo|emrex/i.test(`${fileName ?? ''} ${names}`) ? 0.4 : 0;
  }
  const root = elmoRoot(head);
  if (root) return root === 'namespaced' ? 0.95 : 0.6;
  return /\.xml$/i.test(fileName ?? '') && /elmo|emrex/i.test(fileName ?? '') ? 0.3 : 0;
}

/** Whether the text begins an <elmo> document, and whether in the ELMO namespace. */
function elmoRoot(head: Buffer): 'namespaced' | 'bare' | undefined {
  const text =
    head[0] === 0xff && head[1] === 0xfe ? head.subarray(2).toString('utf16le') : head.toString('utf8');
  if (!/<(?:[A-Za-z_][\w.-]*:)?elmo[\s>/]/.test(text)) return undefined;
  return text.includes(ELMO_NAMESPACE) ? 'namespaced' : 'bare';
}

async function* importElmo(input: AdapterInput, ctx: ImportContext): AsyncIterable<ImportItem> {
  const options = readElmoOptions(ctx.options);
  const head = await readHead(input);
  if (head.subarray(0, 4).equals(ZIP_SIGNATURE) || head.subarray(0, 4).equals(EMPTY_ZIP_SIGNATURE)) {
    yield* importZip(input, ctx, options);
    return;
  }
  const file = input.fileName;
  let root;
  try {
    root = parseXmlDocument(decodeXmlBytes(await readAll(input), 'ELMO'), 'ELMO');
    assertElmoRoot(root);
  } catch (err) {
    if (err instanceof XmlDocumentError)
      throw new AdapterInputError(err.code, err.detail, fieldErrors(err.problems, file));
    throw err;
  }
  yield mapElmoDocument(root, file, ctx, options, { name: NAME, version: VERSION });
}

async function* importZip(
  input: AdapterInput,
  ctx: ImportContext,
  options: ElmoOptions,
): AsyncIterable<ImportItem> {
  const seen = new Map<string, string>();
  let documents = 0;
  try {
    for await (const entry of readZipEntries(input.path, MAX_XML_DOCUMENT_BYTES)) {
      const file = entry.name;
      // The loss report of the export that made the zip is about that export, not a pupil.
      if (file === LOSS_REPORT_ENTRY) continue;
      if (entry.kind === 'skipped' || !/\.xml$/i.test(file)) {
        const detail =
          entry.kind === 'skipped'
            ? `not read: ${entry.reason}`
            : 'not an ELMO document: only .xml files are read';
        yield { kind: 'rejected', errors: [{ file, detail }], source: { file } };
        continue;
      }
      documents++;
      let outcome: ImportItem;
      try {
        const root = parseXmlDocument(decodeXmlBytes(entry.bytes, 'ELMO'), 'ELMO');
        assertElmoRoot(root);
        outcome = mapElmoDocument(root, file, ctx, options, { name: NAME, version: VERSION });
      } catch (err) {
        if (!(err instanceof XmlDocumentError)) throw err;
        // One bad document in a zip costs that pupil, not the rest: the code goes into the detail.
        const problems = err.problems.length > 0 ? err.problems : [{ detail: err.detail }];
        const errors = fieldErrors(problems, file).map((e) => ({ ...e, detail: `${err.code}: ${e.detail}` }));
        outcome = { kind: 'rejected', errors, source: { file } };
      }
      if (outcome.kind === 'record') {
        const id = outcome.record.source.id;
        const first = seen.get(id);
        if (first !== undefined) {
          yield {
            kind: 'rejected',
            sourceId: id,
            errors: [
              {
                file,
                pointer: '/source/id',
                detail: `the same learner as in ${first}: each pupil once per import`,
              },
            ],
            source: outcome.source,
          };
          continue;
        }
        seen.set(id, file);
      }
      yield outcome;
    }
  } catch (err) {
    if (err instanceof ZipReadError) {
      throw new AdapterInputError('ELMO.BAD_ZIP', `The zip cannot be read: ${err.message}.`, [
        { ...(input.fileName ? { file: input.fileName } : {}), detail: err.message },
      ]);
    }
    throw err;
  }
  if (documents === 0) {
    throw new AdapterInputError('ELMO.NO_DOCUMENTS', 'The zip holds no ELMO documents (.xml files).', [
      { ...(input.fileName ? { file: input.fileName } : {}), detail: 'no .xml entries' },
    ]);
  }
}

function fieldErrors(problems: XmlProblem[], file: string | undefined): FieldError[] {
  return problems.map((problem) => ({ ...(file ? { file } : {}), ...problem }));
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
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = input.open();
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > MAX_XML_DOCUMENT_BYTES) {
      stream.destroy();
      throw new AdapterInputError(
        'ELMO.TOO_LARGE',
        `The document is larger than ${MAX_XML_DOCUMENT_BYTES} bytes, more than any ELMO transcript needs.`,
        [
          {
            ...(input.fileName ? { file: input.fileName } : {}),
            detail: `more than ${MAX_XML_DOCUMENT_BYTES} bytes`,
          },
        ],
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function exportElmo(records: AsyncIterable<LearnerRecord>, ctx: ExportContext): AsyncIterable<Buffer> {
  const options = readElmoOptions(ctx.options);
  const names = new Set<string>();
  async function* documents(): AsyncIterable<{ name: string; bytes: Buffer }> {
    for await (const record of records) {
      const name = uniqueName(record.source.id, names);
      const xml = elmoDocument(
        record,
        { file: name, kommunCode: ctx.kommunCode, now: ctx.now, loss: ctx.loss },
        options,
      );
      yield { name, bytes: Buffer.from(xml, 'utf8') };
    }
    if (ctx.lossReport) {
      const report: Buffer[] = [];
      for await (const piece of ctx.lossReport()) report.push(piece);
      yield { name: LOSS_REPORT_ENTRY, bytes: Buffer.concat(report) };
    }
  }
  return writeZip(documents());
}

/** A file name from the pupil's id, safe on every file system and unique in the zip. */
function uniqueName(id: string, taken: Set<string>): string {
  const base =
    id
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^\.+/, '_')
      .slice(0, 100) || 'pupil';
  let name = `${base}.xml`;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}.xml`;
  taken.add(name.toLowerCase());
  return name;
}

export { elmoDocument } from './elmo-export.mapper';
