import { generatePupils } from '../../seed/pupil-generator';
import type { ExportContext, LossEntry } from '../vendor-adapter.port';
import { parseCsvRecord, writeRosterJson } from './roster-json-writer';

describe('OneRoster REST JSON writer', () => {
  it('reads back the CSV records it is made from', () => {
    expect(parseCsvRecord('a,,"b,c","say ""hej""",')).toEqual(['a', '', 'b,c', 'say "hej"', '']);
    expect(parseCsvRecord('"two\r\nlines"')).toEqual(['two\r\nlines']);
    expect(parseCsvRecord('')).toEqual(['']);
  });

  it('writes every collection with GUIDRefs, users with their roles, and loss targets in the document', async () => {
    const losses: LossEntry[] = [];
    const ctx: ExportContext = {
      kommunCode: '1980',
      platformId: 'lms',
      options: {},
      now: new Date('2026-09-01T00:00:00Z'),
      loss: (e) => losses.push(e),
    };
    const records = [...generatePupils({ kommunCode: '1980', count: 5, seed: 7 })];
    const parts: Buffer[] = [];
    for await (const p of writeRosterJson(
      (async function* () {
        await Promise.resolve();
        yield* records;
      })(),
      ctx,
    ))
      parts.push(p);
    const doc = JSON.parse(Buffer.concat(parts).toString('utf8'));
    expect(Object.keys(doc)).toEqual([
      'orgs',
      'academicSessions',
      'courses',
      'classes',
      'users',
      'demographics',
      'enrollments',
      'categories',
      'scoreScales',
      'lineItems',
      'results',
    ]);
    const pupils = doc.users.filter((u: any) => u.roles.some((r: any) => r.role === 'student'));
    expect(pupils).toHaveLength(5);
    expect(pupils[0].roles[0]).toMatchObject({
      roleType: expect.any(String),
      org: { href: expect.stringMatching(/^\/ims\/oneroster\/rostering\/v1p2\/orgs\//), type: 'org' },
    });
    for (const e of doc.enrollments)
      expect(e.user).toMatchObject({ type: 'user', sourcedId: expect.any(String) });
    expect(losses.every((e) => !e.target?.file?.endsWith('.csv'))).toBe(true);
  });
});
