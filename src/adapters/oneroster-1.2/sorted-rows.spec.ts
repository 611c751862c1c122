import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { SortedRows } from './sorted-rows';

describe('SortedRows', () => {
  async function drain(rows: SortedRows): Promise<string[]> {
    const out: string[] = [];
    for await (const { key, line } of rows.sorted()) out.push(`${key}|${line}`);
    return out;
  }

  it('merges spilled runs into the same order an in-memory sort gives, lines with breaks intact', async () => {
    const small = new SortedRows(256);
    const big = new SortedRows();
    const items = Array.from({ length: 300 }, (_, i) => [
      `k${(i * 7919) % 301}`,
      i % 13 === 0 ? `"multi\nline\\${i}"` : `line,${i},å`,
    ]);
    for (const [key, line] of items) {
      small.add(key, line);
      big.add(key, line);
    }
    const before = readdirSync(tmpdir()).filter((d) => d.startsWith('portabel-oneroster-')).length;
    expect(await drain(small)).toEqual(await drain(big));
    small.dispose();
    expect(readdirSync(tmpdir()).filter((d) => d.startsWith('portabel-oneroster-')).length).toBeLessThan(
      before,
    );
  });

  it('touches no disk for a small export', async () => {
    const spills = () => readdirSync(tmpdir()).filter((d) => d.startsWith('portabel-oneroster-')).length;
    const before = spills();
    const rows = new SortedRows();
    rows.add('b', '2');
    rows.add('a', '1');
    expect(spills()).toBe(before);
    expect(await drain(rows)).toEqual(['a|1', 'b|2']);
  });
});
