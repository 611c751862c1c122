import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LossEntry } from '../vendor-adapter.port';

/** The file name of the loss report inside an exported bundle (zip). */
export const LOSS_REPORT_ENTRY = 'loss-report.json';

/** Version of the loss report document (openapi: components/schemas/LossReport). */
export const LOSS_REPORT_VERSION = '1.0';

export type LossKind = LossEntry['kind'];

/** What a report says about itself: the `meta` every portabel export carries, and what it is of. */
export interface LossReportHead {
  meta: { schemaVersion: string; createdAt: string; generator: string };
  direction: 'import' | 'export';
  adapter: string;
}

/** The loss report (openapi: components/schemas/LossReport): in the job resource, and whole with the file. */
export interface LossReport extends LossReportHead {
  count: number;
  byKind: Partial<Record<LossKind, number>>;
  /** Whether `entries` lists every entry (a job resource lists only the first ones; the file all). */
  complete: boolean;
  entries: LossEntry[];
}

/** Entries written to disk in pieces of about this many bytes. */
const SPILL_BYTES = 256 * 1024;

/**
 * Collects the losses of one conversion without holding them all: counts by kind and the first
 * `listed` entries in memory (for the job resource), every entry as a JSON line in a temporary file,
 * from which the complete report is streamed into the bundle and stored beside it.
 */
export class LossLog {
  private readonly listed: LossEntry[] = [];
  private readonly byKind: Partial<Record<LossKind, number>> = {};
  private count = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  private dir?: string;
  private fd?: number;

  constructor(
    private readonly head: LossReportHead,
    private readonly maxListed = 10_000,
  ) {}

  add(entry: LossEntry): void {
    this.count++;
    this.byKind[entry.kind] = (this.byKind[entry.kind] ?? 0) + 1;
    if (this.listed.length < this.maxListed) this.listed.push(entry);
    const line = JSON.stringify(entry);
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= SPILL_BYTES) this.spill();
  }

  /** The report with the first entries only, for the job resource. */
  summary(): LossReport {
    return { ...this.header(), complete: this.count <= this.listed.length, entries: [...this.listed] };
  }

  /** The complete report as JSON bytes, streamed: every entry, in the order they came. */
  async *document(): AsyncGenerator<Buffer> {
    const head = JSON.stringify({ ...this.header(), complete: true });
    yield Buffer.from(`${head.slice(0, -1)},"entries":[`, 'utf8');
    let first = true;
    const sep = () => (first ? ((first = false), '\n') : ',\n');
    if (this.fd !== undefined) {
      this.spill();
      let rest = '';
      for await (const chunk of createReadStream(join(this.dir!, 'losses.jsonl'), { encoding: 'utf8' })) {
        const lines = (rest + (chunk as string)).split('\n');
        rest = lines.pop()!;
        yield Buffer.from(lines.map((l) => sep() + l).join(''), 'utf8');
      }
    } else {
      for (const line of this.pending) yield Buffer.from(sep() + line, 'utf8');
    }
    yield Buffer.from(first ? ']}\n' : '\n]}\n', 'utf8');
  }

  /** Removes the temporary file. */
  dispose(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.fd = undefined;
    this.dir = undefined;
  }

  private header(): Omit<LossReport, 'complete' | 'entries'> {
    return { ...this.head, count: this.count, byKind: { ...this.byKind } };
  }

  private spill(): void {
    if (this.pending.length === 0) return;
    if (this.fd === undefined) {
      this.dir = mkdtempSync(join(tmpdir(), 'portabel-loss-'));
      this.fd = openSync(join(this.dir, 'losses.jsonl'), 'a');
    }
    writeSync(this.fd, this.pending.join('\n') + '\n');
    this.pending = [];
    this.pendingBytes = 0;
  }
}
