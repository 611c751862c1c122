import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Output lines sorted by a key without holding them all: runs of about `budgetBytes` are sorted and
 * spilled to a temporary file, then merged. A whole kommun's results (half a million rows) never sit in
 * memory at once; a small export never touches the disk. Items are kept as one string each,
 * `key NUL line`, so that the engine's own string sort (UTF-16 code unit order) does the work.
 */
export class SortedRows {
  private buffer: string[] = [];
  private bytes = 0;
  private readonly runs: string[] = [];
  private dir?: string;

  constructor(private readonly budgetBytes = 16 * 1024 * 1024) {}

  add(key: string, line: string): void {
    const item = `${key}\u0000${line}`;
    this.buffer.push(item);
    this.bytes += item.length * 2 + 32;
    if (this.bytes >= this.budgetBytes) this.spill();
  }

  /** All items in key order (then line order, so equal keys come out the same way every time). */
  async *sorted(): AsyncGenerator<{ key: string; line: string }> {
    this.buffer.sort();
    if (this.runs.length === 0) {
      for (const item of this.buffer) yield split(item);
      return;
    }
    const buffered = this.buffer[Symbol.iterator]();
    const sources: (() => Promise<IteratorResult<string>>)[] = [
      ...this.runs.map((run) => {
        const lines = readRun(run);
        return () => lines.next();
      }),
      () => Promise.resolve(buffered.next()),
    ];
    const heads = await Promise.all(sources.map((next) => next()));
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        if (heads[i].done) continue;
        if (best < 0 || (heads[i].value as string) < (heads[best].value as string)) best = i;
      }
      if (best < 0) break;
      yield split(heads[best].value as string);
      heads[best] = await sources[best]();
    }
  }

  /** Removes the temporary files. */
  dispose(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.buffer = [];
  }

  private spill(): void {
    this.buffer.sort();
    this.dir ??= mkdtempSync(join(tmpdir(), 'portabel-oneroster-'));
    const file = join(this.dir, `run-${this.runs.length}.txt`);
    writeFileSync(file, this.buffer.map(escape).join('\n') + '\n');
    this.runs.push(file);
    this.buffer = [];
    this.bytes = 0;
  }
}

function split(item: string): { key: string; line: string } {
  const nul = item.indexOf('\u0000');
  return { key: item.slice(0, nul), line: item.slice(nul + 1) };
}

async function* readRun(file: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield unescape(line);
}

// Runs hold one item per line: backslash and line breaks inside are escaped.
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r' };
const UNESCAPES: Record<string, string> = { '\\\\': '\\', '\\n': '\n', '\\r': '\r' };

function escape(text: string): string {
  return /[\\\n\r]/.test(text) ? text.replace(/[\\\n\r]/g, (c) => ESCAPES[c]) : text;
}

function unescape(text: string): string {
  return text.includes('\\') ? text.replace(/\\[\\nr]/g, (c) => UNESCAPES[c]) : text;
}
