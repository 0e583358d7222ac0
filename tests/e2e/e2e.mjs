// End-to-end test of the built page, as a visitor sees it: `cargo xtask test` serves `dist/` on
// loopback and runs `node tests/e2e/e2e.mjs <url> <screenshot-dir>`.
//
// It opens the page in headless Chromium and checks that the app mounted, drew the cluster of
// the default scenario (3 brokers, `orders` with 3 partitions x RF 3, a leader for each) and
// keeps running (the step number grows). Any console error, uncaught exception, failed request
// or request to another origin fails the test, and so does any Content-Security-Policy violation
// (`securitypolicyviolation`); at the end, an inline script injected on purpose must be refused,
// which shows the page's CSP is in force. Screenshots (light and dark) go to the folder.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [url, shotDir] = process.argv.slice(2);
if (!url || !shotDir) {
  console.error('usage: node tests/e2e/e2e.mjs <url> <screenshot-dir>');
  process.exit(2);
}
const origin = new URL(url).origin;
const TIMEOUT_MS = 30_000;

const problems = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
});

let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  await sameOriginOnly(context);
  const page = await context.newPage();
  // CSP violations, reported from inside the page (an init script runs before the page's own).
  let probingCsp = false;
  const violations = [];
  await page.exposeBinding('__logscopeCspViolation', (_source, v) => {
    if (probingCsp) violations.push(v);
    else problems.push(`CSP violation: ${v}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__logscopeCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`),
    );
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !probingCsp) problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
  page.on('requestfailed', (req) =>
    problems.push(`request failed: ${req.url()} (${req.failure()?.errorText ?? 'unknown'})`),
  );
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
  });

  await page.goto(url, { waitUntil: 'load', timeout: TIMEOUT_MS });

  // The app mounted and drew the cluster.
  await page.waitForSelector('svg.cluster .broker', { timeout: TIMEOUT_MS });
  const brokers = await page.locator('svg.cluster .broker').count();
  const replicas = await page.locator('svg.cluster .replica').count();
  expect(brokers === 3, `3 brokers drawn, found ${brokers}`);
  expect(replicas === 9, `9 replicas drawn (3 partitions x RF 3), found ${replicas}`);
  const ids = await page.locator('svg.cluster .broker').evaluateAll((els) =>
    els.map((e) => e.getAttribute('data-broker-id')),
  );
  expect(ids.join(',') === '1,2,3', `brokers 1,2,3 drawn, found ${ids.join(',')}`);

  // The simulation runs by itself: the step number grows and every partition gets a leader.
  const fact = (name) => page.locator(`[data-fact="${name}"]`).textContent();
  const seed = await fact('seed');
  const firstStep = Number(await fact('step'));
  await page.waitForFunction(
    (first) => Number(document.querySelector('[data-fact="step"]')?.textContent) > first,
    firstStep,
    { timeout: TIMEOUT_MS },
  );
  await page.waitForFunction(
    () => document.querySelectorAll('svg.cluster .replica--leader').length === 3,
    null,
    { timeout: TIMEOUT_MS },
  );
  const step = Number(await fact('step'));
  const time = await fact('time');

  mkdirSync(shotDir, { recursive: true });
  const shots = [];
  const shot = async (name) => {
    const path = join(shotDir, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    shots.push(path);
  };
  await shot('cluster-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot('cluster-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // Pause, then find the leader of orders-0.
  const click = (selector) => page.locator(selector).first().click();
  await click('button[data-action="toggle"]');
  await page.waitForSelector('button[data-action="toggle"]:text("Play")', { timeout: TIMEOUT_MS });
  const leaderOf = () =>
    page.evaluate(() => {
      const r = document.querySelector('svg.cluster .replica--leader[data-partition="orders-0"]');
      return r ? r.closest('.broker').getAttribute('data-broker-id') : null;
    });
  const oldLeader = await leaderOf();
  expect(oldLeader !== null, 'orders-0 has a leader');
  const beforeKill = Number(await fact('position'));

  // Kill it from the broker's menu: the click is a scenario line in the console.
  await click(`svg.cluster .broker[data-broker-id="${oldLeader}"]`);
  await click(`button[data-line="broker kill ${oldLeader}"]`);
  await page.waitForSelector(`svg.cluster .broker--offline[data-broker-id="${oldLeader}"]`, {
    timeout: TIMEOUT_MS,
  });
  const consoleText = await page.locator('.console__log').textContent();
  expect(consoleText.includes(`broker kill ${oldLeader}`), 'the kill is shown in the console');
  expect(Number(await fact('position')) === beforeKill + 1, 'the kill is one position');
  await shot('leader-killed');

  // Let time pass at 10x until the controller elects a new leader.
  await page.locator('input[data-control="speed"]').evaluate((el) => {
    el.value = '50';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await click('button[data-action="toggle"]');
  await page.waitForFunction(
    (old) => {
      const r = document.querySelector('svg.cluster .replica--leader[data-partition="orders-0"]');
      const b = r && r.closest('.broker').getAttribute('data-broker-id');
      return b !== null && b !== undefined && b !== old;
    },
    oldLeader,
    { timeout: TIMEOUT_MS },
  );
  await click('button[data-action="toggle"]');
  const newLeader = await leaderOf();
  const afterElection = Number(await fact('step'));
  await shot('new-leader');

  // Seek to just after the kill on the timeline, then one step back: before the kill.
  await page.locator('input[data-control="scrubber"]').evaluate((el, pos) => {
    el.value = String(pos);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, beforeKill + 1);
  await page.waitForFunction(
    (pos) => Number(document.querySelector('[data-fact="position"]')?.textContent) === pos,
    beforeKill + 1,
    { timeout: TIMEOUT_MS },
  );
  expect(
    (await page.locator(`svg.cluster .broker--offline[data-broker-id="${oldLeader}"]`).count()) === 1,
    'just after the kill the broker is down',
  );
  await click('button[data-action="back"]');
  await page.waitForFunction(
    (pos) => Number(document.querySelector('[data-fact="position"]')?.textContent) === pos,
    beforeKill,
    { timeout: TIMEOUT_MS },
  );
  expect((await leaderOf()) === oldLeader, `the old leader ${oldLeader} is shown again`);
  expect((await page.locator('svg.cluster .broker--offline').count()) === 0, 'no broker is down');
  await shot('stepped-back');

  // The shortcuts list, the small screens.
  await page.keyboard.press('?');
  await page.waitForSelector('.shortcuts', { timeout: TIMEOUT_MS });
  await shot('shortcuts');
  await page.keyboard.press('Escape');
  // The page must never scroll sideways: wide parts (the cluster) scroll inside their own box.
  const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.setViewportSize({ width: 800, height: 600 });
  await page.screenshot({ path: join(shotDir, 'iframe-800x600.png') });
  shots.push(join(shotDir, 'iframe-800x600.png'));
  expect((await sideways()) <= 0, `no sideways scroll at 800 px (the page is ${await sideways()} px too wide)`);
  await page.setViewportSize({ width: 360, height: 740 });
  await shot('phone-360');
  expect((await sideways()) <= 0, `no sideways scroll at 360 px (the page is ${await sideways()} px too wide)`);
  // The parts that open wider: the configs editor and a tour's step.
  await page.click('details[data-panel="configs"] > summary');
  expect((await sideways()) <= 0, `no sideways scroll at 360 px with the configs open (${await sideways()} px too wide)`);
  await shot('phone-360-configs');
  await page.click('details[data-panel="configs"] > summary');
  await page.selectOption('select[data-role="tour-select"]', '02-acks');
  await page.waitForSelector('[data-tour="02-acks"] .tour__text', { timeout: TIMEOUT_MS });
  expect((await sideways()) <= 0, `no sideways scroll at 360 px in a tour (${await sideways()} px too wide)`);
  await shot('phone-360-tour');
  await page.click('[data-action="tour-close"]');
  await page.click('button[data-action="compare"]');
  await page.waitForSelector('[data-role="compare"]', { timeout: TIMEOUT_MS });
  await shot('phone-360-compare');
  expect((await sideways()) <= 0, `no sideways scroll at 360 px comparing two runs (${await sideways()} px too wide)`);
  await page.click('[data-action="compare-close"]');

  // A guided tour: its text is not in the wasm; choosing it fetches tours/<id>.tour (same
  // origin, allowed by connect-src 'self') and opens its first step.
  await page.setViewportSize({ width: 1100, height: 700 });
  await page.selectOption('select[data-role="tour-select"]', '02-acks');
  await page.waitForSelector('[data-tour="02-acks"] .tour__text', { timeout: TIMEOUT_MS });
  const tourTitle = await page.locator('[data-tour="02-acks"] .tour__title').textContent();
  expect(tourTitle.startsWith('acks=0'), `the tour's title, found ${tourTitle}`);
  await page.click('[data-action="tour-close"]');
  console.log(`e2e: tour 02-acks fetched and opened ("${tourTitle}")`);

  // Korean: its text is not in the wasm either; the switch fetches i18n/ko.txt once, then the
  // page speaks Korean, the tour picker included; switching back needs no fetch.
  const koFetches = [];
  page.on('request', (req) => {
    if (new URL(req.url()).pathname.endsWith('/i18n/ko.txt')) koFetches.push(req.url());
  });
  const subtitle = () => page.locator('.app__subtitle').textContent();
  const englishSubtitle = await subtitle();
  await page.click('button[data-action="lang"]');
  await page.waitForSelector('main[lang="ko"]', { timeout: TIMEOUT_MS });
  const koreanSubtitle = await subtitle();
  expect(/[\uac00-\ud7a3]/.test(koreanSubtitle), `a Korean subtitle, found ${koreanSubtitle}`);
  const koTour = await page.locator('select[data-role="tour-select"] option[value="02-acks"]').textContent();
  expect(koTour.includes('리더 장애가 가져가는 것'), `the tour's Korean title, found ${koTour}`);
  await page.click('button[data-action="lang"]');
  await page.waitForSelector('main[lang="en"]', { timeout: TIMEOUT_MS });
  expect((await subtitle()) === englishSubtitle, 'the English subtitle back');
  expect(koFetches.length === 1, `one fetch of i18n/ko.txt, found ${koFetches.length}`);
  console.log(`e2e: Korean fetched on switching ("${koreanSubtitle}") and back to English`);

  // The policy is in force: an inline script is refused and reported as a violation.
  probingCsp = true;
  const inlineRan = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__logscopeInlineRan = true;';
    document.head.append(s);
    await new Promise((r) => setTimeout(r, 200));
    return window.__logscopeInlineRan === true;
  });
  await page.waitForTimeout(200);
  probingCsp = false;
  expect(!inlineRan, 'the CSP to refuse an injected inline script, but it ran');
  expect(violations.length > 0, 'a securitypolicyviolation for the injected inline script');
  console.log(`e2e: CSP in force (an injected inline script was refused: ${violations[0]})`);

  // A panic in this build is a wasm trap (panic = immediate-abort), which static/boot.js turns
  // into the error box with a reload link. The trap is simulated: no input makes the app panic.
  await page.evaluate(() => {
    const error = new WebAssembly.RuntimeError('unreachable');
    window.dispatchEvent(new ErrorEvent('error', { error, message: String(error) }));
  });
  const panicBox = page.locator('.panic[role="alert"]');
  await panicBox.waitFor({ timeout: TIMEOUT_MS });
  const panicText = await panicBox.textContent();
  expect(panicText.includes('stopped because of a bug'), `the trap's error box, found ${panicText}`);
  expect(
    (await panicBox.locator('a.panic__reload').getAttribute('href')) === page.url(),
    'the error box to link to the page itself',
  );
  expect((await panicBox.boundingBox()) !== null, 'the error box to be visible');
  await shot('panic-box');
  console.log('e2e: a wasm trap shows the error box with its reload link');

  console.log(
    `e2e: seed ${seed}; ${brokers} brokers, ${replicas} replicas, 3 leaders; ` +
      `step ${firstStep} -> ${step} at ${time}`,
  );
  console.log(
    `e2e: killed leader ${oldLeader} of orders-0 at position ${beforeKill}; ` +
      `broker ${newLeader} elected by step ${afterElection}; stepped back: ${oldLeader} leads again`,
  );
  console.log(`e2e: screenshots ${shots.join(', ')}`);

  // A browser set to Korean: the page fetches the Korean text before it draws, and opens in
  // Korean; when the text cannot be fetched it opens in English and says why.
  const koContext = await browser.newContext({
    viewport: { width: 1100, height: 700 },
    locale: 'ko-KR',
  });
  await sameOriginOnly(koContext);
  const koPage = await koContext.newPage();
  koPage.on('pageerror', (err) => problems.push(`uncaught exception (ko-KR): ${err.message}`));
  await koPage.goto(url, { waitUntil: 'load', timeout: TIMEOUT_MS });
  await koPage.waitForSelector('main[lang="ko"] svg.cluster .broker', { timeout: TIMEOUT_MS });
  const koOpened = await koPage.locator('.app__subtitle').textContent();
  expect(koOpened === koreanSubtitle, `the page to open in Korean, found ${koOpened}`);
  const failPage = await koContext.newPage();
  failPage.on('pageerror', (err) => problems.push(`uncaught exception (ko-KR, 404): ${err.message}`));
  await failPage.route('**/i18n/ko.txt', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await failPage.goto(url, { waitUntil: 'load', timeout: TIMEOUT_MS });
  await failPage.waitForSelector('main[lang="en"] svg.cluster .broker', { timeout: TIMEOUT_MS });
  const notices = await failPage.locator('[data-role="notice"] li').allTextContents();
  expect(
    notices.some((n) => n.startsWith('The Korean text could not be loaded (HTTP 404)')),
    `a notice saying why the page is in English, found ${notices.join(' | ')}`,
  );
  await koContext.close();
  console.log('e2e: a Korean browser gets Korean at once, or English and a notice when it cannot');
} catch (err) {
  failed = true;
  console.error(`e2e: ${err.message}`);
} finally {
  await browser.close();
}

if (problems.length > 0) {
  failed = true;
  console.error('e2e: the page reported problems:');
  for (const p of problems) console.error(`  ${p}`);
}
if (failed) process.exit(1);
console.log('e2e: ok');

// Nothing may leave the machine: requests to any other origin are aborted and reported.
function sameOriginOnly(context) {
  return context.route('**/*', (route) => {
    const target = route.request().url();
    if (target.startsWith('data:') || target.startsWith('blob:') || new URL(target).origin === origin) {
      return route.continue();
    }
    problems.push(`request to another origin: ${target}`);
    return route.abort();
  });
}

function expect(ok, what) {
  if (!ok) throw new Error(`expected ${what}`);
}
