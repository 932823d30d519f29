// Shared helpers of Vigie's browser tests: launching Debian's Chromium through playwright-core,
// recording every request (to fail on any third-party request), collecting console messages (to
// fail on CSP violations and script errors), and small assertions.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BASE = process.env.VIGIE_URL;
if (!BASE) {
  throw new Error('VIGIE_URL is not set (run the tests through e2e/run.sh)');
}
export const ORIGIN = new URL(BASE).origin;
export const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
fs.mkdirSync(OUT, { recursive: true });

export function check(condition, message) {
  if (!condition) {
    throw new Error(`échec : ${message}`);
  }
}

export function log(message) {
  console.log(`  ${message}`);
}

/** Opens Chromium on a fresh profile; returns { context, page, finish }. `finish()` closes it and
 * throws if a request left the Vigie server, a response was an error not listed in `allow`
 * (regular expressions matched against "METHOD URL → STATUS"), or the console reported a CSP
 * violation or a script error. */
export async function openBrowser(name, allow = []) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), `vigie-e2e-${name}-`));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
  });
  const requests = [];
  const failures = [];
  const consoleMessages = [];
  context.on('request', (request) => requests.push(request.url()));
  context.on('requestfailed', (request) => failures.push(`${request.url()} (${request.failure()?.errorText})`));
  context.on('response', async (response) => {
    if (response.status() >= 400) {
      const request = response.request();
      const headers = await request.allHeaders().catch(() => ({}));
      failures.push(`${request.method()} ${response.url()} → ${response.status()} (origin: ${headers.origin ?? '-'}, sec-fetch-site: ${headers['sec-fetch-site'] ?? '-'})`);
    }
  });
  const watch = (page) => {
    page.on('console', (message) => consoleMessages.push(`[${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => consoleMessages.push(`[pageerror] ${error.message}`));
  };
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);

  async function finish() {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
    const foreign = requests.filter((url) => {
      if (url.startsWith('data:') || url.startsWith('blob:')) return false;
      try {
        return new URL(url).origin !== ORIGIN;
      } catch {
        return true;
      }
    });
    log(`${requests.length} requêtes, toutes vers ${ORIGIN}` + (foreign.length ? ' — sauf ' + foreign.length : ''));
    check(foreign.length === 0, `requêtes vers un autre hôte que Vigie :\n${foreign.join('\n')}`);
    const unexpected = failures.filter((failure) => !allow.some((pattern) => new RegExp(pattern).test(failure)));
    check(unexpected.length === 0, `requêtes en échec :\n${unexpected.join('\n')}`);
    // Error statuses are checked above, against `allow`; anything else in red fails.
    const bad = consoleMessages.filter((m) =>
      /Content Security Policy|Refused to|\[pageerror\]|\[error\]/i.test(m) &&
      !/Failed to load resource: the server responded with a status of/.test(m));
    const notable = consoleMessages.filter((m) => !/^\[log\] %cdsfr : /.test(m));
    if (notable.length) {
      log(`console : ${notable.length} message(s)`);
      notable.forEach((m) => log(`    ${m}`));
    }
    check(bad.length === 0, `erreurs dans la console (CSP ou script) :\n${bad.join('\n')}`);
  }

  return { context, page, finish };
}

/** Checks that the DSFR stylesheet, its Marianne font and its icons are in effect on the page. */
export async function checkDsfrLoaded(page) {
  const state = await page.evaluate(async () => {
    await document.fonts.ready;
    const body = getComputedStyle(document.body).fontFamily;
    const marianne = document.fonts.check('16px Marianne');
    const loadedFaces = [...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family);
    const logo = document.querySelector('.fr-logo');
    const logoBefore = logo ? getComputedStyle(logo, '::before').backgroundImage : '';
    return { body, marianne, loadedFaces, logoBefore };
  });
  check(/Marianne/.test(state.body), `police du corps de page : ${state.body}`);
  check(state.loadedFaces.some((family) => /Marianne/.test(family)), `la police Marianne n'est pas chargée (${state.loadedFaces.join(', ')})`);
  check(state.logoBefore && state.logoBefore !== 'none', 'le bloc Marianne du logo n\'a pas d\'image');
  return state;
}

/** The demo accounts listed on the login page: { username: password }. */
export async function demoAccounts(page) {
  await page.goto(`${BASE}/connexion`);
  const rows = await page.$$eval('#comptes-demo tbody tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
  check(rows.length > 0, 'la page de connexion ne liste aucun compte de démonstration');
  return Object.fromEntries(rows);
}

/** Saves a full-page screenshot as out/<name>.png. `caret: 'initial'`: by default Playwright hides the
 * text caret by setting an inline style, which our CSP rightly blocks and reports (seen in CI). */
export async function shot(page, name) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true, caret: 'initial' });
}

/** Waits until the map in `selector` has no outline request in flight (`data-fond-en-cours`, set by
 * fond-carte.js): before a screenshot, and before leaving the page, which would abort the request
 * and fail the test (seen in CI). */
export async function outlinesDrawn(page, selector) {
  await page.waitForSelector(`${selector}[data-fond-en-cours="0"]`, { timeout: 30000 });
}

export async function signIn(page, username, password) {
  await page.goto(`${BASE}/connexion`);
  await page.fill('#identifiant', username);
  await page.fill('#mot-de-passe', password);
  await Promise.all([page.waitForURL(`${BASE}/`), page.click('button:has-text("Se connecter")')]);
}

export async function signOut(page) {
  await Promise.all([page.waitForURL(`${BASE}/connexion`), page.click('button:has-text("Se déconnecter")')]);
}

/** Runs a test body with a fresh browser; reports every failure (of the body, and of the checks
 * made when the browser closes) and sets a non-zero exit code. */
export async function run(name, body, { allow = [] } = {}) {
  console.log(`▶ ${name}`);
  const errors = [];
  let browser;
  try {
    browser = await openBrowser(name.replace(/[^a-z]+/gi, '-'), allow);
    await body(browser.page);
  } catch (error) {
    errors.push(error);
  }
  if (browser) {
    try {
      await browser.finish();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 0) {
    console.log(`✔ ${name}`);
  } else {
    console.error(`✘ ${name}`);
    errors.forEach((error) => console.error(error.stack ?? error));
    process.exitCode = 1;
  }
}
