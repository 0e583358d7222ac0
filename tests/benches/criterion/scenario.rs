//! Scenario-language parsing under criterion: a 10,000-line script, lexed and parsed.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, Criterion, Throughput};
use logscope_tests::workloads as w;

fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("scenario");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    const LINES: usize = 10_000;
    let script = w::scenario_script(LINES);
    g.throughput(Throughput::Elements(LINES as u64));
    g.bench_function("parse_10k_lines", |b| {
        b.iter(|| black_box(w::parse_script(&script)))
    });
    g.finish();
}

criterion_group!(benches, parse);
