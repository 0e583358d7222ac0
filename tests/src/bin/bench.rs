//! The native half of `cargo xtask bench`: runs the workloads of `logscope_tests::workloads`,
//! times them with `std::time::Instant` (the core itself never reads a clock) and prints one line
//! per figure, `BENCH <name> <value> <unit>`, on stdout. Progress goes to stderr.
//!
//! ```text
//! cargo run --profile bench -p logscope-tests --bin bench -- [--quick] [SECTION ...]
//! ```
//!
//! Sections: `engine`, `timeline`, `assign`, `scenario`, `storage`, `peers`, `growth` (all when
//! none is named), and `paired` (never run by default): one run of the two workloads whose
//! wasm/native ratio has a target, which the browser half interleaves with runs in wasm. Each
//! figure is the median of a few runs; `--quick` does fewer runs and caps the growth series
//! lower. Memory is counted by a counting global allocator: the peak of live
//! heap bytes while a workload runs, above what was live when it started.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use logscope_tests::workloads as w;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is passed straight to the system allocator; the counters are only counters.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f` and returns its result with the peak heap it added, in bytes.
fn with_peak<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    (out, peak)
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1_048_576.0
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn bench(name: &str, value: f64, unit: &str) {
    let v = if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else if value.abs() >= 1.0 {
        format!("{value:.3}")
    } else {
        format!("{value:.6}")
    };
    println!("BENCH {name} {v} {unit}");
}

fn progress(what: &str) {
    eprintln!("bench: {what}");
}

struct Opts {
    quick: bool,
}

impl Opts {
    fn runs(&self, full: usize) -> usize {
        if self.quick {
            full.div_ceil(2).max(1)
        } else {
            full
        }
    }
}

fn main() {
    let mut quick = false;
    let mut sections = Vec::new();
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--quick" => quick = true,
            s @ ("engine" | "timeline" | "assign" | "scenario" | "storage" | "peers" | "growth"
            | "paired") => sections.push(s.to_string()),
            other => {
                eprintln!(
                    "usage: bench [--quick] [engine|timeline|assign|scenario|storage|peers|growth|paired ...]\n\
                     unknown argument {other:?}"
                );
                std::process::exit(2);
            }
        }
    }
    let all = sections.is_empty();
    let on = |s: &str| (all && s != "paired") || sections.iter().any(|x| x == s);
    let o = Opts { quick };
    let started = Instant::now();
    if on("engine") {
        engine(&o);
    }
    if on("timeline") {
        timeline(&o);
    }
    if on("assign") {
        assign(&o);
        assign_nonequal(&o);
    }
    if on("scenario") {
        scenario(&o);
    }
    if on("storage") {
        storage(&o);
    }
    if on("peers") {
        peers(&o);
    }
    if on("growth") {
        growth(&o);
    }
    if on("paired") {
        paired();
    }
    if let Some(hwm) = vm_hwm_kb() {
        bench("process.vm_hwm", hwm as f64 / 1024.0, "MB");
    }
    progress(&format!("done in {:.1?}", started.elapsed()));
}

/// Peak resident set of this process (`VmHWM` in `/proc/self/status`), in KiB.
fn vm_hwm_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One run of `records` through the engine's cluster: (records per second, ns per event).
fn engine_run(records: u64) -> (f64, f64) {
    let mut sim = w::engine_cluster();
    let (steps, el) = timed(|| w::produce(&mut sim, records));
    black_box(sim.trace_hash());
    (
        records as f64 / el.as_secs_f64(),
        el.as_nanos() as f64 / steps as f64,
    )
}

/// Each seek back of `pairs` (from, to), `rounds` times over, in ms.
fn seek_back_ms(
    tl: &mut logscope_core::sim::Timeline,
    pairs: &[(usize, usize)],
    rounds: usize,
) -> Vec<f64> {
    let mut ms = Vec::new();
    for _ in 0..rounds {
        for &(from, to) in pairs {
            tl.seek(from);
            let ((), el) = timed(|| tl.seek(to));
            assert_eq!(tl.position(), to);
            ms.push(el.as_secs_f64() * 1e3);
        }
    }
    ms
}

/// Records per second through 3 brokers, RF 3, acks=all, one producer; ns per event loaded and
/// idle.
fn engine(o: &Opts) {
    const RECORDS: u64 = 1_000_000;
    progress("engine: 1,000,000 records through 3 brokers, RF 3, acks=all");
    let mut rps = Vec::new();
    let mut ns = Vec::new();
    for _ in 0..o.runs(5) {
        let (r, n) = engine_run(RECORDS);
        rps.push(r);
        ns.push(n);
    }
    bench("engine.records_per_s", median(rps), "records/s");
    bench("engine.ns_per_event_loaded", median(ns), "ns/event");

    const IDLE: u64 = 500_000;
    progress("engine: 500,000 events of an idle cluster");
    let mut ns = Vec::new();
    for _ in 0..o.runs(5) {
        let mut sim = w::engine_cluster();
        let (steps, el) = timed(|| w::step_events(&mut sim, IDLE));
        ns.push(el.as_nanos() as f64 / steps as f64);
    }
    bench("engine.ns_per_event_idle", median(ns), "ns/event");
}

/// Rounds of the 10 places a paired run seeks from (`tests/e2e/bench.html` does as many).
const PAIRED_SEEK_ROUNDS: usize = 3;

/// One run each of `engine.records_per_s` and `timeline.seek_back_100k_ms` (the 10 places,
/// [`PAIRED_SEEK_ROUNDS`] times), as `paired.*`. The minutes between the native step and the
/// browser step of a bench run are enough for this shared host's speed to change several-fold,
/// which made the wasm/native ratio swing between 1.1x and 2.8x on the same code;
/// `tests/e2e/bench.mjs` runs this back to back with the same work in wasm, a few times over,
/// and reports the median of the rounds' ratios.
fn paired() {
    const RECORDS: u64 = 1_000_000;
    progress("paired: one engine run and three rounds of seeks");
    bench(
        "paired.engine.records_per_s",
        engine_run(RECORDS).0,
        "records/s",
    );
    let mut tl = w::timeline_run(200_000);
    let pairs = w::seek_back_pairs(&mut tl, w::SEEK_PLACES, 100_000);
    // One seek is a few milliseconds: PAIRED_SEEK_ROUNDS rounds of the places, so that one
    // round's median is not one unlucky sample.
    let seek = seek_back_ms(&mut tl, &pairs, PAIRED_SEEK_ROUNDS);
    bench("paired.timeline.seek_back_100k_ms", median(seek), "ms");
}

/// `Timeline::seek` back 100,000 events in a 200,000-event run, from 10 places between
/// 100,000 events in and the end (median); one step back from
/// 20 positions spread over a 100,000-event run (median and worst).
fn timeline(o: &Opts) {
    const RUN: u64 = 200_000;
    const BACK: u64 = 100_000;
    progress("timeline: seek back 100,000 events in a 200,000-event run");
    let ((mut tl, el), peak) = with_peak(|| timed(|| w::timeline_run(RUN)));
    bench("timeline.record_200k_s", el.as_secs_f64(), "s");
    bench("timeline.heap_200k", mb(peak), "MB");
    // The median over 10 starting points and several rounds: one seek is a millisecond or two,
    // and a single place made the wasm/native ratio swing between runs.
    let pairs = w::seek_back_pairs(&mut tl, w::SEEK_PLACES, BACK);
    let seek = seek_back_ms(&mut tl, &pairs, o.runs(5));
    bench("timeline.seek_back_100k_ms", median(seek), "ms");
    drop(tl);

    progress("timeline: step back from 20 places in a 100,000-event run");
    let (mut tl, peak) = with_peak(|| w::timeline_run(BACK));
    bench("timeline.heap_100k", mb(peak), "MB");
    bench(
        "timeline.checkpoints_100k",
        tl.checkpoint_count() as f64,
        "checkpoints",
    );
    let back = step_back_spread(&mut tl, 20);
    bench("timeline.step_back_ms", median(back.clone()), "ms");
    bench(
        "timeline.step_back_max_ms",
        back.iter().copied().fold(0.0, f64::max),
        "ms",
    );
}

/// Step-back latency from `n` positions spread evenly over the recorded run, in ms.
fn step_back_spread(tl: &mut logscope_core::sim::Timeline, n: usize) -> Vec<f64> {
    let len = tl.len();
    (1..=n)
        .map(|k| {
            tl.seek(len * k / n);
            let (_, el) = timed(|| tl.step_back());
            el.as_secs_f64() * 1e3
        })
        .collect()
}

/// Kafka's assignor scale test: 2,000 members, 500 topics x 2,000 partitions.
fn assign(o: &Opts) {
    progress("assign: building the scale-test group (2,000 members, 1,000,000 partitions)");
    let group = w::scale_group(2_000, 500, 2_000);
    for name in w::CLIENT_ASSIGNORS {
        progress(&format!("assign: {name} on the scale test"));
        let runs = o.runs(3);
        let (mut r1, mut r2) = (Vec::new(), Vec::new());
        let mut peak_mb = 0.0f64;
        for _ in 0..runs {
            let ((first, n), el) = timed(|| w::assign_round(name, &group));
            assert_eq!(n, 1_000_000, "{name} assigned every partition");
            r1.push(el.as_secs_f64());
            if w::is_sticky(name) {
                let second = w::with_owned(&group, &first);
                drop(first);
                let (((_, n2), el), peak) = with_peak(|| timed(|| w::assign_round(name, &second)));
                assert_eq!(n2, 1_000_000, "{name} round 2 assigned every partition");
                r2.push(el.as_secs_f64());
                peak_mb = peak_mb.max(mb(peak));
            }
        }
        let key = name.as_str();
        if w::is_sticky(name) {
            let (a, b) = (median(r1.clone()), median(r2.clone()));
            let both = median(r1.iter().zip(&r2).map(|(x, y)| x + y).collect());
            bench(&format!("assign.{key}.round1_s"), a, "s");
            bench(&format!("assign.{key}.round2_s"), b, "s");
            bench(&format!("assign.{key}.both_rounds_s"), both, "s");
            bench(&format!("assign.{key}.round2_heap"), peak_mb, "MB");
        } else {
            bench(&format!("assign.{key}.scale_s"), median(r1), "s");
        }
    }
}

/// Kafka's `testLargeAssignmentAndGroupWithNonEqualSubscription`: the scale test with the last
/// member subscribed to the first topic only, so the sticky assignors take the general
/// (heterogeneous) path. Round 2: every member but the first owns what round 1 gave it.
fn assign_nonequal(o: &Opts) {
    progress("assign: building the non-equal-subscription scale test");
    let mut group = w::scale_group(2_000, 500, 2_000);
    let first_topic = group.members[0].topics[0].clone();
    if let Some(last) = group.members.last_mut() {
        last.topics = vec![first_topic];
    }
    for name in w::CLIENT_ASSIGNORS.into_iter().filter(|&n| w::is_sticky(n)) {
        progress(&format!(
            "assign: {name} on the non-equal-subscription scale test"
        ));
        let (mut r1, mut r2) = (Vec::new(), Vec::new());
        for _ in 0..o.runs(3) {
            let ((first, n), el) = timed(|| w::assign_round(name, &group));
            assert_eq!(n, 1_000_000, "{name} assigned every partition");
            r1.push(el.as_secs_f64());
            let mut second = w::with_owned(&group, &first);
            drop(first);
            second.members[0].owned.clear();
            second.members[0].generation = None;
            let ((_, n2), el) = timed(|| w::assign_round(name, &second));
            assert!(n2 > 0, "{name} round 2 assigned partitions");
            r2.push(el.as_secs_f64());
        }
        let key = name.as_str();
        bench(&format!("assign.{key}.nonequal.round1_s"), median(r1), "s");
        bench(&format!("assign.{key}.nonequal.round2_s"), median(r2), "s");
    }
    // `testAssignmentAndGroupWithNonEqualSubscriptionNotTimeout`: 500 members, 100 topics x 200
    // partitions; every fourth member subscribes to the first half of the topics, the others to
    // the second half.
    let mut halves = w::scale_group(500, 100, 200);
    for (i, m) in halves.members.iter_mut().enumerate() {
        m.topics = if i % 4 == 0 {
            m.topics[..50].to_vec()
        } else {
            m.topics[50..].to_vec()
        };
    }
    for name in w::CLIENT_ASSIGNORS.into_iter().filter(|&n| w::is_sticky(n)) {
        let mut both = Vec::new();
        for _ in 0..o.runs(3) {
            let ((first, _), el1) = timed(|| w::assign_round(name, &halves));
            let mut second = w::with_owned(&halves, &first);
            second.members[0].owned.clear();
            second.members[0].generation = None;
            let (_, el2) = timed(|| w::assign_round(name, &second));
            both.push((el1 + el2).as_secs_f64());
        }
        let key = name.as_str();
        bench(
            &format!("assign.{key}.nonequal_halves.both_rounds_s"),
            median(both),
            "s",
        );
    }
}

/// Scenario-language parsing (lexing into commands, then each command into a statement).
fn scenario(o: &Opts) {
    const LINES: usize = 10_000;
    progress("scenario: parsing a 10,000-line script");
    let script = w::scenario_script(LINES);
    let mut lps = Vec::new();
    for _ in 0..o.runs(9) {
        let (n, el) = timed(|| w::parse_script(&script));
        assert_eq!(n, LINES - LINES.div_ceil(16), "every command parsed");
        lps.push(LINES as f64 / el.as_secs_f64());
    }
    bench("scenario.parse_lines_per_s", median(lps), "lines/s");
}

/// Appending a million records to one replica's log (100 records a batch).
fn storage(o: &Opts) {
    const RECORDS: u64 = 1_000_000;
    progress("storage: appending 1,000,000 records to a log");
    let mut s = Vec::new();
    for _ in 0..o.runs(5) {
        let (log, el) = timed(|| w::log_append(RECORDS, 100, 10_000));
        assert_eq!(log.record_count(), RECORDS);
        s.push(el.as_secs_f64());
        drop(black_box(log));
    }
    bench("storage.log_append_1m_s", median(s), "s");
    progress("storage: one compaction pass over 1,000,000 records with 10,000 keys");
    let mut s = Vec::new();
    for _ in 0..o.runs(5) {
        let mut log = w::log_to_compact(RECORDS, 10_000);
        let (left, el) = timed(|| w::compact_once(&mut log));
        // Only the latest record per key survives outside the active segment.
        assert!(left < RECORDS / 10, "{left} records left");
        s.push(el.as_secs_f64());
        drop(black_box(log));
    }
    bench("storage.compact_1m_10k_keys_s", median(s), "s");
}

/// Group sizes that kafka-python can finish; `tests/bench/kafka_python_assignors.py` uses the
/// same list.
pub const PEER_SIZES: [(usize, usize, u32); 3] = [(10, 10, 10), (50, 20, 50), (100, 50, 100)];

/// Our assignors on the inputs the peers get (see `tests/bench/kafka_python_assignors.py`).
fn peers(o: &Opts) {
    for (m, t, p) in PEER_SIZES {
        let group = w::scale_group(m, t, p);
        let size = format!("m{m}_t{t}_p{p}");
        progress(&format!("peers: our assignors on {size}"));
        for name in w::CLIENT_ASSIGNORS {
            let (mut r1, mut r2) = (Vec::new(), Vec::new());
            // Repeat until a quarter of a second has gone (at least 5 runs): small inputs take
            // microseconds.
            let budget = Duration::from_millis(if o.quick { 100 } else { 250 });
            let start = Instant::now();
            while r1.len() < 5 || start.elapsed() < budget {
                let ((first, _), el) = timed(|| w::assign_round(name, &group));
                r1.push(el.as_secs_f64());
                if w::is_sticky(name) {
                    let second = w::with_owned(&group, &first);
                    let (_, el) = timed(|| w::assign_round(name, &second));
                    r2.push(el.as_secs_f64());
                }
            }
            let key = name.as_str();
            bench(
                &format!("peer.logscope.{key}.{size}.round1_s"),
                median(r1),
                "s",
            );
            if !r2.is_empty() {
                bench(
                    &format!("peer.logscope.{key}.{size}.round2_s"),
                    median(r2),
                    "s",
                );
            }
        }
    }
}

/// A growth point's time: a workload under 0.2 s is run again (up to 7 times in all) and the
/// median is taken, so that the small sizes are not one noisy sample.
fn repeat_small(first: f64, mut once: impl FnMut() -> f64) -> f64 {
    let mut xs = vec![first];
    let mut spent = first;
    while xs.len() < 7 && spent < 0.2 {
        let t = once();
        spent += t;
        xs.push(t);
    }
    median(xs)
}

/// How time and memory grow with records, partitions, group members and run length.
fn growth(o: &Opts) {
    let cap = |full: &[u64], quick: usize| -> Vec<u64> {
        if o.quick {
            full[..quick].to_vec()
        } else {
            full.to_vec()
        }
    };

    for n in cap(&[1_000, 10_000, 100_000, 1_000_000, 10_000_000], 4) {
        progress(&format!("growth: {n} records"));
        let once = || {
            let mut sim = w::engine_cluster();
            let (_, el) = timed(|| w::produce(&mut sim, n));
            drop(black_box(sim));
            el.as_secs_f64()
        };
        let (first, peak) = with_peak(once);
        bench(
            &format!("growth.records.{n}.time"),
            repeat_small(first, once),
            "s",
        );
        bench(&format!("growth.records.{n}.heap"), mb(peak), "MB");
    }

    // The core allows at most 10,000 partitions per cluster (`limits::MAX_TOTAL_PARTITIONS`).
    for n in cap(&[10, 100, 1_000, 10_000], 4) {
        progress(&format!(
            "growth: {n} partitions (3 brokers, RF 3), created and settled"
        ));
        let once = || {
            let ((sim, _events), el) = timed(|| w::partitions_cluster(3, n as u32));
            drop(black_box(sim));
            el.as_secs_f64()
        };
        let (first, peak) = with_peak(once);
        bench(
            &format!("growth.partitions.{n}.time"),
            repeat_small(first, once),
            "s",
        );
        bench(&format!("growth.partitions.{n}.heap"), mb(peak), "MB");
    }

    // Members against 100 topics x 1,000 partitions (100,000 partitions), first round.
    for n in cap(&[10, 100, 1_000, 10_000], 3) {
        let group = w::scale_group(n as usize, 100, 1_000);
        for name in w::CLIENT_ASSIGNORS {
            progress(&format!(
                "growth: {name} with {n} members, 100,000 partitions"
            ));
            let once = || timed(|| w::assign_round(name, &group)).1.as_secs_f64();
            let (first, peak) = with_peak(once);
            let key = name.as_str();
            bench(
                &format!("growth.members.{key}.{n}.time"),
                repeat_small(first, once),
                "s",
            );
            bench(&format!("growth.members.{key}.{n}.heap"), mb(peak), "MB");
        }
    }

    for n in cap(&[1_000, 10_000, 100_000, 1_000_000], 3) {
        progress(&format!("growth: a {n}-event run, then step back"));
        let ((mut tl, el), peak) = with_peak(|| timed(|| w::timeline_run(n)));
        let back = step_back_spread(&mut tl, 20);
        bench(
            &format!("growth.run.{n}.record_time"),
            el.as_secs_f64(),
            "s",
        );
        bench(
            &format!("growth.run.{n}.step_back"),
            back.iter().copied().fold(0.0, f64::max),
            "ms",
        );
        bench(&format!("growth.run.{n}.heap"), mb(peak), "MB");
    }
}
