//! Engine throughput, ns per event and `Timeline::seek`, under criterion. The headline figures
//! of `BENCHMARKS.md` come from the bench binary (`cargo xtask bench`); these give criterion's
//! statistics for the same workloads, for comparing one commit with another.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use logscope_tests::workloads as w;

fn engine(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    const RECORDS: u64 = 100_000;
    g.throughput(Throughput::Elements(RECORDS));
    g.bench_function("produce_100k_rf3_acks_all", |b| {
        b.iter_batched(
            w::engine_cluster,
            |mut sim| black_box(w::produce(&mut sim, RECORDS)),
            BatchSize::LargeInput,
        )
    });
    const EVENTS: u64 = 100_000;
    g.throughput(Throughput::Elements(EVENTS));
    g.bench_function("idle_100k_events", |b| {
        b.iter_batched(
            w::engine_cluster,
            |mut sim| black_box(w::step_events(&mut sim, EVENTS)),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("loaded_100k_events", |b| {
        b.iter_batched(
            || w::loaded_cluster(100_000),
            |mut sim| black_box(w::step_events(&mut sim, EVENTS)),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn timeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("timeline");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let mut tl = w::timeline_run(200_000);
    // The same 10 starting points as `cargo xtask bench`, taken in turn.
    let pairs = w::seek_back_pairs(&mut tl, w::SEEK_PLACES, 100_000);
    g.bench_function("seek_back_100k", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for (&(from, to), _) in pairs.iter().cycle().zip(0..iters) {
                tl.seek(from);
                let t = std::time::Instant::now();
                tl.seek(to);
                total += t.elapsed();
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, engine, timeline);
