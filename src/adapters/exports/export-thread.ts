// Runs an export's adapter (the writer) on a worker thread. The writers are CPU-bound (one row per
// grade, name-based ids, sorting on disk, zip) and the OneRoster one keeps the kommun's shared rows;
// on the main thread, with the service's small heap, the collector took a fifth of an export. The
// main thread reads, decides and audits (the database's work), the worker writes, each on a core.
import type { Worker } from 'node:worker_threads';
import {
  Credits,
  errorOf,
  MessageQueue,
  startWorker,
  watchWorker,
  type Refusal,
} from '../../jobs/worker-thread';
import type { ExportContext, KommunSigner, LossEntry } from '../vendor-adapter.port';
import type { ReleasedRecord } from './export-record.source';
import { packReleased, type ReleasedBatch } from './released-batch';

/** What the worker needs to know, as plain data. */
export interface ExportSpec {
  adapter: string;
  kommunCode: string;
  platformId: string;
  options: Record<string, unknown>;
  now: string;
  /** The kommun's issuer when a signer is at hand (CLR); signing itself stays on the main thread. */
  signerIssuer?: string;
  /** The sections the requester was granted (a platform's grant); null: all. */
  sections: string[] | null;
}

type SignRequest =
  | {
      type: 'sign';
      id: number;
      payload: Record<string, unknown>;
      header: Parameters<KommunSigner['signJwt']>[1];
    }
  | { type: 'keyId'; id: number; alg?: Parameters<KommunSigner['keyId']>[0] };

/** Worker → main. */
export type FromWriter =
  | { type: 'recordsTaken' }
  | { type: 'loss'; entries: LossEntry[] }
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'lossReport' }
  | SignRequest
  | { type: 'done' }
  | Refusal;

/** Main → worker. */
export type ToWriter =
  | { type: 'records'; batch: ReleasedBatch }
  | { type: 'end' }
  | { type: 'chunkTaken' }
  | { type: 'reportChunk'; data: Uint8Array }
  | { type: 'reportEnd' }
  | { type: 'answer'; id: number; value?: string; error?: string };

const RECORDS_PER_MESSAGE = 100;
/** Messages of records the worker may have unread; chunks of output the main thread may have unstored. */
export const WINDOW = 4;
const REPORT_CHUNK = 256 * 1024;

/**
 * The adapter's output for these records, written on a worker thread: the chunks as they come. The
 * records cross as their bytes and are parsed, and cut to what may go, there (released-batch.ts).
 * Losses go to `ctx.loss` in order, `ctx.lossReport` is streamed to the worker when the adapter asks
 * for it, and the kommun's signer signs for it here. Ending the iteration early stops the worker.
 */
export async function* exportInWorker(
  spec: ExportSpec,
  records: AsyncIterable<ReleasedRecord>,
  ctx: ExportContext,
  heapMb: number,
): AsyncGenerator<Buffer> {
  const worker = startWorker(__dirname, 'export-conversion.worker', spec, heapMb);
  const output = new MessageQueue<Buffer>();
  const recordCredits = new Credits(WINDOW);
  const post = (message: ToWriter, transfer: ArrayBuffer[] = []) => worker.postMessage(message, transfer);
  const send = async (records: ReleasedRecord[]) => {
    await recordCredits.take();
    const { batch, buffer } = packReleased(records);
    post({ type: 'records', batch }, [buffer]);
  };
  let stopped = false;

  worker.on('message', (message: FromWriter) => {
    switch (message.type) {
      case 'recordsTaken':
        return recordCredits.give();
      case 'loss':
        for (const entry of message.entries) ctx.loss(entry);
        return;
      case 'chunk':
        return output.push(
          Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength),
        );
      case 'lossReport':
        return void streamReport(worker, ctx).catch((err: unknown) => output.fail(err));
      case 'sign':
      case 'keyId':
        return void answer(worker, ctx.signer, message);
      case 'done':
        return output.end();
      case 'refused':
        return output.fail(errorOf(message));
    }
  });
  watchWorker(worker, output, 'export worker', () => stopped);

  // Records go over in messages of a hundred, at most WINDOW messages ahead of the writer.
  const feeding = (async () => {
    let batch: ReleasedRecord[] = [];
    for await (const record of records) {
      if (stopped) return;
      batch.push(record);
      if (batch.length < RECORDS_PER_MESSAGE) continue;
      await send(batch);
      batch = [];
    }
    if (batch.length > 0) await send(batch);
    post({ type: 'end' });
  })();
  feeding.catch((err: unknown) => output.fail(err));

  try {
    for await (const chunk of output) {
      yield chunk;
      post({ type: 'chunkTaken' });
    }
    await feeding;
  } finally {
    stopped = true;
    recordCredits.give(); // a feeder waiting for a credit sees `stopped` and ends
    await worker.terminate();
  }
}

async function streamReport(worker: Worker, ctx: ExportContext): Promise<void> {
  if (!ctx.lossReport) throw new Error('the adapter asked for a loss report the export does not keep');
  // The report comes an entry at a time: it crosses in chunks.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const send = () => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    worker.postMessage({
      type: 'reportChunk',
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    } satisfies ToWriter);
  };
  for await (const piece of ctx.lossReport()) {
    pending.push(piece);
    pendingBytes += piece.length;
    if (pendingBytes >= REPORT_CHUNK) send();
  }
  send();
  worker.postMessage({ type: 'reportEnd' } satisfies ToWriter);
}

async function answer(worker: Worker, signer: KommunSigner | undefined, request: SignRequest): Promise<void> {
  const reply = (value: { value?: string; error?: string }) =>
    worker.postMessage({ type: 'answer', id: request.id, ...value } satisfies ToWriter);
  try {
    if (!signer) throw new Error('this export has no signer');
    reply({
      value:
        request.type === 'sign'
          ? await signer.signJwt(request.payload, request.header)
          : await signer.keyId(request.alg),
    });
  } catch (err) {
    reply({ error: err instanceof Error ? err.message : String(err) });
  }
}
