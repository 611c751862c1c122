// Runs an import's conversion on a worker thread. The conversion (unzip, parse, join, check, hash,
// serialise) is CPU-bound and keeps ~100 MB of a kommun's shared tables alive; on the service's
// main thread it competed with the HTTP server and the staging for one core and, with the service's
// small heap, drove the collector through the whole import. On its own thread it uses the second
// core and its own heap, and the main thread only writes what arrives.
import { DomainError, type FieldError } from '../../common/problem/domain-error';
import type { ProblemType } from '../../common/problem/problem-types';
import type { ConversionSpec } from './conversion';
import type { StagedItem } from './import-jobs.repository';
import { startWorker } from '../../jobs/worker-thread';

export type WorkerMessage =
  | { type: 'batch'; items: StagedItem[] }
  | { type: 'done' }
  | {
      type: 'refused';
      error: { problem: ProblemType; code: string; detail: string; errors?: FieldError[] };
    };

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
  const inbox: WorkerMessage[] = [];
  let failure: Error | undefined;
  let exitCode: number | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  worker.on('message', (message: WorkerMessage) => {
    inbox.push(message);
    notify();
  });
  worker.on('error', (err) => {
    failure = err;
    notify();
  });
  worker.on('exit', (code) => {
    exitCode = code;
    notify();
  });
  try {
    for (;;) {
      const message = inbox.shift();
      if (!message) {
        if (failure) throw failure;
        if (exitCode !== undefined)
          throw new Error(`the conversion worker stopped (exit code ${exitCode}) before it finished`);
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (message.type === 'done') return;
      if (message.type === 'refused') {
        const { problem, code, detail, errors } = message.error;
        throw new DomainError(problem, code, detail, errors);
      }
      yield message.items;
      worker.postMessage({ type: 'ack' });
    }
  } finally {
    await worker.terminate();
  }
}
