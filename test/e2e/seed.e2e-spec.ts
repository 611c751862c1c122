import request from 'supertest';
import { authAs } from '../helpers/auth';
import { seed } from '../../src/cli/seed.command';
import { loadConfig } from '../../src/config/env.schema';
import { createTestApp, TestApp } from '../helpers/create-test-app';
import { freshEmbeddedDir, removeDir, serverUrl } from '../helpers/test-database';

/** `npm run seed`: realistic pupils through the same checks as the API, deterministic, idempotent. */
describe('seed', () => {
  const kommun = '2480'; // Umeå: a catalogue kommun no other test file uses
  let dataDir: string | undefined;
  let t: TestApp | undefined;

  afterAll(async () => {
    await t?.close();
    if (dataDir) removeDir(dataDir);
  });

  it('fills a kommun, and a second run with the same seed changes nothing', async () => {
    dataDir = serverUrl() ? undefined : freshEmbeddedDir('seed');
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      ...(serverUrl() ? { DATABASE_URL: serverUrl() } : { DATA_DIR: dataDir }),
    });
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = (chunk: string) => out.push(String(chunk)) > 0;
    try {
      await seed(config, { kommun, pupils: 60, seed: 7 });
      await seed(config, { kommun, pupils: 60, seed: 7 });
    } finally {
      process.stdout.write = write;
    }
    expect(out.join('')).toMatch(/created 60, updated 0, unchanged 0/);
    expect(out.join('')).toMatch(/created 0, updated 0, unchanged 60/);

    t = await createTestApp(dataDir ? { DATA_DIR: dataDir } : {});
    const registrar = await authAs(t, { role: 'registrar', kommun });
    const kommunRes = await request(t.server).get(`/v1/kommuner/${kommun}`).set(registrar);
    expect(kommunRes.body.name).toBe('Umeå');
    const units = await request(t.server).get(`/v1/kommuner/${kommun}/school-units`).set(registrar);
    expect(units.body.data.length).toBeGreaterThan(0);
    const page = await request(t.server).get(`/v1/kommuner/${kommun}/records?limit=200`).set(registrar);
    expect(page.body.data).toHaveLength(60);
    const markings = new Set(
      page.body.data.map(
        (r: { record: { pupil: { securityMarking: string } } }) => r.record.pupil.securityMarking,
      ),
    );
    expect(markings.has('Ingen')).toBe(true);
    expect(
      page.body.data.every(
        (r: { record: { source: { platform: string } } }) => r.record.source.platform === 'seed',
      ),
    ).toBe(true);
  });
});
