//! The workloads of `logscope_tests::workloads` as plain wasm exports, for the browser half of
//! `cargo xtask bench` (`tests/e2e/bench.mjs`). Each export does one piece of work and returns a
//! count; the page times the call with `performance.now()`, so nothing here reads a clock.
//! Set-up (building a cluster, a timeline, a group) is a separate export, so it is not timed.
//!
//! Built with `cargo build -p logscope-wasm-bench --target wasm32-unknown-unknown --release`, the
//! profile the app ships with. Natively the crate builds too (so clippy sees it) but is unused.

use std::cell::RefCell;

use logscope_core::assignor::{Assignment, AssignorName, GroupSubscription};
use logscope_core::sim::{Sim, Timeline};
use logscope_tests::workloads as w;

#[derive(Default)]
struct State {
    sim: Option<Sim>,
    timeline: Option<Timeline>,
    seek_pairs: Vec<(usize, usize)>,
    group: Option<GroupSubscription>,
    round2: Option<GroupSubscription>,
    first: Option<Assignment>,
    script: String,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn with<T>(f: impl FnOnce(&mut State) -> T) -> T {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

fn assignor(code: u32) -> AssignorName {
    w::CLIENT_ASSIGNORS[code as usize % w::CLIENT_ASSIGNORS.len()]
}

/// Set-up: [`w::engine_cluster`].
#[no_mangle]
pub extern "C" fn setup_engine() {
    with(|s| s.sim = Some(w::engine_cluster()));
}

/// Timed: [`w::produce`] of `records` records. Returns the events stepped.
#[no_mangle]
pub extern "C" fn produce(records: f64) -> f64 {
    with(|s| w::produce(s.sim.as_mut().expect("setup_engine"), records as u64) as f64)
}

/// Timed: [`w::step_events`]. Returns the events stepped.
#[no_mangle]
pub extern "C" fn step_events(events: f64) -> f64 {
    with(|s| w::step_events(s.sim.as_mut().expect("setup_engine"), events as u64) as f64)
}

/// Set-up: [`w::timeline_run`] of `events` events. Returns the timeline's length in inputs.
#[no_mangle]
pub extern "C" fn setup_timeline(events: f64) -> f64 {
    with(|s| {
        let tl = w::timeline_run(events as u64);
        let len = tl.len() as f64;
        s.timeline = Some(tl);
        len
    })
}

/// Set-up: go to input position `pos` of the recorded run.
#[no_mangle]
pub extern "C" fn seek_to(pos: f64) {
    with(|s| {
        s.timeline
            .as_mut()
            .expect("setup_timeline")
            .seek(pos as usize)
    });
}

/// Set-up: the (from, to) pairs of [`w::seek_back_pairs`] for `places` places and `events`
/// events back. Returns how many there are.
#[no_mangle]
pub extern "C" fn setup_seek_pairs(places: f64, events: f64) -> f64 {
    with(|s| {
        let tl = s.timeline.as_mut().expect("setup_timeline");
        s.seek_pairs = w::seek_back_pairs(tl, places as u64, events as u64);
        s.seek_pairs.len() as f64
    })
}

/// Set-up: go to the start of seek pair `k`.
#[no_mangle]
pub extern "C" fn seek_pair_from(k: f64) {
    with(|s| {
        let from = s.seek_pairs[k as usize].0;
        s.timeline.as_mut().expect("setup_timeline").seek(from);
    });
}

/// Timed: seek pair `k`'s seek back. Returns the new position.
#[no_mangle]
pub extern "C" fn seek_pair_to(k: f64) -> f64 {
    with(|s| {
        let to = s.seek_pairs[k as usize].1;
        let tl = s.timeline.as_mut().expect("setup_timeline");
        tl.seek(to);
        tl.position() as f64
    })
}

/// Timed: one input back. Returns the new position.
#[no_mangle]
pub extern "C" fn step_back() -> f64 {
    with(|s| {
        let tl = s.timeline.as_mut().expect("setup_timeline");
        tl.step_back();
        tl.position() as f64
    })
}

/// Set-up: [`w::scale_group`].
#[no_mangle]
pub extern "C" fn setup_group(members: u32, topics: u32, partitions: u32) {
    with(|s| {
        s.group = Some(w::scale_group(
            members as usize,
            topics as usize,
            partitions,
        ));
        s.round2 = None;
        s.first = None;
    });
}

/// Timed: round 1 of assignor `code` (0 range, 1 roundrobin, 2 sticky, 3 cooperative-sticky).
/// Returns the partitions assigned; keeps the assignment for [`prepare_round2`].
#[no_mangle]
pub extern "C" fn assign_round1(code: u32) -> f64 {
    with(|s| {
        let (a, n) = w::assign_round(assignor(code), s.group.as_ref().expect("setup_group"));
        s.first = Some(a);
        n as f64
    })
}

/// Set-up: the round-2 group, every member owning what round 1 gave it.
#[no_mangle]
pub extern "C" fn prepare_round2() {
    with(|s| {
        let first = s.first.take().expect("assign_round1");
        s.round2 = Some(w::with_owned(
            s.group.as_ref().expect("setup_group"),
            &first,
        ));
    });
}

/// Timed: round 2 of assignor `code`. Returns the partitions assigned.
#[no_mangle]
pub extern "C" fn assign_round2(code: u32) -> f64 {
    with(|s| w::assign_round(assignor(code), s.round2.as_ref().expect("prepare_round2")).1 as f64)
}

/// Set-up: [`w::scenario_script`] of `lines` lines.
#[no_mangle]
pub extern "C" fn setup_script(lines: u32) {
    with(|s| s.script = w::scenario_script(lines as usize));
}

/// Timed: [`w::parse_script`]. Returns the statements parsed.
#[no_mangle]
pub extern "C" fn parse_script() -> f64 {
    with(|s| w::parse_script(&s.script) as f64)
}

/// Timed: [`w::log_append`] of `records` records, 100 a batch, 10,000 keys. Returns the records.
#[no_mangle]
pub extern "C" fn log_append(records: f64) -> f64 {
    w::log_append(records as u64, 100, 10_000).record_count() as f64
}

/// Drops everything the set-ups built.
#[no_mangle]
pub extern "C" fn reset() {
    with(|s| *s = State::default());
}

/// The size of the linear memory (the wasm heap's high-water mark: it never shrinks), in bytes.
#[no_mangle]
pub extern "C" fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        (core::arch::wasm32::memory_size(0) * 65_536) as f64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// The app's allocator (web/src/main.rs), so that these figures are the app's.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
