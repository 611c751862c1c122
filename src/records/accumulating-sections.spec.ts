import { accumulate, PLACEHOLDER_NAME } from './accumulating-sections';
import type { Evidence, LearnerRecord } from './learner-record.types';

const provenance = (importedAt: string) => ({
  sourcePlatform: 'lrs',
  adapter: 'xapi',
  adapterVersion: '1.0.0',
  importedAt,
});

const evidence = (id: string, importedAt = '2026-01-01T00:00:00.000Z', title = id): Evidence => ({
  id,
  uri: `urn:uuid:${id}`,
  sha256: 'a'.repeat(64),
  title,
  provenance: provenance(importedAt),
});

const record = (items: Evidence[], givenName = 'Alva'): LearnerRecord => ({
  schemaVersion: '1.0',
  source: { platform: 'lrs', id: 'elev-1' },
  pupil: { givenName, familyName: 'Berg' } as LearnerRecord['pupil'],
  evidence: items,
});

describe('accumulate', () => {
  it('adds what an import brings to what earlier imports brought, in the order they came', () => {
    const outcome = accumulate(
      record([evidence('c'), evidence('a')]),
      record([evidence('a'), evidence('b')]),
      ['evidence'],
    );
    expect(outcome.kind).toBe('merged');
    if (outcome.kind !== 'merged') return;
    expect(outcome.record.evidence!.map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(outcome.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes an item brought again as it comes now, in its place', () => {
    const outcome = accumulate(
      record([evidence('a', undefined, 'new title')]),
      record([evidence('a'), evidence('b')]),
      ['evidence'],
    );
    expect(outcome.kind === 'merged' && outcome.record.evidence!.map((e) => [e.id, e.title])).toEqual([
      ['a', 'new title'],
      ['b', 'b'],
    ]);
  });

  it('finds nothing new in items already held, whatever the import time and key order', () => {
    const live = record([evidence('a'), evidence('b')]);
    const again = record([evidence('b', '2026-06-01T00:00:00.000Z')]);
    expect(accumulate(again, live, ['evidence'])).toEqual({ kind: 'unchanged' });
    const { evidence: items, pupil, source, schemaVersion } = live;
    const reordered = { evidence: items, pupil, source, schemaVersion } as LearnerRecord;
    expect(accumulate(reordered, live, ['evidence'])).toEqual({ kind: 'unchanged' });
  });

  it('replaces the sections that do not accumulate: the pupil as the latest import says', () => {
    const outcome = accumulate(record([evidence('a')], 'Alvina'), record([evidence('a')]), ['evidence']);
    expect(outcome.kind === 'merged' && outcome.record.pupil.givenName).toBe('Alvina');
  });

  it('keeps the name an earlier import gave over a placeholder, and takes a new name', () => {
    const nameless = record([evidence('b')], PLACEHOLDER_NAME);
    nameless.pupil.familyName = PLACEHOLDER_NAME;
    const outcome = accumulate(nameless, record([evidence('a')]), ['evidence']);
    expect(outcome.kind === 'merged' && outcome.record.pupil).toMatchObject({
      givenName: 'Alva',
      familyName: 'Berg',
    });
    expect(
      accumulate(record([evidence('a')], PLACEHOLDER_NAME), record([evidence('a')]), ['evidence']),
    ).toEqual({
      kind: 'unchanged',
    });
  });

  it('refuses a pupil whose section would hold more than a record may, pointing at it', () => {
    const live = record(Array.from({ length: 4999 }, (_, i) => evidence(`old-${i}`)));
    const outcome = accumulate(record([evidence('new-1'), evidence('new-2')]), live, ['evidence']);
    expect(outcome).toEqual({
      kind: 'tooMany',
      errors: [
        {
          pointer: '/evidence',
          detail: expect.stringMatching(/4999 evidence .* hold 5001, more than the 5000/),
        },
      ],
    });
  });

  it('keys achievements by the credential as received', () => {
    const achievement = (credential: string, status: 'verified' | 'failed') => ({
      format: 'vc-jwt' as const,
      credential,
      verification: { status },
    });
    const live: LearnerRecord = { ...record([]), achievements: [achievement('eyJ.a.b', 'failed')] };
    delete live.evidence;
    const incoming: LearnerRecord = {
      ...live,
      achievements: [achievement('eyJ.a.b', 'verified'), achievement('eyJ.c.d', 'verified')],
    };
    const outcome = accumulate(incoming, live, ['achievements']);
    expect(outcome.kind === 'merged' && outcome.record.achievements).toEqual(incoming.achievements);
    expect(outcome.kind === 'merged' && 'evidence' in outcome.record).toBe(false);
  });
});
