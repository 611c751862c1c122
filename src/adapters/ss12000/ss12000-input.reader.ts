import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { open as openZip, type Entry, type ZipFile } from 'yauzl';
import { AdapterInputError } from '../adapter-input.errors';
import type { AdapterInput } from '../vendor-adapter.port';
import { parseJsonDocument } from './json-document';

/** One parsed JSON file of the input: the file itself, or one entry of a zip bundle. */
export interface InputDocument {
  file?: string;
  value: unknown;
}

/**
 * Past this a JSON text no longer fits in one JavaScript string. A bigger kommun is sent as a zip of
 * pages (persons_1.json, persons_2.json…), as the SS 12000 API pages it anyway.
 */
const MAX_DOCUMENT_BYTES = 400 * 1024 * 1024;

const ZIP_MAGIC = [0x50, 0x4b];

export async function isZip(input: AdapterInput): Promise<boolean> {
  const handle = await open(input.path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead >= 2 && head[0] === ZIP_MAGIC[0] && head[1] === ZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/** The documents of the input, one at a time: a JSON file is one, a zip bundle one per `.json` entry. */
export async function* readInputDocuments(input: AdapterInput): AsyncIterable<InputDocument> {
  if (await isZip(input)) {
    yield* readZip(input);
    return;
  }
  tooLarge(input.size, input.fileName);
  const bytes = await readAll(input.open(), MAX_DOCUMENT_BYTES, input.fileName);
  yield {
    ...(input.fileName !== undefined ? { file: input.fileName } : {}),
    value: parseJsonDocument(bytes, input.fileName),
  };
}

/** Entries that are not data: folders, macOS resource forks, hidden files. Other non-JSON files are skipped too. */
const skipped = (name: string): boolean =>
  name.endsWith('/') || name.startsWith('__MACOSX/') || /(^|\/)\./.test(name) || !/\.json$/i.test(name);

async function* readZip(input: AdapterInput): AsyncIterable<InputDocument> {
  const bundle = input.fileName ?? 'bundle.zip';
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    openZip(
      input.path,
      { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true },
      (err, z) => (err ? reject(zipError(bundle, err)) : resolve(z)),
    ),
  );
  let documents = 0;
  try {
    for (;;) {
      const entry = await nextEntry(zip, bundle);
      if (!entry) break;
      if (skipped(entry.fileName)) continue;
      tooLarge(entry.uncompressedSize, entry.fileName);
      const stream = await new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(entry, (err, s) => (err ? reject(zipError(entry.fileName, err)) : resolve(s))),
      );
      const bytes = await readAll(stream, MAX_DOCUMENT_BYTES, entry.fileName).catch((err: unknown) => {
        throw err instanceof AdapterInputError ? err : zipError(entry.fileName, err as Error);
      });
      documents++;
      yield { file: entry.fileName, value: parseJsonDocument(bytes, entry.fileName) };
    }
  } finally {
    if (zip.isOpen) zip.close();
  }
  if (documents === 0) {
    const detail = 'The zip holds no .json file.';
    throw new AdapterInputError('SS12000.EMPTY_BUNDLE', detail, [{ file: bundle, detail }]);
  }
}

function nextEntry(zip: ZipFile, bundle: string): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry) => {
      cleanup();
      resolve(entry);
    };
    const onEnd = () => {
      cleanup();
      resolve(undefined);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(zipError(bundle, err));
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function zipError(file: string, err: Error): AdapterInputError {
  const detail = `The zip cannot be read (truncated or damaged?): ${err.message}`;
  return new AdapterInputError('SS12000.ZIP_UNREADABLE', detail, [{ file, detail }]);
}

function tooLarge(size: number, file: string | undefined): void {
  if (size <= MAX_DOCUMENT_BYTES) return;
  const detail = `The file is over ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB; send a zip of smaller pages.`;
  throw new AdapterInputError('SS12000.TOO_LARGE', detail, [
    { ...(file !== undefined ? { file } : {}), detail },
  ]);
}

async function readAll(stream: Readable, limit: number, file: string | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      stream.destroy();
      tooLarge(size, file);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
