import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, createRemoteJWKSet, jwtVerify } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { unzip, zipFiles } from '../../src/adapters/oneroster-1.2/testing/zip-files';
import {
  checkPage,
  launch,
  newContext,
  signIn,
  signOut,
  startInstance,
  type AxeViolation,
  type Instance,
} from './browser-harness';
import { SAMPLES as SAMPLES_ROOT } from '../helpers/samples';

const SAMPLE = join(SAMPLES_ROOT, 'oneroster');

/**
 * The pages in a real browser against the built service on its embedded database, as `npm start`
 * runs it: a guardian, a registrar, a DPO and an administrator, each page checked by axe-core and
 * photographed on a phone and a desktop.
 */
describe('web pages in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const violations: Record<string, AxeViolation[]> = {};
  let childName: RegExp;

  const check = async (name: string) => {
    const found = await checkPage(page, name, [childName]);
    if (found.length) violations[name] = found;
  };

  beforeAll(async () => {
    instance = await startInstance();
    browser = await launch();
    context = await newContext(browser, problems);
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  it('a guardian signs in, gives and withdraws a consent, asks for an export, downloads it and its signature verifies', async () => {
    await page.goto(`${instance.url}/app`);
    childName = /^$/; // not known yet
    await check('sign-in');
    await page.getByRole('link', { name: /Logga in med/ }).click();
    await page.waitForURL(/\/dev-idp\/authorize/);
    await check('dev-idp-authorize');
    await page.locator('li.card', { hasText: 'Vårdnadshavare' }).getByRole('button').click();
    await page.waitForURL(/\/app\/home$/);
    const card = page.locator('li.card').first();
    const name = (await card.locator('h2').innerText()).trim();
    const [given, family] = name.split(' ');
    childName = new RegExp(`${given}|${family}`);
    await check('guardian-home');

    await card.getByRole('link', { name: /Öppna/ }).click();
    await page.waitForURL(/\/app\/children\/[0-9a-f-]{36}$/);
    const childUrl = page.url();
    await check('guardian-child');
    await page
      .locator('section', { has: page.locator('#purpose-transfer') })
      .getByRole('button', { name: /Ge samtycke/ })
      .click();
    await page.waitForURL(/done=granted/);
    await expectText(page, 'Samtycket är registrerat');
    const withdraw = page
      .locator('section', { has: page.locator('#purpose-transfer') })
      .getByRole('button', { name: /Återkalla samtycke/ });
    await withdraw.click();
    await page.waitForURL(/done=withdrawn/);
    await expectText(page, 'Samtycket är återkallat');

    // The receipt of the withdrawal verifies against the kommun's published keys.
    const [receiptDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Hämta kvitto' }).first().click(),
    ]);
    const receipt = readFileSync(await receiptDownload.path(), 'utf8').trim();
    const jwks = createRemoteJWKSet(new URL(`${instance.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(receipt, jwks);
    expect(protectedHeader.typ).toBe('consent-receipt+jwt');
    expect(JSON.stringify(payload)).not.toMatch(childName);

    // A request for rectification, sent empty first: the error summary takes the focus.
    await page.getByRole('button', { name: 'Skicka' }).click();
    await expectText(page, 'Det finns fel i formuläret');
    expect(await page.evaluate('document.activeElement && document.activeElement.className')).toContain(
      'error-summary',
    );
    await check('guardian-child-form-error');
    await page.getByLabel('Beskriv med egna ord').fill('Fel årskurs står i registret.');
    await page.getByRole('button', { name: 'Skicka' }).click();
    await page.waitForURL(/\/app\/requests\?done=request/);

    // The export: asked for, followed live until the package is ready, downloaded and verified.
    await check('guardian-requests-received');
    await page.goto(childUrl);
    await page.getByRole('link', { name: /Se vem som har fått uppgifter/ }).click();
    await check('guardian-disclosures');
    await page.goto(childUrl);
    await page.getByRole('button', { name: 'Begär export' }).click();
    await page.waitForURL(/\/app\/requests\?done=export/);
    await check('guardian-requests-building');
    const downloadLink = page.getByRole('link', { name: 'Hämta paketet' });
    await downloadLink.first().waitFor({ timeout: 120_000 });
    await check('guardian-requests');
    const [pkg] = await Promise.all([page.waitForEvent('download'), downloadLink.first().click()]);
    const files = new Map(await unzip(readFileSync(await pkg.path())));
    const manifestJson = files.get('manifest.json')!;
    const verified = await compactVerify(files.get('manifest.jws')!.trim(), jwks);
    expect(verified.protectedHeader.typ).toBe('export-manifest+jws');
    expect(new TextDecoder().decode(verified.payload)).toBe(manifestJson);
    const manifest = JSON.parse(manifestJson) as { files: { name: string; sha256: string }[] };
    expect(manifest.files.length).toBeGreaterThanOrEqual(6);
    for (const f of manifest.files)
      expect(createHash('sha256').update(files.get(f.name)!, 'utf8').digest('hex')).toBe(f.sha256);

    await page.getByRole('link', { name: 'Visa' }).first().click();
    await check('guardian-request');
    // English is one click away.
    await page.getByRole('link', { name: 'In English' }).click();
    await page.waitForFunction("document.documentElement.lang === 'en'");
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Request');
    await check('guardian-request-en');
    await page.getByRole('link', { name: 'På svenska' }).click();
    await signOut(page);
  });

  it('a registrar uploads the OneRoster sample and watches the progress to the end', async () => {
    await signIn(page, instance.url, /Skoladministratör/);
    await check('registrar-home');
    await page.getByRole('link', { name: 'Elever', exact: true }).first().click();
    await check('registrar-pupils');
    await page.getByLabel('Sök på namn eller personnummer').fill('a');
    await page.getByRole('button', { name: 'Sök' }).click();
    expect(page.url()).toBe(`${instance.url}/app/pupils`); // the search stays out of the URL
    await check('registrar-pupils-search');

    const files: Record<string, Buffer> = {};
    for (const f of readdirSync(SAMPLE)) files[f] = readFileSync(join(SAMPLE, f));
    const zipPath = join(tmpdir(), `oneroster-sample-${process.pid}.zip`);
    writeFileSync(zipPath, await zipFiles(files));
    await page.goto(`${instance.url}/app/imports`);
    await check('registrar-imports-empty');
    await page.getByLabel('Format').selectOption('oneroster-1.2');
    await page.getByLabel(/Fil \(zip/).setInputFiles(zipPath);
    await page.getByRole('button', { name: 'Starta import' }).click();
    await page.waitForURL(/\/app\/imports\/[0-9a-f-]{36}$/);
    // Follow the bar until the page shows the result (the script reloads it when the job ends).
    const seen: string[] = [];
    const result = page.getByRole('heading', { name: 'Resultat' });
    for (let i = 0; i < 600 && !(await result.isVisible()); i++) {
      const text = await page
        .locator('[data-progress-text]')
        .innerText()
        .catch(() => '');
      if (text && seen[seen.length - 1] !== text) seen.push(text);
      await page.waitForTimeout(200);
    }
    expect(await result.isVisible()).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    await expectText(page, 'Förlustrapport');
    expect((await page.locator('.badge').first().innerText()).trim()).toBe('Klar');
    await check('registrar-import');
    await page.getByRole('link', { name: 'Importer', exact: true }).first().click();
    await check('registrar-imports');
    await page.getByRole('link', { name: 'Exporter', exact: true }).first().click();
    await page.getByRole('button', { name: 'Starta export' }).click();
    await page.waitForURL(/\/app\/exports$/);
    await page.getByRole('link', { name: 'Hämta filen' }).first().waitFor({ timeout: 120_000 });
    await check('registrar-exports');
    await signOut(page);
  });

  it('a DPO sees requests by deadline, answers one, and sees the audit chain verified', async () => {
    await signIn(page, instance.url, /Dataskyddsombud/);
    await check('dpo-home');
    await page.getByRole('link', { name: 'Begäranden' }).first().click();
    await check('dpo-requests');
    await page.getByRole('link', { name: 'Rättelse' }).first().click();
    await check('dpo-request');
    await page.getByLabel('Under handläggning').check();
    await page.getByRole('button', { name: 'Spara' }).click();
    await expectText(page, 'Under handläggning');
    await page.getByRole('link', { name: 'Loggkontroll' }).first().click();
    await expectText(page, 'Kedjan är hel.');
    await check('dpo-audit');
    await page.getByRole('link', { name: 'Policy' }).first().click();
    await check('dpo-policy');
    await page.getByRole('link', { name: 'Nycklar' }).first().click();
    await check('dpo-keys');
    await signOut(page);
  });

  it('an administrator sees the keys and the policy', async () => {
    await signIn(page, instance.url, /Administratör/);
    await check('admin-home');
    await page.getByRole('link', { name: 'Nycklar' }).first().click();
    await check('admin-keys');
  });

  it('found no serious or critical accessibility violation, no CSP violation and no script error', () => {
    expect(violations).toEqual({});
    expect(problems).toEqual([]);
  });
});

async function expectText(page: Page, text: string): Promise<void> {
  await page.getByText(text).first().waitFor({ timeout: 15_000 });
}
