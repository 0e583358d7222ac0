// End-to-end test of embedding (issue 8): `cargo xtask e2e` serves `dist/` on loopback and runs
// `node tests/e2e/embed.mjs <url>` after e2e.mjs.
//
// 1. It opens dist/embed.html (the example course page) in headless Chromium and drives its
//    first iframe through the postMessage API, as a course page would: it waits for `ready`,
//    sends `load` (a scenario and a seed), `run` (a line), `seek` (a step) and checks the
//    events the frame sends back (`step` with the right numbers) and the frame's own DOM.
// 2. It opens the same page from another origin (http://localhost:<port> instead of
//    http://127.0.0.1:<port>) with its frames told to allow only 127.0.0.1: a command from
//    there must change nothing, the frame must warn that it ignored it, and no event may reach
//    that page.
// 3. A link that was tampered with opens the default scenario with a plain notice, and leaves
//    the saved session in localStorage as it was.
// Console errors, uncaught exceptions, failed requests and requests off the machine fail it.

import { chromium } from 'playwright-core';

const [url] = process.argv.slice(2);
if (!url) {
  console.error('usage: node tests/e2e/embed.mjs <url>');
  process.exit(2);
}
const base = new URL(url);
const origin = base.origin;
const foreign = `http://localhost:${base.port}`;
const TIMEOUT_MS = 30_000;

const problems = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});

function watch(page, name) {
  const warnings = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${name}: console error: ${msg.text()}`);
    if (msg.type() === 'warning') warnings.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(`${name}: uncaught exception: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`${name}: request failed: ${req.url()}`));
  return warnings;
}

async function newContext() {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  await context.route('**/*', (route) => {
    const target = new URL(route.request().url());
    if (['data:', 'blob:'].includes(target.protocol) || target.origin === origin || target.origin === foreign) {
      return route.continue();
    }
    problems.push(`request to another origin: ${target.href}`);
    return route.abort();
  });
  return context;
}

let failed = false;
try {
  // 1. Driven through postMessage from an allowed origin.
  const context = await newContext();
  const page = await context.newPage();
  const warnings = watch(page, 'embed.html');
  await page.goto(new URL('embed.html', url).href, { waitUntil: 'load', timeout: TIMEOUT_MS });
  const events = () => page.evaluate(() => window.logscopeEvents);
  const waitEvent = (pred, what) =>
    page
      .waitForFunction(pred, null, { timeout: TIMEOUT_MS, polling: 50 })
      .catch(() => {
        throw new Error(`no ${what} event arrived`);
      });
  await waitEvent(() => window.logscopeEvents.some((m) => m.event === 'ready'), 'ready');
  const frame = page.frameLocator('#driven iframe');
  await frame.locator('svg.cluster .broker').first().waitFor({ timeout: TIMEOUT_MS });
  // controls=step,play and console=0 are honoured.
  expect((await frame.locator('button[data-action="step"]').count()) === 1, 'the step control shown');
  expect((await frame.locator('button[data-action="fork"]').count()) === 0, 'fork hidden (controls=step,play)');
  expect((await frame.locator('.console').count()) === 0, 'the console hidden (console=0)');
  expect((await frame.locator('main.app--embed').count()) === 1, 'the compact layout');

  // load: a scenario with seed 7; the frame opens where the script ends, paused.
  await page.evaluate(() => {
    window.logscopeEvents.length = 0;
    window.logscopeSend('load', {
      script: 'cluster brokers=3\nkafka-topics --create --topic orders --replica-assignment 1:2:3\nrun 2s\n',
      seed: 7,
    });
  });
  await waitEvent(
    () => window.logscopeEvents.some((m) => m.event === 'step' && m.seed === 7 && m.running === false),
    'step (after load)',
  );
  expect((await frame.locator('[data-fact="seed"]').textContent()) === '7', 'the frame shows seed 7');
  const loadedStep = Number(await frame.locator('[data-fact="step"]').textContent());
  expect(loadedStep > 0, `the script ran (step ${loadedStep})`);
  // With --replica-assignment 1:2:3, broker 1 is the preferred leader of orders-0.
  await frame.locator('svg.cluster .broker[data-broker-id="1"] .replica--leader[data-partition="orders-0"]').waitFor({ timeout: TIMEOUT_MS });

  // run: a line, as a learner would type it.
  await page.evaluate(() => window.logscopeSend('run', { line: 'broker kill 1' }));
  await frame.locator('svg.cluster .broker--offline[data-broker-id="1"]').waitFor({ timeout: TIMEOUT_MS });

  // seek: a step further on; the frame runs on to it, paused, and says so.
  const target = loadedStep + 40;
  await page.evaluate((step) => {
    window.logscopeEvents.length = 0;
    window.logscopeSend('seek', { step });
  }, target);
  await page.waitForFunction(
    (step) => window.logscopeEvents.some((m) => m.event === 'step' && m.step === step && m.running === false),
    target,
    { timeout: TIMEOUT_MS },
  );
  expect(Number(await frame.locator('[data-fact="step"]').textContent()) === target, `the frame shows step ${target}`);
  const stepEvent = (await events()).find((m) => m.event === 'step' && m.step === target);
  expect(stepEvent.type === 'logscope' && stepEvent.v === 1 && typeof stepEvent.time_ms === 'number', 'a versioned step event');

  // A bad message is ignored with a warning and changes nothing.
  await page.evaluate(() => {
    const f = document.querySelector('#driven iframe').contentWindow;
    f.postMessage({ type: 'logscope', v: 1, command: 'seek', step: -3 }, '*');
    f.postMessage({ type: 'logscope', v: 2, command: 'play' }, '*');
    f.postMessage('play', '*');
  });
  await page.waitForTimeout(300);
  expect(Number(await frame.locator('[data-fact="step"]').textContent()) === target, 'bad messages changed nothing');
  const frameWarnings = warnings.filter((w) => w.includes('logscope: a message was ignored'));
  expect(frameWarnings.length >= 3, `3 warnings for 3 bad messages, got: ${frameWarnings.join(' | ')}`);
  await context.close();

  // 2. The same page from an origin the frames do not allow.
  const context2 = await newContext();
  const page2 = await context2.newPage();
  const warnings2 = watch(page2, 'foreign embed.html');
  const foreignUrl = new URL('embed.html', foreign + base.pathname);
  foreignUrl.search = `origin=${encodeURIComponent(origin)}`;
  await page2.goto(foreignUrl.href, { waitUntil: 'load', timeout: TIMEOUT_MS });
  const frame2 = page2.frameLocator('#driven iframe');
  await frame2.locator('svg.cluster .broker').first().waitFor({ timeout: TIMEOUT_MS });
  await page2.waitForTimeout(300);
  await page2.evaluate(() => window.logscopeSend('run', { line: 'broker kill 1' }));
  await page2.waitForTimeout(500);
  expect((await frame2.locator('svg.cluster .broker--offline').count()) === 0, 'a command from a foreign origin changed nothing');
  expect(
    warnings2.some((w) => w.includes(`a message from ${foreign} was ignored`)),
    `the frame warned that it ignored ${foreign}: ${warnings2.join(' | ')}`,
  );
  const events2 = await page2.evaluate(() => window.logscopeEvents.length);
  expect(events2 === 0, `no event posted to a foreign origin (got ${events2})`);
  await context2.close();

  // 3. A tampered link: the default scenario, a plain notice, the saved session untouched.
  const context3 = await newContext();
  const page3 = await context3.newPage();
  watch(page3, 'tampered link');
  // A plain file of the same origin, to reach its localStorage without starting the app.
  await page3.goto(new URL('embed.css', url).href, { waitUntil: 'load', timeout: TIMEOUT_MS });
  const saved = 'v=1&seed=5&step=0&view=cluster&lang=en&s=Y2x1c3RlciBicm9rZXJzPTEK&c=00000000';
  await page3.evaluate((s) => localStorage.setItem('logscope.session.v1', s), saved);
  await page3.goto(`${url}?v=1&seed=1&step=0&view=cluster&lang=en&s=Y2x1c3RlciBicm9rZXJzPTEK&c=deadbeef`, {
    waitUntil: 'load',
    timeout: TIMEOUT_MS,
  });
  await page3.locator('[data-role="notice"]').waitFor({ timeout: TIMEOUT_MS });
  const notice = await page3.locator('[data-role="notice"]').textContent();
  expect(notice.includes('could not be opened') && notice.includes('check value'), `a plain reason: ${notice}`);
  expect((await page3.locator('svg.cluster .broker').count()) === 3, 'the default scenario (3 brokers)');
  await page3.waitForTimeout(300);
  expect((await page3.evaluate(() => localStorage.getItem('logscope.session.v1'))) === saved, 'the saved session untouched');
  await context3.close();

  // 4. A course page fixes a tour (tour=<id>): the frame fetches the tour's text (same origin,
  //    within the CSP) and opens on its first step.
  const context4 = await newContext();
  const page4 = await context4.newPage();
  watch(page4, 'embedded tour');
  const tourRequests = [];
  page4.on('request', (req) => {
    if (req.url().includes('/tours/')) tourRequests.push(new URL(req.url()).pathname);
  });
  await page4.goto(`${url}?embed=1&console=0&tour=04-unclean-election&origin=${encodeURIComponent(origin)}`, {
    waitUntil: 'load',
    timeout: TIMEOUT_MS,
  });
  await page4.locator('[data-tour="04-unclean-election"] .tour__text').waitFor({ timeout: TIMEOUT_MS });
  expect((await page4.locator('.tour__progress').textContent()).startsWith('Step 1/'), 'the tour on its first step');
  expect(tourRequests.join() === '/tours/04-unclean-election.tour', `one fetch of the tour's file, got ${tourRequests.join()}`);
  expect((await page4.locator('svg.cluster .broker').count()) === 2, "the tour's own cluster (2 brokers)");
  await context4.close();

  // 5. The tour's file cannot be fetched: the panel says so and offers to try again, which works
  //    once the file is reachable. (Not watched: the refused request is logged on purpose.)
  const context5 = await newContext();
  const page5 = await context5.newPage();
  page5.on('pageerror', (err) => problems.push(`tour fetch failure: uncaught exception: ${err.message}`));
  let refuse = true;
  await page5.route('**/tours/02-acks.tour', (route) => (refuse ? route.fulfill({ status: 503, body: 'down' }) : route.continue()));
  await page5.goto(`${url}?embed=1&tour=02-acks`, { waitUntil: 'load', timeout: TIMEOUT_MS });
  await page5.locator('[data-role="tour-load-error"]').waitFor({ timeout: TIMEOUT_MS });
  const why = await page5.locator('[data-role="tour-load-error"]').textContent();
  expect(why.includes('could not be loaded') && why.includes('HTTP 503'), `a clear message: ${why}`);
  refuse = false;
  await page5.locator('[data-action="tour-retry"]').click();
  await page5.locator('[data-tour="02-acks"] .tour__text').waitFor({ timeout: TIMEOUT_MS });
  await context5.close();

  console.log(`embed: load (seed 7, step ${loadedStep}), run, seek to ${target} and their events; bad messages ignored; ${foreign} ignored; a tampered link refused; tour=<id> fetched its tour; a failed tour fetch said so and Try again worked`);
} catch (err) {
  failed = true;
  console.error(`embed: ${err.message}`);
} finally {
  await browser.close();
}

if (problems.length > 0) {
  failed = true;
  console.error('embed: the pages reported problems:');
  for (const p of problems) console.error(`  ${p}`);
}
if (failed) process.exit(1);
console.log('embed: ok');

function expect(ok, what) {
  if (!ok) throw new Error(`expected ${what}`);
}
