import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where a text is in a spill file: its first byte and its length in bytes. */
export interface SpillPlace {
  at: number;
  bytes: number;
}

/** Texts gathered before one write; reads of what is still gathered write it first. */
const WRITE_BYTES = 1024 * 1024;
/** Places this close together are read in one call, the bytes between them read and dropped. */
const READ_GAP = 16 * 1024;

/**
 * An append-only temporary file of texts, read back by place: for the values of an input too many to
 * hold on the heap and needed again in another order (SS 12000's grades, read per pupil). Synchronous,
 * for a conversion's worker thread, which has nothing else to do while it waits for the disk. The file
 * is unlinked as soon as it is open, so that it goes with the descriptor even when the thread is killed.
 */
export class SpillFile {
  private fd: number | undefined;
  private path: string | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  /** Bytes appended, and bytes of them on disk. */
  private appended = 0;
  private written = 0;

  append(text: string): SpillPlace {
    const bytes = Buffer.byteLength(text, 'utf8');
    const place = { at: this.appended, bytes };
    this.pending.push(text);
    this.pendingBytes += bytes;
    this.appended += bytes;
    if (this.pendingBytes >= WRITE_BYTES) this.flush();
    return place;
  }

  read(place: SpillPlace): string {
    return this.readMany([place])[0];
  }

  /** The texts at these places, in the order asked; places near one another are read together. */
  readMany(places: readonly SpillPlace[]): string[] {
    if (places.length === 0) return [];
    if (places.some((p) => p.at + p.bytes > this.written)) this.flush();
    const order = places.map((_, i) => i).sort((a, b) => places[a].at - places[b].at);
    const texts = new Array<string>(places.length);
    let k = 0;
    while (k < order.length) {
      const from = places[order[k]].at;
      let to = from + places[order[k]].bytes;
      let end = k + 1;
      while (end < order.length && places[order[end]].at - to <= READ_GAP) {
        to = Math.max(to, places[order[end]].at + places[order[end]].bytes);
        end++;
      }
      const buffer = this.readBytes(from, to - from);
      for (; k < end; k++) {
        const p = places[order[k]];
        texts[order[k]] = buffer.toString('utf8', p.at - from, p.at - from + p.bytes);
      }
    }
    return texts;
  }

  /** Closes and removes the file; the file is empty and usable again after. */
  dispose(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.path !== undefined) rmSync(this.path, { recursive: true, force: true });
    this.fd = undefined;
    this.path = undefined;
    this.pending = [];
    this.pendingBytes = this.appended = this.written = 0;
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const fd = this.fd ?? this.open();
    const data = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingBytes = 0;
    for (let done = 0; done < data.length; )
      done += writeSync(fd, data, done, data.length - done, this.written + done);
    this.written += data.length;
  }

  private open(): number {
    const dir = mkdtempSync(join(tmpdir(), 'portabel-spill-'));
    const file = join(dir, 'spill');
    this.fd = openSync(file, 'w+', 0o600);
    try {
      unlinkSync(file);
      rmSync(dir, { recursive: true, force: true });
    } catch {
      this.path = dir; // a system that cannot unlink an open file: removed by dispose
    }
    return this.fd;
  }

  private readBytes(at: number, length: number): Buffer {
    const buffer = Buffer.allocUnsafe(length);
    for (let done = 0; done < length; ) {
      const n = readSync(this.fd!, buffer, done, length - done, at + done);
      if (n === 0) throw new Error(`spill file: ${length - done} bytes missing at ${at + done}`);
      done += n;
    }
    return buffer;
  }
}
