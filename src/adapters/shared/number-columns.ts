// Compact tables of numbers for the indexes of large inputs (SS 12000's half a million grades): a
// JavaScript array of numbers takes 8 bytes a value and a Map entry some 40; these take 4 to 16.

const INITIAL = 1024;

/** A growable typed array: Int32 (4 bytes a value) or Float64 (8 bytes, for offsets past 2 GB). */
export class NumberColumn {
  private data: Int32Array | Float64Array;
  length = 0;

  constructor(private readonly type: Int32ArrayConstructor | Float64ArrayConstructor) {
    this.data = new type(INITIAL);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new this.type(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  get(index: number): number {
    return this.data[index];
  }
}

/**
 * Numbers (slots) by a 32-bit hash, in open addressing over two typed arrays kept at most half full:
 * 16 bytes an entry. Several slots may share a hash; `candidates` gives them all, and the caller checks.
 */
export class HashedSlots {
  private hashes = new Int32Array(INITIAL);
  /** slot + 1; 0 is an empty cell. */
  private slots = new Int32Array(INITIAL);
  private size = 0;

  add(hash: number, slot: number): void {
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    this.insert(hash | 0, slot);
    this.size++;
  }

  candidates(hash: number): number[] {
    const found: number[] = [];
    const mask = this.slots.length - 1;
    for (let i = hash & mask; this.slots[i] !== 0; i = (i + 1) & mask)
      if (this.hashes[i] === (hash | 0)) found.push(this.slots[i] - 1);
    return found;
  }

  private insert(hash: number, slot: number): void {
    const mask = this.slots.length - 1;
    let i = hash & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.hashes[i] = hash;
    this.slots[i] = slot + 1;
  }

  private grow(): void {
    const { hashes, slots } = this;
    this.hashes = new Int32Array(slots.length * 2);
    this.slots = new Int32Array(slots.length * 2);
    for (let i = 0; i < slots.length; i++) if (slots[i] !== 0) this.insert(hashes[i], slots[i] - 1);
  }
}
