import type { Readable } from 'node:stream';
import type { FieldError } from '../common/problem/domain-error';
import type { AccumulatingSection } from '../records/accumulating-sections';
import type { LearnerRecord } from '../records/learner-record.types';

/**
 * The port every format or vendor plugs into (one folder under src/adapters, one line in the
 * registry). An adapter only converts: it never touches the database, the HTTP layer or another
 * module. The import pipeline validates what it yields against the canonical schema, stages it and
 * writes it atomically; the export pipeline feeds it records the policy has already minimised.
 */

/** Sections of the canonical learner record (LearnerRecord's top-level properties). */
export type RecordSection =
  | 'pupil'
  | 'contact'
  | 'guardians'
  | 'enrolments'
  | 'groups'
  | 'grades'
  | 'assessments'
  | 'attendance'
  | 'supportMeasures'
  | 'achievements'
  | 'evidence';

/** Where something is in a source or target document: whichever fields apply. */
export interface Location {
  /** RFC 6901 JSON pointer (JSON formats), or into the canonical record. */
  pointer?: string;
  /** File name inside a bundle (CSV in a zip, a page of a paged collection). */
  file?: string;
  /** 1-based line (CSV: the physical line, header = 1) and column (CSV: 1-based field index). */
  line?: number;
  column?: number;
  /** CSV column header, or an XPath-like path for XML. */
  field?: string;
}

/**
 * One thing a conversion could not carry exactly. No conversion is silently lossy: everything the
 * target has no place for, every unknown code, every value out of range, is one entry.
 */
export interface LossEntry {
  kind: 'dropped' | 'approximated' | 'unknown-code' | 'out-of-range' | 'defaulted';
  /** Where it was in the input. */
  source: Location;
  /** Where it went (or would have gone) in the output, when there is such a place. */
  target?: Location;
  /** Why, for people: "OneRoster has no place for support measures". */
  detail: string;
  /** The pupil it concerns, by the canonical record's id in portabel, where the entry is about one pupil. */
  record?: string;
}

export type ImportItem =
  /** A pupil's record, with what its conversion lost. `source` says where it started in the input. */
  | { kind: 'record'; record: LearnerRecord; loss: LossEntry[]; source: Location }
  /** The source says this pupil is gone (OneRoster `tobedeleted`, SS 12000 deletedEntities). */
  | { kind: 'deletion'; sourcePlatform: string; sourceId: string; source: Location }
  /** One pupil could not be converted; the rest of the input goes on. */
  | { kind: 'rejected'; sourceId?: string; errors: FieldError[]; source: Location };

/** The bytes to import: a file, possibly large. Adapters read it as a stream or, for zips, by path. */
export interface AdapterInput {
  /** A fresh stream of the whole input each call. */
  open(): Readable;
  /** A path on disk holding the same bytes (zip readers need random access). */
  path: string;
  size: number;
  fileName?: string;
  mediaType?: string;
}

/** The platform a conversion is for: its registration in portabel, and the adapter's options. */
export interface PlatformContext {
  /** The registration's id: becomes `source.platform` of imported records and their provenance. */
  platformId: string;
  vendor?: string;
  product?: string;
  /** The adapter's options from the registration (validated against `optionsSchema`). */
  options: Record<string, unknown>;
}

export interface ImportContext extends PlatformContext {
  kommunCode: string;
  /** When the import runs: provenance `importedAt`, and the reference date for "current". */
  now: Date;
}

/** Signs as the kommun (VC-JWT for CLR). Keys never leave the keys module. */
export interface KommunSigner {
  /** Signs a JWT with the kommun's key; returns the compact JWS. `alg` defaults to the key's. */
  signJwt(
    payload: Record<string, unknown>,
    header: { typ: string; alg?: 'EdDSA' | 'RS256' | 'ES256' },
  ): Promise<string>;
  /** The `kid` URL that dereferences to the kommun's JWKS entry, and the issuer id (a URL). */
  keyId(alg?: 'EdDSA' | 'RS256' | 'ES256'): Promise<string>;
  issuer: string;
}

/** Verifies signatures of credentials an import receives (CLR / OB3 VC-JWTs). */
export interface CredentialVerifier {
  /** Resolves a `kid` URL or an embedded JWK and checks the signature; never throws on a bad proof. */
  verifyJwt(jwt: string): Promise<{
    status: 'verified' | 'failed' | 'unverified';
    method: string;
    detail?: string;
    payload?: unknown;
  }>;
}

export interface ExportContext extends PlatformContext {
  kommunCode: string;
  now: Date;
  /** Records a loss; the pipeline adds the report to the response and the bundle. */
  loss(entry: LossEntry): void;
  /**
   * The complete loss report of this export, as the JSON document (openapi: LossReport), streamed.
   * An adapter that writes a bundle (zip) adds it as its last entry, `loss-report.json`
   * (LOSS_REPORT_ENTRY), asked for only after the last record and the last loss; a single-document
   * format has no place for it, and the pipeline serves it beside the file.
   */
  lossReport?(): AsyncIterable<Buffer>;
  signer?: KommunSigner;
}

export interface ImportServices {
  verifier?: CredentialVerifier;
}

export interface VendorAdapter {
  /** Stable id, kebab-case: 'ss12000', 'oneroster-1.2', 'clr-2.0', 'xapi', 'google-classroom', 'elmo'. */
  name: string;
  /** The adapter's own version (semver), recorded in provenance. */
  version: string;
  title: string;
  /** Media types it reads and writes (an empty list: that direction is not supported). */
  mediaTypes: { import: string[]; export: string[] };
  /** Sections it can fill on import, and carry on export. */
  reads: RecordSection[];
  writes: RecordSection[];
  /**
   * Sections it reads whose items come one at a time (credentials, statements): a delta import adds
   * its items to what earlier imports from the platform brought (see accumulating-sections.ts).
   */
  accumulates?: readonly AccumulatingSection[];
  /** JSON Schema (2020-12) of its options in a platform registration, if it takes any. */
  optionsSchema?: Record<string, unknown>;
  /**
   * How sure the adapter is that these first bytes (up to 64 KB) and file name are its format,
   * 0 to 1: used when an upload does not name its format.
   */
  sniff?(head: Buffer, fileName?: string): number;
  /**
   * Reads the input and yields one item per pupil, in input order, streaming (never the whole
   * input in memory). Throws an AdapterInputError, with the place, when the input as a whole is
   * unreadable (truncated zip, wrong header, wrong encoding): then nothing is written.
   */
  import?(input: AdapterInput, ctx: ImportContext, services: ImportServices): AsyncIterable<ImportItem>;
  /**
   * Writes the records in the adapter's format, as a stream of chunks, deterministically (the same
   * records and context give byte-identical output). Losses go to ctx.loss.
   */
  export?(records: AsyncIterable<LearnerRecord>, ctx: ExportContext): AsyncIterable<string | Buffer>;
  /** The media type and file name extension of what export writes. */
  exportFormat?: { mediaType: string; extension: string };
}
