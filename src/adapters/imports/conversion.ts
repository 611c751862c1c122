// The CPU-bound half of an import: an adapter's items turned into rows to stage. Pure (no database,
// no Nest), so it runs the same inside the conversion worker and in the tests of its parts.
import { createReadStream } from 'node:fs';
import { DomainError, type FieldError } from '../../common/problem/domain-error';
import { checkRecord, prepareRecord } from '../../records/record-intake';
import type { ProvenanceDefaults } from '../../records/record-content';
import { ADAPTER_PROBLEMS } from '../adapters.errors';
import { findAdapter } from '../registry';
import type { AdapterInput, ImportItem } from '../vendor-adapter.port';
import type { StagedItem } from './import-jobs.repository';

/** Everything a conversion needs, as plain data (it crosses to the worker thread). */
export interface ConversionSpec {
  adapter: string;
  path: string;
  size: number;
  fileName?: string;
  mediaType?: string;
  kommunCode: string;
  platformId: string;
  options: Record<string, unknown>;
  /** ISO time: the job's creation, not the clock, so a resumed job produces the same records again. */
  now: string;
  /** Items already staged by an earlier attempt: skipped before they cost a check. */
  resumeAfter: number;
  batchSize: number;
}

/** The staged rows of the input in order, in batches of `batchSize`, numbered from 1. */
export async function* convertForStaging(spec: ConversionSpec): AsyncGenerator<StagedItem[]> {
  const adapter = findAdapter(spec.adapter);
  if (!adapter?.import) {
    throw new DomainError(
      ADAPTER_PROBLEMS.directionUnsupported,
      'IMPORT.UNSUPPORTED',
      `Adapter ${spec.adapter} cannot import.`,
    );
  }
  const input: AdapterInput = {
    open: () => createReadStream(spec.path),
    path: spec.path,
    size: spec.size,
    fileName: spec.fileName,
    mediaType: spec.mediaType,
  };
  const ctx = {
    kommunCode: spec.kommunCode,
    platformId: spec.platformId,
    options: spec.options,
    now: new Date(spec.now),
  };
  const provenance: ProvenanceDefaults = {
    adapter: adapter.name,
    adapterVersion: adapter.version,
    importedAt: spec.now,
  };
  let seq = 0;
  let batch: StagedItem[] = [];
  for await (const item of adapter.import(input, ctx, {})) {
    seq++;
    if (seq <= spec.resumeAfter) continue;
    batch.push(toStaged(seq, item, provenance));
    if (batch.length >= spec.batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

export function toStaged(seq: number, item: ImportItem, provenance: ProvenanceDefaults): StagedItem {
  const base = {
    seq,
    loss: [] as unknown[],
    errors: [] as unknown[],
    location: { ...item.source } as Record<string, unknown>,
  };
  if (item.kind === 'deletion')
    return { ...base, kind: 'deletion', sourceId: item.sourceId, contentHash: null, recordJson: null };
  if (item.kind === 'rejected') {
    return {
      ...base,
      kind: 'rejected',
      sourceId: item.sourceId ?? null,
      contentHash: null,
      recordJson: null,
      errors: item.errors,
    };
  }
  try {
    // checkRecord returns at once a record the adapter already checked with checkCandidate.
    const prepared = prepareRecord(checkRecord(item.record), provenance);
    return {
      ...base,
      kind: 'record',
      sourceId: prepared.row.sourceId,
      contentHash: prepared.row.contentHash,
      recordJson: prepared.row.recordJson,
      loss: item.loss,
    };
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    // The adapter made something the canonical model refuses: the pupil is rejected, at its place.
    const errors: FieldError[] = (err.errors ?? [{ detail: err.detail }]).map((e) => ({
      ...item.source,
      ...e,
    }));
    return {
      ...base,
      kind: 'rejected',
      sourceId: item.record.source?.id ?? null,
      contentHash: null,
      recordJson: null,
      errors,
      loss: item.loss,
    };
  }
}
