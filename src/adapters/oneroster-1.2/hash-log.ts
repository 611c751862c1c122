/**
 * The sourcedIds of a large file as 53-bit hashes in a typed array (8 bytes each, outside the heap),
 * instead of a Set of strings (some 80 bytes each). After `seal`, `suspects` are the hashes seen more
 * than once: almost always a real duplicate, which a second look at those rows alone confirms exactly.
 */
export class HashLog {
  private hashes = new Float64Array(1024);
  private size = 0;
  private sealed = false;

  add(id: string): void {
    if (this.size === this.hashes.length) {
      const grown = new Float64Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[this.size++] = hash53(id);
  }

  /** Sorts the hashes and returns those that occur more than once. */
  seal(): Set<number> {
    const sorted = this.hashes.subarray(0, this.size).sort();
    this.sealed = true;
    const suspects = new Set<number>();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) suspects.add(sorted[i]);
    return suspects;
  }

  /** Whether an id may be in the log (after `seal`); false means certainly not. */
  mayHave(id: string): boolean {
    if (!this.sealed) throw new Error('HashLog.mayHave before seal');
    const h = hash53(id);
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.hashes[mid];
      if (v === h) return true;
      if (v < h) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

/** Two 32-bit FNV-1a variants over UTF-16 code units, combined into an exact double. */
export function hash53(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 2 ** 21 + ((b >>> 0) >>> 11);
}
