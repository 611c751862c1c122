import type { Readable } from 'node:stream';

export interface NdjsonLine {
  /** 1-based line number. */
  number: number;
  /** The line's bytes (without the newline), or undefined when it was longer than allowed. */
  bytes: Buffer | undefined;
}

/**
 * Splits a byte stream into lines, as bytes: decoding is the parser's job, so invalid UTF-8 is
 * refused there instead of silently becoming U+FFFD (as readline would make it). A line longer than
 * `maxLineBytes` is skipped without being held in memory and reported with `bytes` undefined.
 */
export async function* ndjsonLines(input: Readable, maxLineBytes: number): AsyncGenerator<NdjsonLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversized = false;
  let number = 0;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      number++;
      const piece = chunk.subarray(start, nl);
      if (oversized || pendingBytes + piece.length > maxLineBytes) {
        yield { number, bytes: undefined };
      } else {
        const line = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
        yield { number, bytes: stripCr(line) };
      }
      pending = [];
      pendingBytes = 0;
      oversized = false;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0 && !oversized) {
      if (pendingBytes + rest.length > maxLineBytes) {
        oversized = true;
        pending = [];
        pendingBytes = 0;
      } else {
        pending.push(Buffer.from(rest)); // copy: the stream may reuse its chunk
        pendingBytes += rest.length;
      }
    }
  }
  if (oversized) yield { number: number + 1, bytes: undefined };
  else if (pendingBytes > 0) yield { number: number + 1, bytes: stripCr(Buffer.concat(pending)) };
}

const stripCr = (line: Buffer): Buffer =>
  line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, -1) : line;
