import { parseStrictJson } from '../../common/http/strict-json';
import { DomainError } from '../../common/problem/domain-error';
import { ndjsonLines } from '../../common/http/ndjson-lines';
import type { LearnerRecord } from '../../records/learner-record.types';
import { AdapterInputError } from '../adapter-input.errors';
import type {
  AdapterInput,
  ExportContext,
  ImportContext,
  ImportItem,
  ImportServices,
  VendorAdapter,
} from '../vendor-adapter.port';
import { clrCredential, draftClr, jwtPayload, type IssuerFacts } from './clr-2.0.mapper';
import {
  CLR_ADAPTER_NAME,
  CLR_ADAPTER_VERSION,
  readCredential,
  typeList,
  type ClrImportOptions,
  type ReceivedCredential,
} from './clr-2.0.reader';
import { ALLOWED_ALGORITHMS, isObject, looksLikeCompactJws, type AllowedAlgorithm } from './vc-jwt.verifier';

/** A JSON credential is parsed whole; one pupil's CLR is far below this. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;
/** One VC-JWT per line: a pupil with thousands of grades stays well below this. */
const MAX_JWT_LINE_BYTES = 8 * 1024 * 1024;
const BOM = '\ufeff';

interface ClrOptions extends ClrImportOptions {
  alg?: AllowedAlgorithm;
  issuerName?: string;
}

/**
 * 1EdTech Comprehensive Learner Record 2.0 with Open Badges 3.0 (VCDM 2.0).
 *
 * Export: per pupil one ClrCredential, signed as VC-JWT (OB 3.0 §8.2: header alg, kid, typ "JWT"; the
 * payload is the credential with iss, jti, nbf and sub restating it) with the kommun's key, holding an
 * AchievementCredential per grade, each signed the same way, and the verifiable credentials the pupil
 * already holds, as received. Several pupils: one compact JWS per line (LF between them, none after the
 * last), so a single pupil's export is exactly one VC-JWT.
 *
 * Import: lines of VC-JWTs, or one JSON credential (OB 3.0 or CLR 2.0, whose nested credentials may be
 * VC-JWT strings). Each top-level credential is one pupil; it and every credential inside it become an
 * achievement kept as received, with the result of verifying it.
 */
export const clrAdapter: VendorAdapter = {
  name: CLR_ADAPTER_NAME,
  version: CLR_ADAPTER_VERSION,
  title: '1EdTech CLR 2.0 / Open Badges 3.0 (VC-JWT)',
  mediaTypes: { import: ['application/vc+jwt', 'application/json'], export: ['application/vc+jwt'] },
  reads: ['achievements'],
  accumulates: ['achievements'],
  writes: ['pupil', 'grades', 'achievements'],
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      alg: {
        description:
          'Signing algorithm of exported credentials; RS256 (default) is the one every OB 3.0 verifier supports.',
        enum: [...ALLOWED_ALGORITHMS],
      },
      issuerName: {
        description: "The kommun's name in the credentials' issuer profile.",
        type: 'string',
        minLength: 1,
        maxLength: 200,
      },
      pupilSourceId: {
        description:
          'Import: the id of the pupil an imported credential belongs to, when it is one credential.',
        type: 'string',
        minLength: 1,
        maxLength: 256,
      },
      pupilCivicNo: {
        description: 'Import: the pupil’s civic number; a hashed one in the credential must match it.',
        type: 'string',
        pattern: '^[0-9]{12}$',
      },
    },
  },
  sniff: sniffClr,
  import: importClr,
  export: exportClr,
  exportFormat: { mediaType: 'application/vc+jwt', extension: 'jwt' },
};

function sniffClr(head: Buffer, fileName?: string): number {
  const text = head.toString('utf8').replace(BOM, '').trimStart();
  const byName = fileName?.toLowerCase().endsWith('.jwt') ? 0.1 : 0;
  if (text.startsWith('eyJ')) {
    const firstLine = text.split('\n')[0].trim();
    const segments = firstLine.split('.');
    if (segments.length < 2) return 0.1 + byName;
    const payloadStart = Buffer.from(segments[1].slice(0, 4000), 'base64url').toString('utf8');
    if (/"(ClrCredential|AchievementCredential|OpenBadgeCredential)"/.test(payloadStart)) return 0.9 + byName;
    return (payloadStart.includes('VerifiableCredential') ? 0.6 : 0.2) + byName;
  }
  if (!text.startsWith('{') || !text.includes('"@context"')) return 0;
  if (/"(ClrCredential|AchievementCredential|OpenBadgeCredential)"/.test(text)) return 0.9;
  return text.includes('"VerifiableCredential"') ? 0.5 : 0;
}

async function* importClr(
  input: AdapterInput,
  ctx: ImportContext,
  services: ImportServices,
): AsyncIterable<ImportItem> {
  const options = ctx.options as ClrOptions;
  const first = await firstByte(input);
  if (first === undefined)
    throw new AdapterInputError('CLR.EMPTY', 'The file is empty.', [
      { ...inFile(input), line: 1, column: 1, detail: 'no credential' },
    ]);
  const received = first === '{' ? [await jsonCredential(input)] : jwtLines(input);

  const seen = new Map<string, number>();
  let count = 0;
  for await (const item of received) {
    if ('kind' in item) {
      yield item;
      continue;
    }
    count++;
    if (count > 1 && options.pupilSourceId !== undefined) {
      throw new AdapterInputError(
        'CLR.AMBIGUOUS_PUPIL',
        'The option pupilSourceId names one pupil, but the file holds more than one credential.',
        [
          {
            ...inFile(input),
            line: item.at.line,
            detail: 'a second credential; import one at a time with pupilSourceId',
          },
        ],
      );
    }
    const result = await readCredential(item, ctx, services);
    if (result.kind === 'record') {
      const firstLine = seen.get(result.record.source.id);
      if (firstLine !== undefined) {
        yield {
          kind: 'rejected',
          sourceId: result.record.source.id,
          source: item.at,
          errors: [
            { line: item.at.line, detail: `the same pupil as line ${firstLine}: one credential per pupil` },
          ],
        };
        continue;
      }
      seen.set(result.record.source.id, item.at.line ?? 1);
    }
    yield result;
  }
}

const inFile = (input: AdapterInput): { file?: string } => (input.fileName ? { file: input.fileName } : {});

async function firstByte(input: AdapterInput): Promise<string | undefined> {
  const stream = input.open();
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const text = chunk.toString('utf8').replace(BOM, '').trimStart();
      if (text.length > 0) return text[0];
    }
    return undefined;
  } finally {
    stream.destroy();
  }
}

async function jsonCredential(input: AdapterInput): Promise<ReceivedCredential> {
  if (input.size > MAX_JSON_BYTES) {
    throw new AdapterInputError(
      'CLR.TOO_LARGE',
      `A JSON credential may be at most ${MAX_JSON_BYTES} bytes.`,
      [{ ...inFile(input), detail: `the file has ${input.size} bytes` }],
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of input.open() as AsyncIterable<Buffer>) chunks.push(chunk);
  let bytes = Buffer.concat(chunks);
  if (bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))) bytes = bytes.subarray(3);
  let value: unknown;
  try {
    value = parseStrictJson(bytes);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    // The parser's place (line/column, or a pointer) is kept; the file name says which upload.
    throw new AdapterInputError(
      error.code.replace(/^BODY\./, 'CLR.'),
      error.detail,
      (error.errors ?? [{ detail: error.detail }]).map((e) => ({ ...inFile(input), ...e })),
    );
  }
  if (!isObject(value) || !typeList(value).includes('VerifiableCredential')) {
    throw new AdapterInputError('CLR.NOT_A_CREDENTIAL', 'The JSON is not a verifiable credential.', [
      { ...inFile(input), pointer: '/type', detail: 'must include VerifiableCredential' },
    ]);
  }
  return { raw: value, at: { pointer: '' } };
}

/**
 * Compact JWS lines, streamed. The first line decides the format: if it is not a JWT the file is not
 * this format at all; a later bad line only rejects itself.
 */
async function* jwtLines(input: AdapterInput): AsyncGenerator<ReceivedCredential | ImportItem> {
  let seenCredential = false;
  for await (const { number, bytes } of ndjsonLines(input.open(), MAX_JWT_LINE_BYTES)) {
    if (bytes === undefined) {
      const detail = `the line is longer than ${MAX_JWT_LINE_BYTES} bytes`;
      if (!seenCredential)
        throw new AdapterInputError('CLR.LINE_TOO_LONG', detail, [
          { ...inFile(input), line: number, detail },
        ]);
      yield { kind: 'rejected', source: { line: number }, errors: [{ line: number, detail }] };
      continue;
    }
    const text = bytes
      .toString('latin1')
      .replace(/^\u00ef\u00bb\u00bf/, '')
      .trim();
    if (text === '') continue;
    if (!looksLikeCompactJws(text)) {
      const detail = 'is not a compact JWS (VC-JWT)';
      if (!seenCredential)
        throw new AdapterInputError('CLR.NOT_A_CREDENTIAL', `Line ${number} ${detail}.`, [
          { ...inFile(input), line: number, detail },
        ]);
      yield { kind: 'rejected', source: { line: number }, errors: [{ line: number, detail }] };
      continue;
    }
    seenCredential = true;
    yield { raw: text, at: { line: number } };
  }
}

async function* exportClr(records: AsyncIterable<LearnerRecord>, ctx: ExportContext): AsyncIterable<string> {
  const signer = ctx.signer;
  // A wiring fault, not a client's: the export pipeline always hands this adapter the kommun's signer.
  if (!signer) throw new Error('clr-2.0 export needs the kommun signer (ExportContext.signer)');
  const options = ctx.options as ClrOptions;
  const alg = options.alg ?? 'RS256';
  const issuer: IssuerFacts = {
    id: signer.issuer,
    kommunCode: ctx.kommunCode,
    ...(options.issuerName ? { name: options.issuerName } : {}),
  };
  let first = true;
  for await (const record of records) {
    const draft = draftClr(record, issuer);
    for (const entry of draft.loss) ctx.loss(entry);
    if (!('subject' in draft)) continue;
    const signed: string[] = [];
    for (const credential of draft.gradeCredentials) {
      signed.push(await signer.signJwt(jwtPayload(credential), { typ: 'JWT', alg }));
    }
    const clr = clrCredential(draft.subject, [...signed, ...draft.heldCredentials], issuer, ctx.now);
    const jwt = await signer.signJwt(jwtPayload(clr), { typ: 'JWT', alg });
    yield first ? jwt : `\n${jwt}`;
    first = false;
  }
}
