//! The seed sweep of the engine (R2, R4, R6, R8, R10, R12, R14, R15, L1, L6, L7, C1–C4, C7):
//! 1,000 seeds of random workloads (producers, replication, consumer groups, transactions,
//! storage with small segments, retention and compaction) and random faults of every kind,
//! power-off included (see `tests/src/sweep.rs`), invariants after every step, no
//! acknowledged record lost under the settings that promise it. A failure prints the seed and the step; `cargo xtask replay SEED`
//! reproduces it, and `cargo xtask soak --seeds N` sweeps further.
//!
//! The seeds are split into four tests so that libtest runs them on every core.

use logscope_tests::sweep::{run_seed, Summary};

const SEEDS_PER_TEST: u64 = 250;

/// Seeds that fail because of an engine bug not fixed yet: each is reported on every run
/// (never hidden), does not fail its sweep test, and `known_bugs_still_fail_as_recorded`
/// fails as soon as the seed passes or fails differently, so the entry is removed with the
/// fix. Open ones are recorded in RELIABILITY.md and on issue #9.
// Empty: seed 635 (two owners of orders-2 in generation 1 after a power-off of the group's
// coordinator) was fixed by answering SyncGroup only once the group's record is replicated,
// and passes in its sweep again (`g3_sync_group_is_answered_once_the_assignment_is_replicated`).
const KNOWN_BUGS: &[(u64, &str)] = &[];

fn sweep(first: u64) {
    let seeds = first..first + SEEDS_PER_TEST;
    let mut failures = Vec::new();
    let mut t = Summary::default();
    let mut known = Vec::new();
    for seed in seeds.clone() {
        match run_seed(seed) {
            Ok(s) => t.add(&s),
            Err(f) if KNOWN_BUGS.iter().any(|(k, _)| *k == seed) => known.push(f),
            Err(f) => failures.push(f),
        }
    }
    for f in &known {
        println!("KNOWN BUG (see KNOWN_BUGS): {f}");
    }
    println!(
        "sweep: seeds {seeds:?}, {} steps, {} faults injected ({:?}), {} records acknowledged, \
         {} segments, {} partitions with deleted segments, {} cleaned, {} failed",
        t.steps,
        t.faults,
        t.faults_by_kind,
        t.acked,
        t.segments,
        t.partitions_with_deleted_segments,
        t.partitions_cleaned,
        failures.len()
    );
    for f in failures.iter().take(5) {
        println!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {SEEDS_PER_TEST} seeds failed; first: {}",
        failures.len(),
        failures[0]
    );
    // The sweep must exercise what it claims to: faults, power-offs among them, acknowledged
    // records, and storage that rolled segments (more segments than the 4 storage
    // partitions' first ones), deleted some by retention and cleaned some (over the seeds,
    // not in each: a short seed may write too little).
    assert!(
        t.faults > SEEDS_PER_TEST,
        "too few faults injected: {}",
        t.faults
    );
    let power_offs = t.faults_by_kind.get("BrokerPowerOff").copied().unwrap_or(0);
    assert!(power_offs > 0, "no power-off in {seeds:?}");
    assert!(
        t.acked > SEEDS_PER_TEST * 10,
        "too few records acknowledged: {}",
        t.acked
    );
    assert!(
        t.segments > SEEDS_PER_TEST * 4,
        "no segment rolled: {} segments",
        t.segments
    );
    assert!(
        t.partitions_with_deleted_segments > 0,
        "retention deleted nothing"
    );
    assert!(t.partitions_cleaned > 0, "the cleaner cleaned nothing");
}

#[test]
fn sweep_seeds_0_to_249() {
    sweep(0);
}

#[test]
fn sweep_seeds_250_to_499() {
    sweep(250);
}

#[test]
fn sweep_seeds_500_to_749() {
    sweep(500);
}

#[test]
fn sweep_seeds_750_to_999() {
    sweep(750);
}

#[test]
fn a_seed_reruns_identically() {
    for seed in [3, 77, 401] {
        let a = run_seed(seed)
            .map(|s| (s.steps, s.trace_hash))
            .map_err(|f| f.to_string());
        let b = run_seed(seed)
            .map(|s| (s.steps, s.trace_hash))
            .map_err(|f| f.to_string());
        assert_eq!(a, b, "seed {seed}");
    }
}

/// Seeds that once ended with a transaction left open (I7): the coordinator's periodic
/// timeout check skipped a transaction whose metadata write was still being replicated and
/// never looked at it again. Kafka's `timedOutTransactions` skips it only until its next run.
#[test]
fn no_transaction_is_left_open_on_the_seeds_that_once_hung() {
    for seed in [254, 508, 848] {
        if let Err(f) = run_seed(seed) {
            panic!("{f}");
        }
    }
}

/// Each known-bug seed still fails, and with the finding recorded: when a fix makes it pass
/// (or fail another way), this test says so and the entry leaves `KNOWN_BUGS`.
#[test]
fn known_bugs_still_fail_as_recorded() {
    for (seed, what) in KNOWN_BUGS {
        match run_seed(*seed) {
            Ok(_) => panic!("seed {seed} passes now: remove it from KNOWN_BUGS"),
            Err(f) => assert!(
                f.what.contains(what),
                "seed {seed} fails differently now: {f}"
            ),
        }
    }
}
