import { createHash } from 'node:crypto';
import { ZipFile } from 'yazl';

export interface PackageFile {
  name: string;
  mediaType: string;
  bytes: Buffer;
}

export interface PackageManifest {
  meta: { schemaVersion: '1.0'; createdAt: string; generator: string };
  requestId: string;
  kommunCode: string;
  recordId: string;
  /** The GDPR articles the package answers. */
  articles: string[];
  policyVersion: number;
  files: Array<{ name: string; mediaType: string; size: number; sha256: string }>;
}

export const sha256Hex = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** The manifest of the files: each one's SHA-256, so the signed manifest vouches for them all. */
export function manifestOf(files: PackageFile[], head: Omit<PackageManifest, 'files'>): PackageManifest {
  return {
    ...head,
    files: files.map((f) => ({
      name: f.name,
      mediaType: f.mediaType,
      size: f.bytes.length,
      sha256: sha256Hex(f.bytes),
    })),
  };
}

/** The files as one zip, in the order given, with a fixed time (the same files give the same bytes). */
export function zip(files: PackageFile[], at: Date): Promise<Buffer> {
  const zipFile = new ZipFile();
  for (const f of files) zipFile.addBuffer(f.bytes, f.name, { mtime: at, mode: 0o100644 });
  zipFile.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zipFile.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zipFile.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zipFile.outputStream.on('error', reject);
  });
}
