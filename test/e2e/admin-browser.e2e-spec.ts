/**
 * The admin page in a real browser, on both platforms: Debian's Chromium
 * driven by puppeteer-core (no browser is downloaded). An admin's browser
 * (its cookie) sees the counters move after requests, purges a tag from the
 * page's form and no longer finds the entry; a screenshot of the page is
 * written to test/output/ for the README. Without Chromium the suite is
 * skipped loudly, and fails under CI=true.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { type INestApplication } from '@nestjs/common';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import request from 'supertest';
import { platforms } from '../support/cache-app.js';
import { makeAdminApp } from './admin-app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT_DIR = new URL('../output/', import.meta.url);

function describeWithChromium(): typeof describe | typeof describe.skip {
  if (existsSync(CHROMIUM)) return describe;
  if (process.env.CI === 'true') throw new Error(`CI=true but no Chromium at ${CHROMIUM}`);
  console.warn(`SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  return describe.skip;
}

describeWithChromium()('the admin page in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Root in CI containers: Chromium's sandbox needs user namespaces it may not have.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
  }, 60_000);
  afterAll(() => browser?.close());

  describe.each(platforms)('on %s', (platform) => {
    let app: INestApplication;
    let context: BrowserContext;
    let page: Page;
    let origin: string;
    beforeEach(async () => {
      app = await makeAdminApp(platform);
      origin = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
      context = await browser.createBrowserContext();
      page = await context.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      // Logged in as an admin: the guard admits this cookie.
      await page.setCookie({ name: 'admin', value: 'yes', url: origin });
    });
    afterEach(async () => {
      await context?.close();
      // The browser's keep-alive sockets would hold the server open.
      (app.getHttpServer() as import('node:http').Server).closeAllConnections();
      await app.close();
    });

    const text = (selector: string) => page.$eval(selector, (el) => el.textContent?.trim() ?? '');
    const cell = (route: string, outcome: string) =>
      text(`tr[data-route="${route}"][data-method="GET"] td[data-outcome="${outcome}"]`);
    const keys = () => page.$$eval('#keys code', (codes) => codes.map((c) => c.textContent ?? ''));

    it('shows the counters moving, and purges a tag from its form', async () => {
      const violations: string[] = [];
      const stylesheets: number[] = [];
      page.on('console', (message) => {
        if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
      });
      page.on('response', (res) => {
        if (res.url().endsWith('/admin.css')) stylesheets.push(res.status());
      });
      const response = await page.goto(`${origin}/cachex`);
      expect(response!.status()).toBe(200);
      expect(await text('#requests')).toBe('0');

      const http = () => request(app.getHttpServer());
      await http().get('/products/1').expect(200);
      await http().get('/products/1').expect(200);
      await http().get('/products/2').expect(200);
      await page.reload();
      expect(await text('#requests')).toBe('3');
      expect(await cell('/products/:id', 'stored')).toBe('2');
      expect(await cell('/products/:id', 'hit')).toBe('1');
      expect(await text('#entries')).toBe('2');
      // The one hit's body, in the routes by bytes served from the cache.
      const hitBytes = await page.$eval('#routes-by-bytes tr[data-route="/products/:id"]', (row) =>
        row.getAttribute('data-bytes'),
      );
      expect(Number(hitBytes)).toBe(Buffer.byteLength((await http().get('/products/1')).text));
      expect(await keys()).toEqual(
        expect.arrayContaining([expect.stringContaining('/products/1')]),
      );

      await page.type('#purge-tag input[name="tag"]', 'product:1');
      await Promise.all([page.waitForNavigation(), page.click('#purge-tag button')]);
      expect(new URL(page.url()).pathname).toBe('/cachex');
      expect(await text('#message')).toBe('Purged product:1: 1 entry');
      expect(await text('#entries')).toBe('1');
      const left = await keys();
      expect(left.some((key) => key.includes('/products/1'))).toBe(false);
      expect(left.some((key) => key.includes('/products/2'))).toBe(true);
      const after = await http().get('/products/1').expect(200);
      expect(after.headers['cache-status']).toMatch(/fwd=miss; stored/);

      await page.reload();
      expect(await cell('/products/:id', 'stored')).toBe('3');
      // The page's stylesheet loads under its own CSP, and nothing was blocked.
      expect(stylesheets.length).toBeGreaterThan(0);
      expect(stylesheets.every((status) => status === 200)).toBe(true);
      expect(violations).toEqual([]);
      mkdirSync(OUTPUT_DIR, { recursive: true });
      await page.screenshot({
        path: new URL(`admin-page-${platform}.png`, OUTPUT_DIR).pathname as `${string}.png`,
        fullPage: true,
      });
    }, 30_000);
  });
});
