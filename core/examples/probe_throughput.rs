//! A quick throughput probe (not a benchmark: `cargo xtask bench` is the measured one).
use logscope_core::ids::BrokerId;
use logscope_core::sim::{Command, Sim, SimSpec};
fn main() {
    let mut sim = Sim::new(SimSpec::default(), 1).unwrap();
    sim.apply(Command::CreateTopic {
        name: "t".into(),
        partitions: None,
        replication_factor: None,
        assignment: Some(vec![vec![BrokerId(1), BrokerId(2), BrokerId(3)]]),
        configs: vec![],
    })
    .unwrap();
    sim.apply(Command::AddProducer {
        client_id: "p".into(),
        configs: vec![],
    })
    .unwrap();
    sim.run_for(100);
    let t = std::time::Instant::now();
    let n = 1_000_000u32;
    let per = 100_000;
    for _ in 0..n / per {
        sim.apply(Command::Produce {
            producer: "p".into(),
            topic: "t".into(),
            key: Some("k".into()),
            value: Some("value".into()),
            partition: None,
            count: per,
        })
        .unwrap();
        sim.settle(600_000).unwrap();
    }
    let el = t.elapsed();
    println!(
        "{} records in {:?}: {:.0} records/s, {} steps, {:.0} ns/step",
        n,
        el,
        n as f64 / el.as_secs_f64(),
        sim.steps(),
        el.as_nanos() as f64 / sim.steps() as f64
    );
}
