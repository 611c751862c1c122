import type { Browser, Page } from 'playwright-core';
import {
  checkPage,
  launch,
  newContext,
  signIn,
  startInstance,
  type AxeViolation,
  type Instance,
} from './browser-harness';

const SENDER = '1980'; // the demo kommun
const RECEIVER = '0180';

async function api(
  base: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function devToken(base: string, user: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${base}/dev-idp/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * Two instances, each of its own kommun and trusting the other: the sending registrar sends a pupil
 * from the pages (seeing what goes before sealing), the receiving registrar accepts it from the inbox,
 * and the sender's outbox shows it accepted.
 */
describe('a transfer between two instances, in Chromium', () => {
  let a: Instance;
  let b: Instance;
  let browser: Browser;
  const problems: string[] = [];
  const violations: Record<string, AxeViolation[]> = {};

  const check = async (page: Page, name: string) => {
    const found = await checkPage(page, name);
    if (found.length) violations[name] = found;
  };

  beforeAll(async () => {
    a = await startInstance();
    b = await startInstance({ DEMO_DATA: 'off' });
    const operator = await devToken(b.url, { roles: ['operator'] });
    await api(b.url, 'POST', '/v1/kommuner', operator, { code: RECEIVER, name: 'Stockholm' });
    for (const [host, code, peer, peerCode, name] of [
      [a, SENDER, b, RECEIVER, 'Stockholm'],
      [b, RECEIVER, a, SENDER, 'Västerås'],
    ] as const) {
      await fetch(`${host.url}/kommuner/${code}/.well-known/jwks.json`); // makes the kommun's keys
      const admin = await devToken(host.url, { roles: ['admin'], kommun: code });
      await api(host.url, 'PUT', `/v1/kommuner/${code}/trust/peers/${peerCode}`, admin, {
        name,
        baseUrl: peer.url,
      });
    }
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await a?.stop();
    await b?.stop();
  });

  it('sends a pupil from one instance, the other accepts it, and the first sees it accepted', async () => {
    const sender = await (await newContext(browser, problems)).newPage();
    await signIn(sender, a.url, /Skoladministratör/);
    await sender.getByRole('link', { name: 'Överlämningar' }).first().click();
    await check(sender, 'registrar-transfers-empty');
    await sender.getByRole('link', { name: /Skicka en elev/ }).click();
    await check(sender, 'registrar-transfer-new');
    await sender.getByLabel('Sök på namn eller personnummer').fill('a');
    await sender.getByRole('button', { name: 'Sök' }).click();
    await check(sender, 'registrar-transfer-pick');
    await sender.getByLabel('Mottagande kommun och skolenhet').selectOption(`${RECEIVER}|`);
    await sender.getByRole('button', { name: 'Visa vad som skickas' }).click();
    await sender.getByRole('heading', { name: 'Det här skickas', exact: true }).waitFor();
    await check(sender, 'registrar-transfer-preview');
    await sender.getByRole('button', { name: 'Försegla och skicka' }).click();
    await sender.waitForURL(/\/app\/transfers\?done=sent$/);
    await check(sender, 'registrar-transfers-sent');

    const receiver = await (await newContext(browser, problems)).newPage();
    await signIn(receiver, b.url, /Skoladministratör/);
    await receiver.goto(`${b.url}/app/transfers/inbox`);
    const row = receiver.locator('tbody tr a').first();
    for (let i = 0; i < 120 && !(await row.isVisible()); i++) {
      await receiver.waitForTimeout(500);
      await receiver.reload();
    }
    await check(receiver, 'registrar-inbox');
    await row.click();
    await receiver.waitForURL(/\/app\/transfers\/inbox\/[0-9a-f-]{36}$/);
    await check(receiver, 'registrar-inbox-item');
    await receiver.getByRole('button', { name: 'Godkänn och för in' }).click();
    await receiver.getByText('Beslutet är registrerat').waitFor();

    // The sender's outbox follows the acknowledgement by itself (the page's script reloads it).
    const accepted = sender.locator('[data-state="accepted"]');
    for (let i = 0; i < 240 && !(await accepted.isVisible()); i++) await sender.waitForTimeout(500);
    expect(await accepted.isVisible()).toBe(true);
    expect((await accepted.innerText()).trim()).toBe('Mottagen och godkänd');
    await sender.goto(`${a.url}/app/transfers`); // a page of its own, not one the script may still reload
    await check(sender, 'registrar-transfers-accepted');

    await signIn(receiver, b.url, /Administratör/);
    await receiver.getByRole('link', { name: 'Förtroenderegister' }).first().click();
    await check(receiver, 'admin-trust');
    expect(violations).toEqual({});
    expect(problems).toEqual([]);
  });
});
