import { createHash } from 'node:crypto';
import { AuditInputError, prepareEntry } from './audit-input';
import type { AuditEntryInput } from './audit-entry';

const hasher = (kommunCode: string, civicNo: string): string =>
  createHash('sha256').update(`${kommunCode}:${civicNo}`).digest('hex');
const H = hasher('1980', '201203152382');
const base: AuditEntryInput = {
  kommunCode: '1980',
  occurredAt: new Date('2026-03-01T08:15:00.123Z'),
  actor: { kind: 'person', subject: 'sub-1', role: 'dpo' },
  action: 'records:read',
  outcome: 'allowed',
};
const prepare = (over: Partial<AuditEntryInput>) => prepareEntry({ ...base, ...over }, hasher);

describe('audit entry input', () => {
  it('puts entries of no kommun on the installation chain', () => {
    expect(prepare({ kommunCode: undefined }).kommunCode).toBe('0000');
    expect(prepare({ kommunCode: null }).kommunCode).toBe('0000');
  });

  it('keeps civic numbers only as keyed hashes, normalised to twelve digits first', () => {
    const entry = prepare({ pupilCivicNos: ['20120315-2382', '201203152382', '120315-2382'] });
    expect(entry.pupilCivicNoHashes).toEqual([H]);
    expect(JSON.stringify(entry)).not.toContain('2382');
  });

  it('replaces civic numbers found in free text and detail, and leaves other numbers alone', () => {
    const entry = prepare({
      actor: { kind: 'person', subject: '201203152382' },
      onBehalfOf: 'guardian 20120315-2382',
      detail: {
        note: 'asked about 120315-2382',
        count: 42,
        civicNo: 201203152382,
        id: 'abc201203152382',
        phone: '201203152383',
      },
    });
    expect(entry.actor.subject).toBe(`civic-no-hash:${H}`);
    expect(entry.onBehalfOf).toBe(`guardian civic-no-hash:${H}`);
    expect(entry.detail).toEqual({
      note: `asked about civic-no-hash:${H}`,
      count: 42,
      civicNo: `civic-no-hash:${H}`,
      id: 'abc201203152382',
      phone: '201203152383', // fails the Luhn check: not a civic number
    });
  });

  it('sorts and de-duplicates record ids, sections, and lower-cases the ids', () => {
    const entry = prepare({
      pupilRecordIds: [
        'B0B4C1A9-3A7E-4C51-9D0E-4F1B9D7A2C11',
        'a0b4c1a9-3a7e-4c51-9d0e-4f1b9d7a2c11',
        'b0b4c1a9-3a7e-4c51-9d0e-4f1b9d7a2c11',
      ],
      sections: ['pupil', 'grades', 'pupil'],
    });
    expect(entry.pupilRecordIds).toEqual([
      'a0b4c1a9-3a7e-4c51-9d0e-4f1b9d7a2c11',
      'b0b4c1a9-3a7e-4c51-9d0e-4f1b9d7a2c11',
    ]);
    expect(entry.sections).toEqual(['grades', 'pupil']);
  });

  it('stamps the time to the millisecond, defaulting to now', () => {
    expect(prepare({}).occurredAt).toBe('2026-03-01T08:15:00.123Z');
    const before = Date.now();
    const stamped = Date.parse(prepare({ occurredAt: undefined }).occurredAt);
    expect(stamped).toBeGreaterThanOrEqual(before);
    expect(stamped).toBeLessThanOrEqual(Date.now());
  });

  it.each<[string, Partial<AuditEntryInput>]>([
    ['a kommun code that is not four digits', { kommunCode: '198' }],
    ['an unknown actor kind', { actor: { kind: 'robot' as never } }],
    ['an action without an area', { action: 'read' }],
    ['an unknown outcome', { outcome: 'maybe' as never }],
    ['a record id that is no UUID', { pupilRecordIds: ['x'] }],
    ['a NUL in text', { purpose: 'a\u0000b' }],
    ['a lone surrogate in detail', { detail: { s: '\ud800' } }],
    ['a non-finite number in detail', { detail: { n: Infinity } }],
    ['a detail too large', { detail: { s: 'x'.repeat(9000) } }],
    ['a legal basis that is not text', { legalBasis: { grades: 1 as never } }],
    ['a time before 2000', { occurredAt: new Date('1999-12-31T23:59:59Z') }],
  ])('refuses %s at once', (_name, over) => {
    expect(() => prepare(over)).toThrow(AuditInputError);
  });
});
