import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DomainError, type FieldError } from '../common/problem/domain-error';
import type { ProblemType } from '../common/problem/problem-types';

/**
 * Starts `<dir>/<name>.js` as a worker thread with its own heap of `heapMb`. From the TypeScript
 * sources (jest runs them) there is no .js: the worker then compiles the sources as it loads them.
 */
export function startWorker(dir: string, name: string, workerData: unknown, heapMb: number): Worker {
  const options = { workerData, resourceLimits: { maxOldGenerationSizeMb: heapMb } };
  const compiled = join(dir, `${name}.js`);
  if (existsSync(compiled)) return new Worker(compiled, options);
  const source = join(dir, `${name}.ts`);
  return new Worker(`require('@swc-node/register'); require(${JSON.stringify(source)});`, {
    ...options,
    eval: true,
  });
}

/**
 * --max-old-space-size as node was started (NODE_OPTIONS, then its arguments; the last one counts).
 * V8 applies it to every isolate, over a worker's own resourceLimits: measured, under
 * `node --max-old-space-size=256` a worker asked for 2048 MB and one asked for 96 MB both get 256 MB.
 * Only without the flag does a worker's own limit (CONVERSION_WORKER_HEAP_MB) hold.
 */
export function processHeapFlagMb(): number | undefined {
  let found: number | undefined;
  for (const word of [...(process.env.NODE_OPTIONS ?? '').split(/\s+/), ...process.execArgv]) {
    const match = /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(word);
    if (match) found = Number(match[1]);
  }
  return found;
}

/** A queue one side fills from messages and the other reads as an async iterable. */
export class MessageQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  push(item: T): void {
    this.items.push(item);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(err: unknown): void {
    this.failure ??= err instanceof Error ? err : new Error(String(err));
    this.notify();
  }

  private notify(): void {
    this.wake?.();
    this.wake = undefined;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      if (this.items.length > 0) {
        yield this.items.shift() as T;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** Counts what the other side may still send; `take` waits for a credit. */
export class Credits {
  private wake: (() => void) | undefined;

  constructor(private available: number) {}

  async take(): Promise<void> {
    while (this.available === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    this.available--;
  }

  give(): void {
    this.available++;
    this.wake?.();
    this.wake = undefined;
  }
}

/** A DomainError as it crosses from a worker: the refusal of an input or an export as a whole. */
export interface Refusal {
  type: 'refused';
  error: { problem: ProblemType; code: string; detail: string; errors?: FieldError[] };
}

export function refusalOf(err: DomainError): Refusal {
  const { problem, code, detail, errors } = err;
  return { type: 'refused', error: { problem, code, detail, errors } };
}

export function errorOf(refusal: Refusal): DomainError {
  const { problem, code, detail, errors } = refusal.error;
  return new DomainError(problem, code, detail, errors);
}

/**
 * Fails `queue` when the worker throws, or stops before `stopped()` says the main thread stopped it
 * (a worker ends only when terminated: its message port keeps it alive). A worker out of its heap
 * fails it with `outOfMemory()` when given: the same work would run out the same way again.
 */
export function watchWorker(
  worker: Worker,
  queue: MessageQueue<unknown>,
  name: string,
  stopped: () => boolean,
  outOfMemory?: () => Error,
): void {
  worker.on('error', (err: Error & { code?: string }) =>
    queue.fail(outOfMemory && err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? outOfMemory() : err),
  );
  worker.on('exit', (code) => {
    if (!stopped()) queue.fail(new Error(`the ${name} stopped (exit code ${code}) before it finished`));
  });
}
