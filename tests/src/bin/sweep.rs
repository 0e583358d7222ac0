//! `cargo xtask replay SEED` and `cargo xtask soak --seeds N` run this:
//!
//! * `sweep replay SEED`: reruns one seed of [`logscope_tests::sweep::run_seed`] and prints its
//!   summary, or its failure with every action (workload and faults) that led to it.
//! * `sweep soak N [FROM]`: seeds FROM..FROM+N on every core, progress every 500 seeds, the
//!   totals at the end (`SOAK seeds=… steps=… faults=… acked=… segments=… deleted=… cleaned=…
//!   failed=…`, then the faults by kind), and each failure.
//!
//! Exits non-zero if any seed failed.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use logscope_tests::sweep::{run_seed, Failure, Summary};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| args.get(i).and_then(|s| s.parse::<u64>().ok());
    match args.first().map(String::as_str) {
        Some("replay") => match num(1) {
            Some(seed) => replay(seed),
            None => usage(),
        },
        Some("soak") => soak(num(1).unwrap_or(10_000), num(2).unwrap_or(0)),
        _ => usage(),
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: sweep replay SEED | sweep soak N [FROM]");
    ExitCode::FAILURE
}

fn replay(seed: u64) -> ExitCode {
    match run_seed(seed) {
        Ok(s) => {
            println!(
                "seed {seed} passes: {} steps, {} faults injected ({}), {} records acknowledged, \
                 storage: {} segments, {} partitions with deleted segments, {} cleaned; trace hash {:016x}",
                s.steps,
                s.faults,
                kinds(&s),
                s.acked,
                s.segments,
                s.partitions_with_deleted_segments,
                s.partitions_cleaned,
                s.trace_hash
            );
            ExitCode::SUCCESS
        }
        Err(f) => {
            print_failure(&f, true);
            ExitCode::FAILURE
        }
    }
}

fn print_failure(f: &Failure, all_actions: bool) {
    println!(
        "seed {} failed at step {} (t={}ms): {}",
        f.seed, f.step, f.time_ms, f.what
    );
    let skip = if all_actions {
        0
    } else {
        f.actions.len().saturating_sub(15)
    };
    println!("actions ({} in all, in order):", f.actions.len());
    for a in &f.actions[skip..] {
        println!("  {a}");
    }
    println!("reproduce: cargo xtask replay {}", f.seed);
}

/// `BrokerKill=12 NetCut=3 …`
fn kinds(s: &Summary) -> String {
    s.faults_by_kind
        .iter()
        .map(|(k, n)| format!("{k}={n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn soak(seeds: u64, from: u64) -> ExitCode {
    let started = Instant::now();
    let next = AtomicU64::new(from);
    let end = from.saturating_add(seeds);
    let done = AtomicU64::new(0);
    let totals = Mutex::new(Summary::default());
    let failures: Mutex<Vec<Failure>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let seed = next.fetch_add(1, Ordering::Relaxed);
                if seed >= end {
                    break;
                }
                match run_seed(seed) {
                    Ok(sum) => {
                        totals.lock().unwrap_or_else(|e| e.into_inner()).add(&sum);
                    }
                    Err(f) => {
                        print_failure(&f, false);
                        failures.lock().unwrap_or_else(|e| e.into_inner()).push(f);
                    }
                }
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if n.is_multiple_of(500) {
                    println!("soak: {n}/{seeds} seeds ({:.0?})", started.elapsed());
                }
            });
        }
    });
    let t = totals.into_inner().unwrap_or_else(|e| e.into_inner());
    let failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    println!(
        "SOAK seeds={seeds} from={from} steps={} faults={} acked={} segments={} deleted={} cleaned={} failed={} in {:.0?}",
        t.steps,
        t.faults,
        t.acked,
        t.segments,
        t.partitions_with_deleted_segments,
        t.partitions_cleaned,
        failures.len(),
        started.elapsed()
    );
    println!("faults accepted by kind: {}", kinds(&t));
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        let mut seeds: Vec<u64> = failures.iter().map(|f| f.seed).collect();
        seeds.sort_unstable();
        println!("failed seeds: {seeds:?}");
        ExitCode::FAILURE
    }
}
