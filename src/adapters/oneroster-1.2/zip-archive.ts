import type { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { inputError, OR_ERRORS } from './oneroster-1.2.errors';

/** Most entries a bundle may hold: a OneRoster zip has about twenty; thousands mean something else. */
const MAX_ENTRIES = 1000;

/**
 * A zip opened for random access: its entries by file name, each readable as a stream as often as
 * needed. Names are matched case-insensitively and inside one top folder too, as people zip a folder.
 */
export class ZipArchive {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: ReadonlyMap<string, yauzl.Entry>,
  ) {}

  /** `name` is the upload's file name, for the place in errors about the zip as a whole. */
  static async open(path: string, name: string): Promise<ZipArchive> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(path, { lazyEntries: true, autoClose: false, strictFileNames: false }, (err, zipFile) =>
        err ? reject(badZip(err, name)) : resolve(zipFile),
      ),
    );
    const entries = new Map<string, yauzl.Entry>();
    try {
      await new Promise<void>((resolve, reject) => {
        zip.on('entry', (entry: yauzl.Entry) => {
          if (entries.size >= MAX_ENTRIES) {
            reject(
              inputError(OR_ERRORS.badZip, `the zip holds more than ${MAX_ENTRIES} entries`, { file: name }),
            );
            return;
          }
          const key = baseName(entry.fileName);
          if (!entry.fileName.endsWith('/') && entries.has(key)) {
            reject(
              inputError(OR_ERRORS.badZip, `the zip holds ${key} twice (${entry.fileName})`, { file: name }),
            );
            return;
          }
          if (!entry.fileName.endsWith('/')) entries.set(key, entry);
          zip.readEntry();
        });
        zip.once('end', () => resolve());
        zip.once('error', (err: Error) => reject(badZip(err, name)));
        zip.readEntry();
      });
    } catch (error) {
      zip.close();
      throw error;
    }
    return new ZipArchive(zip, entries);
  }

  has(name: string): boolean {
    return this.entries.has(name.toLowerCase());
  }

  names(): string[] {
    return [...this.entries.values()].map((e) => e.fileName);
  }

  /** The entry's bytes, decompressed; corrupt data surfaces as an ONEROSTER.BAD_ZIP error on the stream. */
  async openEntry(name: string): Promise<Readable> {
    const entry = this.entries.get(name.toLowerCase());
    if (!entry) throw inputError(OR_ERRORS.missingFile, `the zip has no ${name}`, { file: name });
    if (entry.isEncrypted()) throw inputError(OR_ERRORS.badZip, `${name} is encrypted`, { file: name });
    return new Promise<Readable>((resolve, reject) =>
      this.zip.openReadStream(entry, (err, stream) => (err ? reject(badZip(err, name)) : resolve(stream))),
    );
  }

  close(): void {
    this.zip.close();
  }
}

function baseName(fileName: string): string {
  return (fileName.split('/').pop() ?? fileName).toLowerCase();
}

export function badZip(err: Error, file: string): Error {
  return inputError(OR_ERRORS.badZip, `${file} is not a readable zip: ${err.message}`, { file });
}
