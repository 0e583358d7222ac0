// The browser half of `cargo xtask bench`:
//
//   node tests/e2e/bench.mjs <bench-page-url> <app-url> quick|full <prefix>=<file.wasm> ...
//
// Opens the bench page (tests/e2e/bench.html, served by xtask beside the bench workloads
// compiled to wasm) in headless Chromium and runs each workload in it, once per wasm build given
// (`wasm=…` the profile the app ships with, `wasm_o3=…` the native bench's opt-level 3), then
// loads the built app (dist/) several times and measures the time from navigation to the first
// animation frame with the cluster drawn. Every time is taken inside the page with
// performance.now(). Prints `BENCH <name> <value> <unit>` lines; nothing leaves the machine.

import { chromium } from 'playwright-core';

const [benchUrl, appUrl, mode, ...builds] = process.argv.slice(2);
if (!benchUrl || !appUrl || !['quick', 'full'].includes(mode) || builds.length === 0) {
  console.error('usage: node tests/e2e/bench.mjs <bench-url> <app-url> quick|full <prefix>=<file.wasm> ...');
  process.exit(2);
}
const quick = mode === 'quick';
const TIMEOUT_MS = 60_000;

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

function print(prefix, rows) {
  for (const [name, value, unit] of rows) {
    const v = Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(3) : value.toFixed(6);
    console.log(`BENCH ${prefix}.${name} ${v} ${unit}`);
  }
}

async function isolated() {
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  const allowed = [new URL(benchUrl).origin, new URL(appUrl).origin];
  await context.route('**/*', (route) => {
    const target = route.request().url();
    if (target.startsWith('data:') || target.startsWith('blob:') || allowed.includes(new URL(target).origin)) {
      return route.continue();
    }
    return route.abort();
  });
  return context;
}

let failed = false;
try {
  const runs = quick ? 2 : 5;
  const assignRuns = quick ? 1 : 3;
  for (const build of builds) {
    const [prefix, file] = build.split('=');
    const context = await isolated();
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`bench page: ${err.message}`));
    await page.goto(benchUrl, { waitUntil: 'load', timeout: TIMEOUT_MS });
    await page.waitForSelector('body[data-ready="1"]', { timeout: TIMEOUT_MS });
    const plan = [
      ['engine', runs],
      ['idle', runs],
      ['timeline', quick ? 3 : 9],
      ['assign', assignRuns, 0],
      ['assign', assignRuns, 1],
      ['assign', assignRuns, 2],
      ['assign', assignRuns, 3],
      ['scenario', quick ? 3 : 9],
      ['storage', runs],
    ];
    for (const [name, n, arg] of plan) {
      console.error(`bench: ${prefix} ${name}${arg === undefined ? '' : ` ${arg}`} in Chromium`);
      print(prefix, await page.evaluate(([f, w, r, a]) => window.benchWorkload(f, w, r, a), [file, name, n, arg]));
    }
    print(prefix, await page.evaluate((f) => window.benchHeap(f), file));
    await context.close();
  }

  // Time to the first drawn cluster: fresh context (cold cache) each load; the time of the first
  // animation frame after the brokers are in the DOM, from navigation start.
  console.error('bench: time to first drawn cluster of the built app');
  const loads = [];
  for (let i = 0; i < (quick ? 3 : 7); i++) {
    const context = await isolated();
    await context.addInitScript(() => {
      const seen = () => {
        if (window.__drawnAt === undefined && document.querySelector('svg.cluster .broker')) {
          window.__drawnAt = -1;
          requestAnimationFrame(() => { window.__drawnAt = performance.now(); });
          return true;
        }
        return false;
      };
      const obs = new MutationObserver(() => { if (seen()) obs.disconnect(); });
      obs.observe(document, { childList: true, subtree: true });
    });
    const page = await context.newPage();
    await page.goto(appUrl, { waitUntil: 'load', timeout: TIMEOUT_MS });
    await page.waitForFunction(() => window.__drawnAt > 0, null, { timeout: TIMEOUT_MS });
    loads.push(await page.evaluate(() => window.__drawnAt));
    await context.close();
  }
  loads.sort((a, b) => a - b);
  print('browser', [
    ['first_drawn_cluster_ms', loads[Math.floor(loads.length / 2)], 'ms'],
    ['first_drawn_cluster_max_ms', loads[loads.length - 1], 'ms'],
  ]);
} catch (err) {
  failed = true;
  console.error(`bench: ${err.stack ?? err.message}`);
} finally {
  await browser.close();
}
if (failed) process.exit(1);
