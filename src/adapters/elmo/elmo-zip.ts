// A zip of ELMO documents in and out. ELMO holds exactly one learner per document, so several pupils travel
// as one document each, in one zip.
import { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { ZipFile } from 'yazl';

export const ZIP_SIGNATURE = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
export const EMPTY_ZIP_SIGNATURE = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const MAX_ENTRIES = 100_000;

export type ZipItem =
  { kind: 'file'; name: string; bytes: Buffer } | { kind: 'skipped'; name: string; reason: string };

/** Thrown when the zip itself cannot be read (truncated, not a zip, too many entries). */
export class ZipReadError extends Error {}

/**
 * The zip's entries in central-directory order, one at a time (each read whole, at most `maxEntryBytes`).
 * Folders and the litter of archivers (__MACOSX/, .DS_Store) are passed over; an entry that is too large
 * or cannot be inflated is yielded as skipped, so the rest of the zip goes on.
 */
export async function* readZipEntries(path: string, maxEntryBytes: number): AsyncGenerator<ZipItem> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true },
      (err, file) =>
        err || !file ? reject(new ZipReadError(err?.message ?? 'not a zip file')) : resolve(file),
    ),
  );
  try {
    if (zip.entryCount > MAX_ENTRIES)
      throw new ZipReadError(`the zip has ${zip.entryCount} entries; at most ${MAX_ENTRIES} are read`);
    for (;;) {
      const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry) => {
          cleanup();
          resolve(e);
        };
        const onEnd = () => {
          cleanup();
          resolve(undefined);
        };
        const onError = (err: Error) => {
          cleanup();
          reject(new ZipReadError(err.message));
        };
        const cleanup = () => {
          zip.off('entry', onEntry);
          zip.off('end', onEnd);
          zip.off('error', onError);
        };
        zip.on('entry', onEntry);
        zip.on('end', onEnd);
        zip.on('error', onError);
        zip.readEntry();
      });
      if (!entry) return;
      const name = entry.fileName;
      if (name.endsWith('/') || /(^|\/)(__MACOSX\/|\.DS_Store$)/.test(name)) continue;
      if (entry.uncompressedSize > maxEntryBytes) {
        yield {
          kind: 'skipped',
          name,
          reason: `it is ${entry.uncompressedSize} bytes; at most ${maxEntryBytes} are read`,
        };
        continue;
      }
      try {
        yield { kind: 'file', name, bytes: await readEntry(zip, entry, maxEntryBytes) };
      } catch (err) {
        yield {
          kind: 'skipped',
          name,
          reason: `it cannot be read (${err instanceof Error ? err.message : 'error'})`,
        };
      }
    }
  } finally {
    zip.close();
  }
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, maxBytes: number): Promise<Buffer> {
  const stream = await new Promise<Readable>((resolve, reject) =>
    zip.openReadStream(entry, (err, s) => (err || !s ? reject(err ?? new Error('no stream')) : resolve(s))),
  );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      stream.destroy();
      throw new Error(`more than ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

// Local midnight 1980-01-01 is the DOS epoch in every time zone, so the bytes do not depend on where they
// are made; no extended timestamp either.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

/**
 * Writes the files into a zip as they come, deterministically (fixed times, the given order). yazl asks for
 * an entry's bytes only when it gets to it, and the producer waits for that, so at most a couple of
 * documents are held however many pupils stream through.
 */
export async function* writeZip(
  files: AsyncIterable<{ name: string; bytes: Buffer }>,
): AsyncGenerator<Buffer> {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  let added = 0;
  let requested = 0;
  let wake: (() => void) | undefined;
  let stopped = false;
  const producer = (async () => {
    try {
      for await (const file of files) {
        if (stopped) return;
        added++;
        zip.addReadStreamLazy(
          file.name,
          {
            mtime: FIXED_MTIME,
            forceDosTimestamp: true,
            mode: 0o100644,
            compress: true,
            size: file.bytes.length,
          },
          (callback) => {
            requested++;
            wake?.();
            callback(null, Readable.from([file.bytes]));
          },
        );
        while (added - requested > 2 && !stopped) await new Promise<void>((resolve) => (wake = resolve));
      }
      zip.end();
    } catch (err) {
      output.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  })();
  try {
    for await (const chunk of output) yield chunk as Buffer;
    await producer;
  } finally {
    stopped = true;
    wake?.();
  }
}
