import { LossLog } from './loss-log';
import type { LossEntry } from '../vendor-adapter.port';

const head = {
  meta: { schemaVersion: '1.0', createdAt: '2026-09-01T00:00:00.000Z', generator: 'portabel test@1' },
  direction: 'export' as const,
  adapter: 'test',
};

async function text(log: LossLog): Promise<string> {
  const parts: Buffer[] = [];
  for await (const p of log.document()) parts.push(p);
  return Buffer.concat(parts).toString('utf8');
}

describe('LossLog', () => {
  it('writes an empty report as a valid document', async () => {
    const log = new LossLog(head);
    expect(JSON.parse(await text(log))).toEqual({
      ...head,
      count: 0,
      byKind: {},
      complete: true,
      entries: [],
    });
    expect(log.summary()).toEqual({ ...head, count: 0, byKind: {}, complete: true, entries: [] });
  });

  it('keeps every entry of a large report on disk, in order, and only the first ones in the summary', async () => {
    const log = new LossLog(head, 10);
    const entries: LossEntry[] = Array.from({ length: 6000 }, (_, i) => ({
      kind: i % 3 === 0 ? 'dropped' : 'approximated',
      source: { pointer: `/grades/${i}`, file: 'users.csv', line: i + 2 },
      detail: `entry ${i}, with "quotes", å and a\nnewline`,
    }));
    try {
      for (const e of entries) log.add(e);
      const report = JSON.parse(await text(log));
      expect(report.entries).toEqual(entries);
      expect(report).toMatchObject({
        count: 6000,
        byKind: { dropped: 2000, approximated: 4000 },
        complete: true,
      });
      // Read twice: once into the bundle, once beside it.
      expect(JSON.parse(await text(log)).entries).toHaveLength(6000);
      const summary = log.summary();
      expect(summary).toMatchObject({ count: 6000, complete: false });
      expect(summary.entries).toEqual(entries.slice(0, 10));
    } finally {
      log.dispose();
    }
  });
});
