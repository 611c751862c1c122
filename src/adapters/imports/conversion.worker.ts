// Entry of the conversion worker thread (see conversion-thread.ts): converts one import's input and
// posts the staged rows back in batches, never more than WINDOW batches ahead of the staging.
import { parentPort, workerData } from 'node:worker_threads';
import { DomainError } from '../../common/problem/domain-error';
import { Credits, refusalOf } from '../../jobs/worker-thread';
import { convertForStaging, type ConversionSpec } from './conversion';
import type { WorkerMessage } from './conversion-thread';
import { packBatch } from './staged-batch';

const WINDOW = 2;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('conversion.worker runs only as a worker thread');
  const credits = new Credits(WINDOW);
  port.on('message', (message: { type: 'ack' }) => {
    if (message.type === 'ack') credits.give();
  });
  const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  try {
    for await (const items of convertForStaging(workerData as ConversionSpec)) {
      await credits.take();
      const { rows, buffer } = packBatch(items);
      post({ type: 'batch', rows }, [buffer]);
    }
    post({ type: 'done' });
  } catch (err) {
    if (!(err instanceof DomainError)) throw err; // reaches the main thread as the worker's 'error'
    post(refusalOf(err));
  }
}

// A rejection ends the thread with the error, which the main thread reports.
void main();
