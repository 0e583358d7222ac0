//! A replica's log under criterion: appending a million records (100 a batch), with its
//! segments and indexes. The cleaner's figure (compaction) comes from the bench binary only.
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, Criterion, Throughput};
use logscope_tests::workloads as w;

fn append(c: &mut Criterion) {
    let mut g = c.benchmark_group("storage");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    const RECORDS: u64 = 1_000_000;
    g.throughput(Throughput::Elements(RECORDS));
    g.bench_function("log_append_1m", |b| {
        b.iter(|| black_box(w::log_append(RECORDS, 100, 10_000).record_count()))
    });
    g.finish();
}

criterion_group!(benches, append);
