// A zip of ELMO documents in and out. ELMO holds exactly one learner per document, so several pupils travel
// as one document each, in one zip.
import { Readable } from 'node:stream';
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
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

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;
/** Local headers walked past (folders, __MACOSX litter, other files) before giving up. */
const MAX_HEAD_ENTRIES = 8;
/** The root element is in the first few hundred bytes of a document: this much compressed data is plenty. */
const MAX_HEAD_COMPRESSED_BYTES = 4 * 1024;
/** Deflate can expand 1000-fold: a head that inflates beyond this is not an ELMO document worth sniffing. */
const MAX_HEAD_INFLATED_BYTES = 1024 * 1024;

/**
 * The start of the first .xml entry whose data lies in `head` (the first bytes of a zip), decompressed as
 * far as the head goes; undefined when there is none or it cannot be read. Local file headers precede each
 * entry's data (APPNOTE 4.3.7), so no central directory is needed: headers are walked while their entry's
 * compressed size is known, which it is not after a data-descriptor entry (general purpose bit 3).
 */
export function firstXmlEntryHead(head: Buffer): Buffer | undefined {
  let offset = 0;
  for (let n = 0; n < MAX_HEAD_ENTRIES && offset + LOCAL_HEADER_BYTES <= head.length; n++) {
    if (head.readUInt32LE(offset) !== LOCAL_HEADER_SIGNATURE) return undefined;
    const flags = head.readUInt16LE(offset + 6);
    const method = head.readUInt16LE(offset + 8);
    const compressedSize = head.readUInt32LE(offset + 18);
    const nameStart = offset + LOCAL_HEADER_BYTES;
    const nameEnd = nameStart + head.readUInt16LE(offset + 26);
    const dataStart = nameEnd + head.readUInt16LE(offset + 28);
    if (dataStart > head.length) return undefined;
    const name = head.toString(flags & 0x800 ? 'utf8' : 'latin1', nameStart, nameEnd);
    // Zip64 puts the real size in an extra field: treated as unknown, like a data descriptor's.
    const sizeKnown = (flags & 0x8) === 0 && compressedSize !== 0xffffffff;
    const encrypted = (flags & 0x1) !== 0;
    if (/\.xml$/i.test(name) && !/(^|\/)__MACOSX\//.test(name) && !encrypted) {
      const end = Math.min(head.length, dataStart + MAX_HEAD_COMPRESSED_BYTES);
      const data = head.subarray(dataStart, sizeKnown ? Math.min(end, dataStart + compressedSize) : end);
      if (method === 0) return data;
      return method === 8 ? inflateStart(data) : undefined;
    }
    if (!sizeKnown) return undefined;
    offset = dataStart + compressedSize;
  }
  return undefined;
}

/** Inflates what there is of a raw deflate stream (cut short or not); undefined when it is not one. */
function inflateStart(data: Buffer): Buffer | undefined {
  try {
    return inflateRawSync(data, {
      finishFlush: zlibConstants.Z_SYNC_FLUSH,
      maxOutputLength: MAX_HEAD_INFLATED_BYTES,
    });
  } catch {
    return undefined;
  }
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
