import { JSONB_BINARY_VERSION } from '../../database/jsonb-binary';
import type { LearnerRecord } from '../../records/learner-record.types';
import { WHOLE_KOMMUN } from '../../records/record-scope';
import { packReleased, unpackReleased } from './released-batch';

const record = (id: string, givenName: string): LearnerRecord =>
  ({
    schemaVersion: '1.0',
    source: { platform: 'p', id },
    pupil: { civicNo: { value: '201203152382' }, givenName, familyName: 'Öberg', securityMarking: 'Ingen' },
    guardians: [
      { id: 'g', civicNo: { value: '198002032384' }, givenName: 'Åsa', familyName: 'Öberg', custody: true },
    ],
    grades: [{ subject: 'SV', value: 'A' }],
    supportMeasures: [{ kind: 'extraAnpassning', description: 'Mer tid' }],
  }) as unknown as LearnerRecord;

/** A record as PostgreSQL's binary COPY hands it over: a view into a larger buffer. */
function asCopied(records: LearnerRecord[]): Buffer[] {
  const parts = records.map((r) =>
    Buffer.concat([Buffer.from([JSONB_BINARY_VERSION]), Buffer.from(JSON.stringify(r))]),
  );
  const whole = Buffer.concat([Buffer.from('header'), ...parts]);
  let at = 'header'.length;
  return parts.map((p) => whole.subarray(at, (at += p.length)));
}

describe('released batches', () => {
  const records = [record('1', 'Märta 🦊'), record('2', 'Zoë'), record('3', 'Åke')];

  it('carry the records in one fresh buffer of their own and give them back as they were', () => {
    const jsonb = asCopied(records);
    const { batch, buffer } = packReleased(jsonb.map((b, i) => ({ id: String(i), jsonb: b, withheld: [] })));
    expect(buffer.byteLength).toBe(jsonb.reduce((n, b) => n + b.length, 0));
    expect(batch.bytes.buffer).toBe(buffer); // what is transferred is all there is
    expect(unpackReleased(batch, WHOLE_KOMMUN)).toEqual(records);
  });

  it('leave out what the decision withheld, per record, and what the grant does not cover', () => {
    const jsonb = asCopied(records);
    const { batch } = packReleased([
      { id: '1', jsonb: jsonb[0], withheld: ['supportMeasures', 'guardians'] },
      { id: '2', jsonb: jsonb[1], withheld: [] },
      { id: '3', jsonb: jsonb[2], withheld: ['supportMeasures', 'guardians'] },
    ]);
    const out = unpackReleased(batch, { sections: new Set(['grades', 'guardians']) });
    expect(out[0]).toEqual({
      ...records[0],
      supportMeasures: undefined,
      guardians: undefined,
      pupil: expect.anything(),
    });
    expect(Object.keys(out[0]).sort()).toEqual(['grades', 'pupil', 'schemaVersion', 'source']);
    expect(Object.keys(out[1]).sort()).toEqual(['grades', 'guardians', 'pupil', 'schemaVersion', 'source']);
    // No civic number without the grant for it: the pupil's nor a guardian's.
    expect(out[1].pupil.civicNo).toBeUndefined();
    expect(out[1].guardians![0].civicNo).toBeUndefined();
    expect(out[1].pupil.givenName).toBe('Zoë');
  });

  it('refuse bytes that are not jsonb binary output', () => {
    const { batch } = packReleased([{ id: '1', jsonb: Buffer.from('{"a":1}'), withheld: [] }]);
    expect(() => unpackReleased(batch, WHOLE_KOMMUN)).toThrow(/jsonb binary version/);
  });
});
