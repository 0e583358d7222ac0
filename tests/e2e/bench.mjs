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

import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const [benchUrl, appUrl, mode, ...builds] = process.argv.slice(2);
if (!benchUrl || !appUrl || !['quick', 'full'].includes(mode) || builds.length === 0) {
  console.error('usage: node tests/e2e/bench.mjs <bench-url> <app-url> quick|full <prefix>=<file.wasm> ...');
  process.exit(2);
}
const quick = mode === 'quick';
// The native bench's `paired` section as a JSON argv (set by xtask): run back to back with the
// same work in wasm, for ratios that the host's changing speed cannot skew (`interleaved`).
const nativePaired = process.env.LOGSCOPE_NATIVE_PAIRED ? JSON.parse(process.env.LOGSCOPE_NATIVE_PAIRED) : null;
const TIMEOUT_MS = 60_000;
// How long the traced pass at 100× records (`largeClusterBreakdown`; xtask's report says "4 s").
const TRACED_MS = 4000;

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
    if (prefix === 'wasm' && nativePaired) {
      console.error(`bench: ${prefix} and native interleaved, ${quick ? 3 : 7} rounds`);
      // A failure here loses these figures only (BENCHMARKS.md then says they were not
      // measured), not the rest of the browser's.
      try {
        print(prefix, await interleaved(page, file, quick ? 3 : 7));
      } catch (err) {
        console.error(`bench: the interleaved ratios could not be taken: ${err.message}`);
      }
    }
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

  // Frame time on issue 7's large cluster: 9 brokers, 3 topics × 24 partitions (RF 3), 4
  // producers with a backlog, 2 groups of 6 consumers, opened from a link like any shared moment.
  // The app advances the simulation once per drawn frame, from a `requestAnimationFrame`
  // callback; the init script wraps that callback and measures, inside the page with
  // performance.now(), from the callback's start to the first task after it. The browser runs
  // that task only once it has rendered the frame, so the figure is the whole frame on the main
  // thread: the simulation, Yew's render (queued as microtasks), and the browser's style,
  // layout, paint and commit. Measured at 1× and at 100×. A second load of the same link records
  // the time between two drawn frames (requestAnimationFrame timestamps), which shows dropped
  // frames whatever their cause.
  console.error('bench: frame time of the large cluster at 1× and 100×');
  const frames = await largeClusterFrames(quick ? 4000 : 10000);
  print('browser', frames);
  console.error('bench: step back in the page, in a 100,000-event run of the large cluster');
  print('browser', await pageStepBack(quick ? 10 : 20));
} catch (err) {
  failed = true;
  console.error(`bench: ${err.stack ?? err.message}`);
} finally {
  await browser.close();
}
if (failed) process.exit(1);

// --- wasm/native ratios, interleaved -----------------------------------------------------------

// The `paired` figures (one engine run, three rounds of seeks back 100,000 events) in `rounds`
// rounds, each one native run and one wasm run back to back, the order alternating so that a
// drift of the host's speed within a round favours neither side. Each round gives a ratio;
// the figure is their median. One wasm round first, not counted, lets V8 optimise the code.
async function interleaved(page, file, rounds) {
  const wasmRound = async () => {
    const rows = await page.evaluate((f) => window.benchWorkload(f, 'paired', 1), file);
    return Object.fromEntries(rows.map(([n, v]) => [n, v]));
  };
  const nativeRound = () => {
    const out = execFileSync(nativePaired[0], nativePaired.slice(1), {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 20,
    });
    const got = {};
    for (const line of out.split('\n')) {
      const m = /^BENCH (\S+) (\S+) /.exec(line);
      if (m) got[m[1]] = Number(m[2]);
    }
    return got;
  };
  await wasmRound();
  const engine = [];
  const seek = [];
  for (let r = 0; r < rounds; r++) {
    let n, w;
    if (r % 2 === 0) {
      n = nativeRound();
      w = await wasmRound();
    } else {
      w = await wasmRound();
      n = nativeRound();
    }
    const ne = n['paired.engine.records_per_s'];
    const ns = n['paired.timeline.seek_back_100k_ms'];
    if (!(ne > 0 && ns > 0)) throw new Error(`the native paired run printed no figures: ${JSON.stringify(n)}`);
    engine.push(ne / w['paired.engine.records_per_s']);
    seek.push(w['paired.timeline.seek_back_100k_ms'] / ns);
    console.error(`bench: round ${r + 1}: engine ${engine[r].toFixed(2)}x, seek ${seek[r].toFixed(2)}x`);
  }
  const med = (xs) => percentile(xs, 50);
  return [
    ['interleaved.ratio.engine.records_per_s', med(engine), 'x'],
    ['interleaved.ratio.engine.records_per_s_max', Math.max(...engine), 'x'],
    ['interleaved.ratio.timeline.seek_back_100k_ms', med(seek), 'x'],
    ['interleaved.ratio.timeline.seek_back_100k_ms_max', Math.max(...seek), 'x'],
  ];
}

// --- issue 7's large cluster -------------------------------------------------------------------

function largeClusterScript() {
  const lines = ['cluster brokers=9 seed=7'];
  for (const t of ['t1', 't2', 't3']) {
    lines.push(`kafka-topics --create --topic ${t} --partitions 24 --replication-factor 3`);
  }
  for (let i = 1; i <= 4; i++) lines.push(`producer add p${i} linger.ms=5`);
  for (let i = 1; i <= 12; i++) {
    lines.push(`consumer add c${i} group=${i <= 6 ? 'g1' : 'g2'} topics=t1,t2,t3`);
  }
  // A backlog for each producer (the playground takes at most 10,000 records a line), so the
  // run has records to move for the whole measurement.
  for (const [p, t] of [['p1', 't1'], ['p2', 't2'], ['p3', 't3'], ['p4', 't1']]) {
    lines.push(`produce ${p} ${t} count=10000`, `produce ${p} ${t} count=10000`);
  }
  return lines.join('\n') + '\n';
}

// The link format of core/src/link.rs (`v=1`): base64url script, FNV-1a 32 check value.
function linkTo(script, step) {
  const b64 = Buffer.from(script, 'utf8').toString('base64url');
  const body = `v=1&seed=7&step=${step}&view=cluster&lang=en&s=${b64}`;
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(body, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${appUrl}?${body}&c=${h.toString(16).padStart(8, '0')}`;
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function largeClusterFrames(durationMs) {
  return [
    ...(await largeClusterPass(durationMs, 'cost')),
    ...(await largeClusterPass(durationMs, 'drawn')),
    ...(await largeClusterBreakdown()),
  ];
}

// A page of `context` with the large cluster's link open at step 0, drawn.
async function openLargeCluster(context) {
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`app page: ${err.message}`));
  await page.goto(linkTo(largeClusterScript(), 0), { waitUntil: 'load', timeout: TIMEOUT_MS });
  await page.waitForSelector('svg.cluster .broker[data-broker-id="9"]', { timeout: TIMEOUT_MS });
  return page;
}

// Moves the speed slider to `exp` (0 is 1×, 100 is 100×), as a user's input would.
async function setSpeed(page, exp) {
  await page.locator('input[data-control="speed"]').evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, exp);
}

// Where the main thread's time goes at 100×, from a Chromium trace of a third load of the same
// link (the trace slows the page a little, so these figures are for proportions, not for the
// targets): per drawn frame (one `Commit` each), how many of the app's frame callbacks ran
// (`requestAnimationFrame`; timers too, should any run) and their time (the simulation, the
// view, Yew's render), style and layout, pre-paint, paint
// (the document layer, which holds the cluster's), layerize and commit. Nested events of one
// kind are counted once (merged spans).
async function largeClusterBreakdown() {
  const context = await isolated();
  const page = await openLargeCluster(context);
  await setSpeed(page, 100);
  await page.locator('button[data-action="toggle"]').click();
  await page.waitForTimeout(500);
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'],
  });
  await page.waitForTimeout(TRACED_MS);
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8'));
  await context.close();
  const events = Array.isArray(trace) ? trace : trace.traceEvents;
  const main = new Set(
    events
      .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const kinds = {
    script: ['TimerFire', 'FireAnimationFrame'],
    style_layout: ['UpdateLayoutTree', 'Layout'],
    prepaint: ['PrePaint'],
    paint: ['Paint'],
    layerize: ['Layerize'],
    commit: ['Commit'],
  };
  const spans = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
  let frames = 0;
  let callbacks = 0;
  for (const e of events) {
    if (e.ph !== 'X' || !main.has(`${e.pid}:${e.tid}`)) continue;
    if (e.name === 'Commit') frames++;
    if (e.name === 'TimerFire' || e.name === 'FireAnimationFrame') callbacks++;
    for (const [k, names] of Object.entries(kinds)) {
      if (names.includes(e.name)) spans[k].push([e.ts, e.ts + (e.dur ?? 0)]);
    }
  }
  if (frames < 10) throw new Error(`the traced run at 100× drew only ${frames} frames`);
  const merged = (list) => {
    list.sort((a, b) => a[0] - b[0]);
    let total = 0;
    let [from, to] = [-Infinity, -Infinity];
    for (const [a, b] of list) {
      if (a > to) {
        if (to > from) total += to - from;
        [from, to] = [a, b];
      } else to = Math.max(to, b);
    }
    if (to > from) total += to - from;
    return total / 1000; // trace times are in µs
  };
  const rows = [
    ['large_cluster.traced_frames_100x', frames, 'frames'],
    ['large_cluster.callbacks_per_frame_100x', callbacks / frames, 'callbacks'],
  ];
  for (const k of Object.keys(kinds)) {
    rows.push([`large_cluster.main_ms_per_frame_100x.${k}`, merged(spans[k]) / frames, 'ms']);
  }
  return rows;
}

// One load of the large cluster, played at 1× then 100×. `cost`: the app's frame callbacks,
// timed as described above. `drawn`: only the intervals between drawn frames.
async function largeClusterPass(durationMs, pass) {
  const context = await isolated();
  await context.addInitScript(() => {
    window.__intervals = [];
    window.__recording = false;
  });
  if (pass === 'drawn') {
    await context.addInitScript(() => {
      let last = 0;
      const drawn = (ts) => {
        if (window.__recording && last) window.__intervals.push(ts - last);
        last = ts;
        requestAnimationFrame(drawn);
      };
      requestAnimationFrame(drawn);
    });
  } else await context.addInitScript(() => {
    window.__frames = [];
    const started = [];
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      const t0 = started.shift();
      if (window.__recording) window.__frames.push(performance.now() - t0);
    };
    const orig = window.requestAnimationFrame;
    window.requestAnimationFrame = function (fn) {
      if (typeof fn !== 'function') return orig.call(window, fn);
      return orig.call(window, function (ts) {
        started.push(performance.now());
        try {
          return fn.call(this, ts);
        } finally {
          ch.port2.postMessage(0);
        }
      });
    };
  });
  const page = await openLargeCluster(context);
  const brokers = await page.locator('svg.cluster .broker').count();
  if (brokers !== 9) throw new Error(`the large cluster shows ${brokers} brokers, not 9`);
  const rows = [];
  for (const [label, exp] of [['1x', 0], ['100x', 100]]) {
    await setSpeed(page, exp);
    const stepBefore = Number(await page.locator('[data-fact="step"]').textContent());
    await page.locator('button[data-action="toggle"]').click();
    await page.waitForTimeout(500); // let the adaptive events-per-frame settle
    await page.evaluate(() => {
      if (window.__frames) window.__frames = [];
      window.__intervals = [];
      window.__recording = true;
    });
    await page.waitForTimeout(durationMs);
    const ts = await page.evaluate(() => {
      window.__recording = false;
      return window.__frames ?? window.__intervals;
    });
    await page.locator('button[data-action="toggle"]').click();
    const stepAfter = Number(await page.locator('[data-fact="step"]').textContent());
    if (ts.length < 10 || stepAfter <= stepBefore) {
      throw new Error(`at ${label} the run did not advance (${ts.length} frames, step ${stepBefore} → ${stepAfter})`);
    }
    if (pass === 'drawn') {
      rows.push([`large_cluster.frame_interval_ms_p50_${label}`, percentile(ts, 50), 'ms']);
      rows.push([`large_cluster.frame_interval_ms_p95_${label}`, percentile(ts, 95), 'ms']);
      continue;
    }
    rows.push([`large_cluster.frame_ms_p50_${label}`, percentile(ts, 50), 'ms']);
    rows.push([`large_cluster.frame_ms_p95_${label}`, percentile(ts, 95), 'ms']);
    rows.push([`large_cluster.frames_${label}`, ts.length, 'frames']);
    rows.push([`large_cluster.events_per_s_${label}`, ((stepAfter - stepBefore) * 1000) / (durationMs + 500), 'events/s']);
  }
  await context.close();
  return rows;
}

// Opens the large cluster's link at step 100,000 (the page replays the run to it), then steps
// back from the end and from places picked on the scrubber, each timed inside the page from the
// click to the first animation frame after the step number on screen changed.
async function pageStepBack(places) {
  const context = await isolated();
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`app page: ${err.message}`));
  await page.goto(linkTo(largeClusterScript(), 100000), { waitUntil: 'load', timeout: TIMEOUT_MS });
  await page.waitForFunction(
    () => Number(document.querySelector('[data-fact="step"]')?.textContent) >= 100000,
    null,
    { timeout: 5 * TIMEOUT_MS },
  );
  const total = Number(await page.locator('input[data-control="scrubber"]').getAttribute('max'));
  const times = [];
  for (let i = 0; i < places; i++) {
    if (i > 0) {
      // A place spread over the run, deterministic: the i-th of `places` evenly spaced positions.
      const pos = Math.max(1, Math.floor((total * i) / places));
      await page.locator('input[data-control="scrubber"]').evaluate((el, v) => {
        el.value = String(v);
        el.dispatchEvent(new Event('input', { bubbles: true }));
      }, pos);
      await page.waitForFunction(
        (p) => Number(document.querySelector('[data-fact="position"]')?.textContent) === p,
        pos,
        { timeout: TIMEOUT_MS },
      );
    }
    times.push(await page.evaluate(() => new Promise((resolve) => {
      const fact = document.querySelector('[data-fact="position"]');
      const before = fact.textContent;
      const t0 = performance.now();
      const obs = new MutationObserver(() => {
        if (document.querySelector('[data-fact="position"]').textContent !== before) {
          obs.disconnect();
          requestAnimationFrame(() => resolve(performance.now() - t0));
        }
      });
      obs.observe(document.body, { subtree: true, childList: true, characterData: true });
      document.querySelector('button[data-action="back"]').click();
    })));
  }
  const heap = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize : -1));
  await context.close();
  const rows = [
    ['large_cluster.step_back_ms_p50', percentile(times, 50), 'ms'],
    ['large_cluster.step_back_max_ms', Math.max(...times), 'ms'],
    ['large_cluster.positions_100k_events', total, 'positions'],
  ];
  if (heap > 0) rows.push(['large_cluster.js_heap_after_100k_events', heap / 1048576, 'MB']);
  return rows;
}
