/** A row as stored: a short tuple of strings, numbers and nulls. */
export type Tuple = (string | number | null | undefined)[];

const CHUNK = 4 * 1024 * 1024;
const OFFSET_BITS = 2 ** 32;

/**
 * An append-only log of small tuples in Buffers, outside the JavaScript heap: a kommun's half-million
 * results cost about 60 bytes each here against some 150 as objects, and none of it counts against the
 * heap limit the service runs with. A row is read back by the number `append` returned.
 */
export class RowLog {
  private readonly chunks: Buffer[] = [];
  private current: Buffer = Buffer.allocUnsafe(0);
  private used = 0;

  append(row: Tuple): number {
    const text = JSON.stringify(row);
    const size = Buffer.byteLength(text, 'utf8') + 4;
    if (this.used + size > this.current.length) {
      this.current = Buffer.allocUnsafe(Math.max(CHUNK, size));
      this.chunks.push(this.current);
      this.used = 0;
    }
    const ref = (this.chunks.length - 1) * OFFSET_BITS + this.used;
    this.current.writeUInt32LE(size - 4, this.used);
    this.current.write(text, this.used + 4, 'utf8');
    this.used += size;
    return ref;
  }

  read(ref: number): Tuple {
    const chunk = this.chunks[Math.floor(ref / OFFSET_BITS)];
    const offset = ref % OFFSET_BITS;
    const length = chunk.readUInt32LE(offset);
    return JSON.parse(chunk.toString('utf8', offset + 4, offset + 4 + length)) as Tuple;
  }

  /** Bytes held, for the record of what an import costs. */
  get bytes(): number {
    return this.chunks.reduce((sum, c) => sum + c.length, 0);
  }
}
