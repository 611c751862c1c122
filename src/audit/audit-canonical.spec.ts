import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalize, entryHash, GENESIS_HASH } from './audit-canonical';
import { chainOnto } from './audit-appender';
import type { AuditEntry, PreparedEntry } from './audit-entry';

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

const prepared = (over: Partial<PreparedEntry> = {}): PreparedEntry => ({
  v: 1,
  kommunCode: '1980',
  occurredAt: '2026-03-01T08:15:00.123Z',
  actor: { kind: 'person', subject: 'sub-1', role: 'dpo' },
  onBehalfOf: null,
  action: 'records:read',
  outcome: 'allowed',
  pupilRecordIds: ['0b4c1a9e-3a7e-4c51-9d0e-4f1b9d7a2c11'],
  pupilCivicNoHashes: [],
  sections: ['grades', 'pupil'],
  legalBasis: { grades: 'GDPR 6(1)(e)' },
  requestId: 'req-1',
  purpose: null,
  recipient: null,
  detail: { count: 1, note: 'Åsa läser' },
  ...over,
});

describe('canonicalize (RFC 8785 JCS)', () => {
  it('serialises the example of RFC 8785 §3.2.2 byte for byte', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('orders keys by UTF-16 code units, as RFC 8785 §3.2.3 shows', () => {
    const keys = ['\u20ac', '\r', '\ufb33', '1', '\ud83d\ude00', '\u0080', '\u00f6'];
    const object = Object.fromEntries(keys.map((k, i) => [k, i]));
    // (Object.keys would list "1" first whatever the text says: integer-like keys come first in JS.)
    expect(canonicalize(object)).toBe(
      '{"\\r":1,"1":3,"\u0080":5,"\u00f6":6,"\u20ac":0,"\ud83d\ude00":4,"\ufb33":2}',
    );
  });

  it('gives equal bytes for equal values whatever the key order, at every depth', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const shuffled = JSON.parse(JSON.stringify(value), (_k, v: unknown) =>
          v && typeof v === 'object' && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v).reverse())
            : v,
        );
        expect(canonicalize(shuffled)).toBe(canonicalize(value));
        expect(JSON.parse(canonicalize(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['undefined', undefined],
    ['a lone surrogate', 'a\ud800b'],
    ['a bigint', BigInt(1)],
    ['a function', () => 1],
  ])('refuses %s instead of hashing less than it was given', (_name, value) => {
    expect(() => canonicalize({ value })).toThrow(TypeError);
  });
});

describe('entry hashes', () => {
  const entry = (): AuditEntry => chainOnto({ seq: 0, hash: GENESIS_HASH }, [prepared()])[0];

  it('are SHA-256 over the JCS form of the entry without its hash', () => {
    const e = entry();
    const { hash, ...rest } = e;
    expect(hash).toBe(sha256(canonicalize(rest)));
    expect(
      sha256(
        '{"action":"records:read","actor":{"kind":"person","role":"dpo","subject":"sub-1"},' +
          '"detail":{"count":1,"note":"Åsa läser"},"kommunCode":"1980","legalBasis":{"grades":"GDPR 6(1)(e)"},' +
          `"occurredAt":"2026-03-01T08:15:00.123Z","onBehalfOf":null,"outcome":"allowed","prevHash":"${GENESIS_HASH}",` +
          '"pupilCivicNoHashes":[],"pupilRecordIds":["0b4c1a9e-3a7e-4c51-9d0e-4f1b9d7a2c11"],"purpose":null,' +
          '"recipient":null,"requestId":"req-1","sections":["grades","pupil"],"seq":1,"v":1}',
      ),
    ).toBe(hash);
    expect(entryHash(e)).toBe(hash);
  });

  it('change when any field changes', () => {
    const base = entry();
    const changes: Partial<AuditEntry>[] = [
      { kommunCode: '1981' },
      { seq: 2 },
      { occurredAt: '2026-03-01T08:15:00.124Z' },
      { actor: { ...base.actor, subject: 'sub-2' } },
      { actor: { ...base.actor, role: 'registrar' } },
      { onBehalfOf: 'x' },
      { action: 'records:write' },
      { outcome: 'denied' },
      { pupilRecordIds: [] },
      { pupilCivicNoHashes: ['ab'] },
      { sections: ['grades'] },
      { legalBasis: null },
      { requestId: 'req-2' },
      { purpose: 'transfer' },
      { recipient: '1980' },
      { detail: { count: 2, note: 'Åsa läser' } },
      { prevHash: '1'.repeat(64) },
    ];
    const hashes = changes.map((change) => entryHash({ ...base, ...change }));
    expect(new Set([...hashes, base.hash]).size).toBe(changes.length + 1);
  });

  it('chain consecutively: each entry names the hash of the one before, the first the genesis hash', () => {
    const head = { seq: 41, hash: 'f'.repeat(64) };
    const chained = chainOnto(head, [prepared(), prepared({ action: 'records:write' }), prepared()]);
    expect(chained.map((e) => e.seq)).toEqual([42, 43, 44]);
    expect(chained.map((e) => e.prevHash)).toEqual([head.hash, chained[0].hash, chained[1].hash]);
    for (const e of chained) expect(entryHash(e)).toBe(e.hash);
    // Two entries with the same fields at different places hash differently.
    expect(chained[0].hash).not.toBe(chained[2].hash);
  });
});
