import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const ROOT = join(__dirname, '..', '..');
export const SCREENSHOTS = join(ROOT, 'test-artifacts', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Instance {
  url: string;
  child: ChildProcess;
  dataDir: string;
  output: () => string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * The built service started as `npm start` starts it (with --demo: the development identity provider
 * and a demo kommun on a fresh embedded database), on a free port; resolves when it listens.
 */
export async function startInstance(env: Record<string, string> = {}): Promise<Instance> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'portabel-browser-'));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--max-old-space-size=384', 'dist/src/main.js', '--demo'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PERSON: '100000',
      RATE_LIMIT_ANONYMOUS: '100000',
      ...env,
    },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 150_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited:\n${out}`);
    const ok = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (
      ok &&
      (await fetch(`${url}/app`).then(
        (r) => r.ok,
        () => false,
      ))
    )
      break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`no start within 150 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { url, child, dataDir, output: () => out, stop };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-background-networking'],
  });
}

/** A browser context that fails the test on any Content-Security-Policy violation or page error. */
export async function newContext(browser: Browser, problems: string[]): Promise<BrowserContext> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: DESKTOP, locale: 'sv-SE' });
  context.on('page', (p) => watch(p, problems));
  return context;
}

function watch(page: Page, problems: string[]): void {
  page.on('console', (m) => {
    // A form sent back with its errors answers 400 on purpose (the browser logs every 4xx document).
    if (m.type() === 'error' && !/status of 400/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * A page that follows a job live reloads itself when the job ends; a screenshot caught in that reload
 * never finishes, so it is taken again once the new page has loaded.
 */
async function screenshot(page: Page, path: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.screenshot({ path, fullPage: true, timeout: 10_000 });
      return;
    } catch (err) {
      if (attempt === 3) throw err;
      await page.waitForLoadState('load');
    }
  }
}

/**
 * The page as it is: axe-core (WCAG 2.0/2.1 A and AA rules) finds no serious or critical violation,
 * the title names no child, and a screenshot on a phone and on a desktop is kept as an artefact.
 * axe is evaluated through the DevTools protocol, so the page's CSP stays on.
 */
export async function checkPage(
  page: Page,
  name: string,
  forbiddenInTitle: RegExp[] = [],
): Promise<AxeViolation[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.waitForLoadState('load');
  const title = await page.title();
  for (const f of forbiddenInTitle)
    if (f.test(title)) throw new Error(`${name}: the title "${title}" names a child`);
  for (const f of forbiddenInTitle) if (f.test(page.url())) throw new Error(`${name}: the URL names a child`);
  await page.evaluate(AXE);
  const violations = await page.evaluate<AxeViolation[]>(`axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`);
  await page.setViewportSize(PHONE);
  await screenshot(page, join(SCREENSHOTS, `${name}-phone.png`));
  await page.setViewportSize(DESKTOP);
  await screenshot(page, join(SCREENSHOTS, `${name}-desktop.png`));
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Signs in through the pages and the development identity provider, as the demo person of that label. */
export async function signIn(page: Page, base: string, personLabel: RegExp): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${base}/app`);
  await page.getByRole('link', { name: /Logga in med/ }).click();
  await page.waitForURL(/\/dev-idp\/authorize/);
  await page.locator('li.card', { hasText: personLabel }).getByRole('button').click();
  await page.waitForURL(/\/app\/home$/);
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /Logga ut|Sign out/ }).click();
  await page.waitForURL(/\/app$/);
}
