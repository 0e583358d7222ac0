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
  // Nothing may leave the machine: requests to any other origin are aborted and reported.
  await context.route('**/*', (route) => {
    const target = route.request().url();
    if (target.startsWith('data:') || target.startsWith('blob:') || new URL(target).origin === origin) {
      return route.continue();
    }
    problems.push(`request to another origin: ${target}`);
    return route.abort();
  });
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
  const light = join(shotDir, 'cluster-light.png');
  await page.screenshot({ path: light, fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = join(shotDir, 'cluster-dark.png');
  await page.screenshot({ path: dark, fullPage: true });

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

  console.log(
    `e2e: seed ${seed}; ${brokers} brokers, ${replicas} replicas, 3 leaders; ` +
      `step ${firstStep} -> ${step} at ${time}`,
  );
  console.log(`e2e: screenshots ${light} and ${dark}`);
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

function expect(ok, what) {
  if (!ok) throw new Error(`expected ${what}`);
}
