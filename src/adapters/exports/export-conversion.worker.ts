// Entry of the export worker thread (see export-thread.ts): runs the adapter's writer over the
// records the main thread sends, and sends back the output, the losses, and its signing requests.
import { parentPort, workerData } from 'node:worker_threads';
import { DomainError } from '../../common/problem/domain-error';
import { Credits, MessageQueue, refusalOf } from '../../jobs/worker-thread';
import type { LearnerRecord } from '../../records/learner-record.types';
import { WHOLE_KOMMUN } from '../../records/record-scope';
import { findAdapter } from '../registry';
import type { ExportContext, KommunSigner, LossEntry } from '../vendor-adapter.port';
import { WINDOW, type ExportSpec, type FromWriter, type ToWriter } from './export-thread';
import { unpackReleased, type ReleasedBatch } from './released-batch';

const LOSSES_PER_MESSAGE = 500;
const OUTPUT_CHUNK = 256 * 1024;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('export-conversion.worker runs only as a worker thread');
  const spec = workerData as ExportSpec;
  const post = (message: FromWriter) => port.postMessage(message);
  const incoming = new MessageQueue<ReleasedBatch>();
  // No more than the requester may see: a platform's grant, as its reads through the API.
  const scope = spec.sections ? { sections: new Set(spec.sections) } : WHOLE_KOMMUN;
  const report = new MessageQueue<Buffer>();
  const chunkCredits = new Credits(WINDOW);
  const answers = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  let nextId = 0;

  port.on('message', (message: ToWriter) => {
    switch (message.type) {
      case 'records':
        return incoming.push(message.batch);
      case 'end':
        return incoming.end();
      case 'chunkTaken':
        return chunkCredits.give();
      case 'reportChunk':
        return report.push(
          Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength),
        );
      case 'reportEnd':
        return report.end();
      case 'answer': {
        const waiting = answers.get(message.id);
        answers.delete(message.id);
        if (message.error !== undefined) waiting?.reject(new Error(message.error));
        else waiting?.resolve(message.value ?? '');
        return;
      }
    }
  });

  let losses: LossEntry[] = [];
  const flushLosses = () => {
    if (losses.length === 0) return;
    post({ type: 'loss', entries: losses });
    losses = [];
  };
  const ask = (
    request:
      | { type: 'sign'; payload: Record<string, unknown>; header: Parameters<KommunSigner['signJwt']>[1] }
      | { type: 'keyId'; alg?: Parameters<KommunSigner['keyId']>[0] },
  ) =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      answers.set(id, { resolve, reject });
      post({ ...request, id });
    });

  async function* records(): AsyncGenerator<LearnerRecord> {
    // Parsed when the writer comes to them: a batch waits as its bytes, a third of its objects' size.
    for await (const batch of incoming) {
      post({ type: 'recordsTaken' });
      yield* unpackReleased(batch, scope);
    }
  }

  const ctx: ExportContext = {
    kommunCode: spec.kommunCode,
    platformId: spec.platformId,
    options: spec.options,
    now: new Date(spec.now),
    loss: (entry) => {
      losses.push(entry);
      if (losses.length >= LOSSES_PER_MESSAGE) flushLosses();
    },
    lossReport: () => {
      // Every loss is with the main thread before it writes the report.
      flushLosses();
      post({ type: 'lossReport' });
      return report;
    },
    ...(spec.signerIssuer !== undefined
      ? {
          signer: {
            issuer: spec.signerIssuer,
            signJwt: (payload, header) => ask({ type: 'sign', payload, header }),
            keyId: (alg) => ask({ type: 'keyId', alg }),
          } satisfies KommunSigner,
        }
      : {}),
  };

  try {
    const adapter = findAdapter(spec.adapter);
    if (!adapter?.export) throw new Error(`adapter ${spec.adapter} cannot export`);
    // Writers yield small pieces (a line per person): they cross to the main thread in chunks.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const send = async () => {
      flushLosses();
      if (pendingBytes === 0) return;
      const data = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await chunkCredits.take();
      post({ type: 'chunk', data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    };
    for await (const piece of adapter.export(records(), ctx)) {
      const data = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      pending.push(data);
      pendingBytes += data.length;
      if (pendingBytes >= OUTPUT_CHUNK) await send();
    }
    await send();
    post({ type: 'done' });
  } catch (err) {
    if (!(err instanceof DomainError)) throw err; // reaches the main thread as the worker's 'error'
    flushLosses();
    post(refusalOf(err));
  }
}

// A rejection ends the thread with the error, which the main thread reports.
void main();
