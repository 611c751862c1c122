import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { authAs } from '../helpers/auth';
import { expectContract } from '../helpers/contract';
import { createKommun, createTestApp, TestApp } from '../helpers/create-test-app';

const fixture = (adapter: string, file: string) =>
  readFileSync(join(__dirname, '../../src/adapters', adapter, 'fixtures', file));

/** An xAPI statement by the pupil with this mailbox, with its own id. */
const statement = (id: string, mbox = 'mailto:alva.berg@elev.example.se', activity = id) => ({
  id,
  actor: { objectType: 'Agent', name: 'Alva Berg', mbox },
  verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'sv-SE': 'slutförde' } },
  object: { objectType: 'Activity', id: `https://lms.example.se/aktiviteter/${activity}` },
  timestamp: '2026-09-01T08:00:00.000Z',
});

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

// Credentials and xAPI statements come one at a time over the years: an import from a platform adds
// them to what earlier imports brought (a delta import), where other formats' imports replace the
// pupil's sections with the platform's picture of them.
describe('imports of credentials and statements add up', () => {
  let t: TestApp;
  let kommun: string;
  let base: string;
  let registrar: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    kommun = await createKommun(t);
    base = `/v1/kommuner/${kommun}`;
    registrar = await authAs(t, { role: 'registrar', kommun });
  });
  afterAll(() => t.close());

  async function imported(body: Buffer | string, query: string) {
    const started = await request(t.server)
      .post(`${base}/imports?${query}`)
      .set(registrar)
      .set('content-type', 'application/json')
      .serialize((b: unknown) => b as string)
      .send(body as string);
    expect(started.status).toBe(202);
    for (let i = 0; i < 300; i++) {
      const res = await request(t.server).get(`${base}/imports/${started.body.id}`).set(registrar);
      if (!['queued', 'running'].includes(res.body.state)) {
        expect(res.body.state).toBe('succeeded');
        return res.body;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('import did not finish');
  }

  async function recordOf(platform: string) {
    const res = await request(t.server).get(`${base}/records?limit=200`).set(registrar);
    const found = res.body.data.filter((r: any) => r.record.source.platform === platform);
    expect(found).toHaveLength(1);
    return found[0];
  }

  it('keeps the statements of earlier xAPI imports, and finds nothing new in a statement held already', async () => {
    const first = await imported(JSON.stringify([statement(uuid(1)), statement(uuid(2))]), 'format=xapi');
    expect(first.counts).toMatchObject({ created: 1 });
    const second = await imported(JSON.stringify([statement(uuid(3))]), 'format=xapi');
    expect(second.counts).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    const after = await recordOf(first.sourcePlatform);
    expect(after.record.evidence.map((e: any) => e.id)).toEqual([uuid(1), uuid(2), uuid(3)]);

    const again = await imported(JSON.stringify([statement(uuid(2))]), 'format=xapi');
    expect(again.counts).toMatchObject({ updated: 0, unchanged: 1 });
    expect((await recordOf(first.sourcePlatform)).version).toBe(after.version);
  });

  it('reports what an import would add in a dry run, and writes nothing', async () => {
    const platform = (await imported(JSON.stringify([statement(uuid(10))]), 'format=xapi&dryRun=true'))
      .sourcePlatform;
    const held = await recordOf(platform);
    expect(held.record.evidence).toHaveLength(3);
    const dry = await imported(
      JSON.stringify([statement(uuid(4)), statement(uuid(1), 'mailto:annan@elev.example.se')]),
      'format=xapi&dryRun=true',
    );
    expect(dry.counts).toMatchObject({ created: 1, updated: 1 });
    const heldAgain = await imported(JSON.stringify([statement(uuid(1))]), 'format=xapi&dryRun=true');
    expect(heldAgain.counts).toMatchObject({ updated: 0, unchanged: 1 });
    for (const [job, outcomes] of [
      [dry, ['updated', 'created']],
      [heldAgain, ['unchanged']],
    ] as const) {
      const items = await request(t.server).get(`${base}/imports/${job.id}/items`).set(registrar);
      expectContract(items, 'GET', `${base}/imports/${job.id}/items`);
      expect(items.body.data.map((i: any) => i.outcome)).toEqual(outcomes);
    }
    expect((await recordOf(platform)).record.evidence).toHaveLength(3);
  });

  it('replaces them in a snapshot import: the file is then all the platform holds', async () => {
    const snapshot = await imported(JSON.stringify([statement(uuid(5))]), 'format=xapi&mode=snapshot');
    expect(snapshot.counts).toMatchObject({ updated: 1 });
    const record = await recordOf(snapshot.sourcePlatform);
    expect(record.record.evidence.map((e: any) => e.id)).toEqual([uuid(5)]);
  });

  it('keeps the credentials of earlier CLR imports for the pupil, each once', async () => {
    const admin = await authAs(t, { role: 'admin', kommun });
    const registered = await request(t.server)
      .post(`${base}/platforms`)
      .set(admin)
      .send({
        name: 'skolans-planbok',
        vendor: 'Exempel',
        product: 'Credential wallet',
        adapter: 'clr-2.0',
        options: { pupilSourceId: 'elev-7' },
      });
    expect(registered.status).toBe(201);
    const platform = `platform=${registered.body.id}`;
    await imported(fixture('clr-2.0', 'ok/ob30-simple.json'), platform);
    const same = await imported(fixture('clr-2.0', 'ok/ob30-simple.json'), platform);
    expect(same.counts).toMatchObject({ updated: 0, unchanged: 1 });
    const second = await imported(fixture('clr-2.0', 'ok/ob30-swedish.json'), platform);
    expect(second.counts).toMatchObject({ updated: 1 });
    const held = await recordOf('skolans-planbok');
    expect(held.record.source.id).toBe('elev-7');
    expect(held.record.achievements).toHaveLength(2);
    // The first credential again: held once still (its subject's name is the pupil's now).
    await imported(fixture('clr-2.0', 'ok/ob30-simple.json'), platform);
    expect((await recordOf('skolans-planbok')).record.achievements).toHaveLength(2);
  });
});
