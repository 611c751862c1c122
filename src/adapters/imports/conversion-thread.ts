// Runs an import's conversion on a worker thread. The conversion (unzip, parse, join, check, hash,
// serialise) is CPU-bound and keeps ~100 MB of a kommun's shared tables alive; on the service's
// main thread it competed with the HTTP server and the staging for one core and, with the service's
// small heap, drove the collector through the whole import. On its own thread it uses the second
// core and its own heap, and the main thread only writes what arrives.
import { errorOf, MessageQueue, startWorker, watchWorker, type Refusal } from '../../jobs/worker-thread';
import type { ConversionSpec } from './conversion';
import type { StagedItem } from './import-jobs.repository';

export type WorkerMessage = { type: 'batch'; items: StagedItem[] } | { type: 'done' } | Refusal;

export interface WorkerLimits {
  /** The worker's own old-generation heap, in MB. */
  heapMb: number;
}

/**
 * The staged rows of an import, batch by batch, converted on a worker thread. The worker runs at
 * most two batches ahead; a refusal of the input as a whole comes back as the DomainError it was,
 * and ending the iteration early stops the worker.
 */
export async function* convertInWorker(
  spec: ConversionSpec,
  limits: WorkerLimits,
): AsyncGenerator<StagedItem[]> {
  const worker = startWorker(__dirname, 'conversion.worker', spec, limits.heapMb);
  const batches = new MessageQueue<StagedItem[]>();
  let stopped = false;
  worker.on('message', (message: WorkerMessage) => {
    if (message.type === 'batch') batches.push(message.items);
    else if (message.type === 'done') batches.end();
    else batches.fail(errorOf(message));
  });
  watchWorker(worker, batches, 'conversion worker', () => stopped);
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
