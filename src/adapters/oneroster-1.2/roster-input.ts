// Which binding an input is, and opening it as a RosterSource: a CSV zip (manifest.csv), a zip of REST
// JSON responses, or one REST JSON response.
import { readFile } from 'node:fs/promises';
import type { AdapterInput } from '../vendor-adapter.port';
import { firstInvalid } from './csv-reader';
import { CsvRosterSource } from './csv-source';
import { JsonRosterSource } from './json-source';
import type { RosterSource } from './oneroster-1.2.entities';
import { inputError, OR_ERRORS } from './oneroster-1.2.errors';
import type { OneRosterOptions } from './oneroster-1.2.options';
import { ZipArchive } from './zip-archive';

/** Largest JSON document read whole: REST pages are a few MB; more than this is not a response page. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

export async function openRoster(input: AdapterInput, opts: OneRosterOptions): Promise<RosterSource> {
  const head = await readHead(input.path, 8);
  const file = input.fileName ?? (isZip(head) ? 'input.zip' : 'input.json');
  if (isZip(head)) {
    const zip = await ZipArchive.open(input.path, file);
    try {
      if (zip.has('manifest.csv') || !zip.names().some((n) => n.toLowerCase().endsWith('.json')))
        return await CsvRosterSource.open(zip, {
          maxFieldBytes: opts.maxFieldBytes,
          fieldAliases: opts.fieldAliases,
        });
      const names = zip
        .names()
        .filter((n) => n.toLowerCase().endsWith('.json'))
        .sort();
      const documents = [];
      for (const name of names) {
        const bytes = await readAll(await zip.openEntry(name.split('/').pop() ?? name), name);
        documents.push({ file: name, json: parseJson(bytes, name, opts.maxFieldBytes) });
      }
      zip.close();
      return new JsonRosterSource(documents);
    } catch (error) {
      zip.close();
      throw error;
    }
  }
  if (firstNonSpace(head) === 0x7b || firstNonSpace(head) === 0xef) {
    if (input.size > MAX_JSON_BYTES)
      throw inputError(
        OR_ERRORS.tooLarge,
        `${file} is larger than ${MAX_JSON_BYTES} bytes: send a zip of response pages`,
        { file },
      );
    const bytes = await readFile(input.path);
    return new JsonRosterSource([{ file, json: parseJson(bytes, file, opts.maxFieldBytes) }]);
  }
  if (input.fileName?.toLowerCase().endsWith('.zip') || input.mediaType === 'application/zip')
    throw inputError(OR_ERRORS.badZip, `${file} is not a readable zip: it does not begin with a zip header`, {
      file,
    });
  throw inputError(OR_ERRORS.unrecognised, `${file} is neither a OneRoster CSV zip nor OneRoster JSON`, {
    file,
  });
}

export function isZip(head: Buffer): boolean {
  return (
    head.length >= 4 &&
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    (head[2] === 3 || head[2] === 5) &&
    (head[3] === 4 || head[3] === 6)
  );
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function firstNonSpace(head: Buffer): number | undefined {
  return head.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
}

async function readAll(stream: NodeJS.ReadableStream, file: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES)
      throw inputError(OR_ERRORS.tooLarge, `${file} is larger than ${MAX_JSON_BYTES} bytes`, { file });
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/** UTF-8 only (a BOM is skipped); a syntax error or a bad byte is refused with its line. */
export function parseJson(bytes: Buffer, file: string, maxFieldBytes: number): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalid(bytes);
    throw inputError(
      OR_ERRORS.encoding,
      `${file} is not UTF-8 (a byte at offset ${offset} is not): re-export as UTF-8`,
      {
        file,
        line: lineAt(bytes.subarray(0, offset).toString('latin1')),
      },
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const line = position ? lineAt(text.slice(0, Number(position[1]))) : undefined;
    throw inputError(OR_ERRORS.badJson, `${file} is not valid JSON: ${message}`, {
      file,
      ...(line ? { line } : {}),
    });
  }
  const long = longString(json, '', maxFieldBytes);
  if (long !== undefined)
    throw inputError(OR_ERRORS.fieldTooLarge, `${file}: a string is larger than ${maxFieldBytes} bytes`, {
      file,
      pointer: long,
    });
  return json;
}

function longString(value: unknown, pointer: string, max: number): string | undefined {
  if (typeof value === 'string') return value.length > max ? pointer : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = longString(value[i], `${pointer}/${i}`, max);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object')
    for (const [key, child] of Object.entries(value)) {
      const found = longString(child, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, max);
      if (found !== undefined) return found;
    }
  return undefined;
}

function lineAt(prefix: string): number {
  let n = 1;
  for (let i = prefix.indexOf('\n'); i >= 0; i = prefix.indexOf('\n', i + 1)) n++;
  return n;
}
