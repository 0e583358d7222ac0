//! The client-side assignors under criterion: Kafka's scale test (2,000 members, 500 topics x
//! 2,000 partitions; both rounds for the sticky ones) and the mid-size input the kafka-python
//! peer also runs (100 members, 50 topics x 100 partitions).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, Criterion};
use logscope_tests::workloads as w;

fn scale(c: &mut Criterion) {
    let mut g = c.benchmark_group("assign_scale");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    let group = w::scale_group(2_000, 500, 2_000);
    for name in w::CLIENT_ASSIGNORS {
        g.bench_function(format!("{name}_round1"), |b| {
            b.iter(|| black_box(w::assign_round(name, &group).1))
        });
        if w::is_sticky(name) {
            let second = w::with_owned(&group, &w::assign_round(name, &group).0);
            g.bench_function(format!("{name}_round2"), |b| {
                b.iter(|| black_box(w::assign_round(name, &second).1))
            });
        }
    }
    g.finish();
}

fn peer_size(c: &mut Criterion) {
    let mut g = c.benchmark_group("assign_m100_t50_p100");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    let group = w::scale_group(100, 50, 100);
    for name in w::CLIENT_ASSIGNORS {
        g.bench_function(format!("{name}_round1"), |b| {
            b.iter(|| black_box(w::assign_round(name, &group).1))
        });
    }
    g.finish();
}

criterion_group!(benches, peer_size, scale);
