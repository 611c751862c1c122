// Runs an import's conversion on a worker thread. The conversion (unzip, parse, join, check, hash,
// serialise) is CPU-bound and keeps ~100 MB of a kommun's shared tables alive; on the service's
// main thread it competed with the HTTP server and the staging for one core and, with the service's
// small heap, drove the collector through the whole import. On its own thread it uses the second
// core and its own heap, and the main thread only writes what arrives.
import { DomainError } from '../../common/problem/domain-error';
import {
  errorOf,
  MessageQueue,
  processHeapFlagMb,
  startWorker,
  watchWorker,
  type Refusal,
} from '../../jobs/worker-thread';
import { ADAPTER_PROBLEMS } from '../adapters.errors';
import type { ConversionSpec } from './conversion';
import type { StagedRow } from './staged-batch';

export type WorkerMessage = { type: 'batch'; rows: StagedRow[] } | { type: 'done' } | Refusal;

export interface WorkerLimits {
  /** The worker's own old-generation heap, in MB, as asked for (processHeapFlagMb says when it holds). */
  heapMb: number;
}

/**
 * The staged rows of an import, batch by batch, converted on a worker thread (each record as jsonb
 * bytes, see staged-batch.ts). The worker runs at most two batches ahead; a refusal of the input as
 * a whole comes back as the DomainError it was, and ending the iteration early stops the worker.
 */
export async function* convertInWorker(
  spec: ConversionSpec,
  limits: WorkerLimits,
): AsyncGenerator<StagedRow[]> {
  const worker = startWorker(__dirname, 'conversion.worker', spec, limits.heapMb);
  const batches = new MessageQueue<StagedRow[]>();
  let stopped = false;
  worker.on('message', (message: WorkerMessage) => {
    if (message.type === 'batch') batches.push(message.rows);
    else if (message.type === 'done') batches.end();
    else batches.fail(errorOf(message));
  });
  // Out of its heap, the same input fails the same way every time: the job fails with the reason
  // (a retry would only repeat it), and nothing is written.
  watchWorker(
    worker,
    batches,
    'conversion worker',
    () => stopped,
    () => tooLarge(spec, limits),
  );
  try {
    for await (const items of batches) {
      yield items;
      worker.postMessage({ type: 'ack' });
    }
  } finally {
    stopped = true;
    await worker.terminate();
  }
}

function tooLarge(spec: ConversionSpec, limits: WorkerLimits): DomainError {
  const flag = processHeapFlagMb();
  const limit =
    flag !== undefined
      ? `${flag} MB: node's --max-old-space-size, which V8 applies to every thread`
      : `${limits.heapMb} MB, CONVERSION_WORKER_HEAP_MB`;
  const detail =
    `Converting this ${Math.round(spec.size / 2 ** 20)} MB input (${spec.adapter}) needs more memory than ` +
    `a conversion may use (${limit}). Import it in smaller parts (one school unit or collection at a ` +
    'time), or ask the operator to raise the limit. Nothing was written.';
  return new DomainError(ADAPTER_PROBLEMS.importTooLarge, 'IMPORT.TOO_LARGE', detail, [
    { ...(spec.fileName !== undefined ? { file: spec.fileName } : {}), pointer: '', detail },
  ]);
}
