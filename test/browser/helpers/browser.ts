// Debian's Chromium, headless, driven by playwright-core (never a downloaded browser). Where
// /usr/bin/chromium is missing the browser tests skip with the reason (.ci/run installs it when
// test/browser/.needs-chromium exists).
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env['SP_CHROMIUM'] ?? '/usr/bin/chromium';
/** Screenshots for the README are this size, whatever the machine. */
export const VIEWPORT = { width: 1280, height: 800 } as const;
/**
 * Where the tests save their screenshots: the README's own (docs/screenshots/) with
 * `npm run screenshots`, which sets SP_SCREENSHOTS; a temporary folder otherwise, so that a test
 * run leaves the checkout as it was.
 */
export const SCREENSHOTS = `${resolve(process.env['SP_SCREENSHOTS'] ?? join(tmpdir(), 'serviceplus-screenshots'))}/`;
mkdirSync(SCREENSHOTS, { recursive: true });

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does it)`;
}

/**
 * A fresh headless Chromium; playwright gives it a new, empty profile directory of its own. The
 * caller closes it (register that after the server started: teardowns run last-registered
 * first, so the browser's connections are gone before the server waits for its own to end).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

/**
 * Launches the browser while `starting` (the chain under test) starts. The browser's teardown is
 * registered after the chain's, so it runs first; if the chain fails to start, the browser is
 * closed at once.
 */
export async function withBrowser<T>(t: Teardown, starting: Promise<T>): Promise<[T, Browser]> {
  const launching = launchChromium();
  let started: T;
  try {
    started = await starting;
  } catch (error) {
    await launching.then((browser) => browser.close(), () => {});
    throw error;
  }
  const browser = await launching;
  t.teardown(() => browser.close());
  return [started, browser];
}

/** A page with the screenshot viewport, a fixed locale and time zone, and console errors collected. */
export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'Europe/Amsterdam' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

/**
 * Loads `url` in `page` (fresh, so nothing is cached) and adds up what crossed the network until
 * the load settled: Chromium's encodedDataLength per request (headers and compressed body), which
 * is what DevTools calls "transferred".
 */
export async function measureFirstLoad(page: Page, url: string): Promise<{ bytes: number; requests: Array<{ url: string; bytes: number }> }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Network.enable');
    const urls = new Map<string, string>();
    const requests: Array<{ url: string; bytes: number }> = [];
    cdp.on('Network.requestWillBeSent', (event) => urls.set(event.requestId, event.request.url));
    cdp.on('Network.loadingFinished', (event) => requests.push({ url: urls.get(event.requestId) ?? '?', bytes: event.encodedDataLength }));
    cdp.on('Network.loadingFailed', (event) => requests.push({ url: urls.get(event.requestId) ?? '?', bytes: 0 }));
    await page.goto(url, { waitUntil: 'networkidle' });
    return { bytes: requests.reduce((sum, r) => sum + r.bytes, 0), requests };
  } finally {
    await cdp.detach();
  }
}
