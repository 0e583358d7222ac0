//! The storage seed sweep (L1–L7, C1–C4, C7): small segments, fast retention and an eager
//! cleaner, random keyed writes with tombstones, broker crashes and restarts. After every
//! step the engine's invariants hold — among them, on every replica, segments contiguous and
//! non-overlapping and holding every batch, and log start ≤ HW ≤ LEO — and at the end no
//! acknowledged record is reported lost (records deleted by retention or removed by the
//! cleaner are gone by design, not lost).

use logscope_core::ids::BrokerId;
use logscope_core::rng::SimRng;
use logscope_core::sim::{Command, Sim, SimSpec};

const SEEDS: u64 = 120;
const ROUNDS: usize = 14;

fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn run_seed(seed: u64) -> Result<u64, String> {
    let mut rng = SimRng::new(seed ^ 0x5707_a6e5);
    let spec = SimSpec {
        brokers: 3,
        broker_configs: kv(&[("log.retention.check.interval.ms", "1000")]),
        ..SimSpec::default()
    };
    let mut sim = Sim::new(spec, seed).map_err(|e| e.to_string())?;
    let seg = 200 + rng.range_inclusive(0, 400);
    let retention = [("segment.bytes", seg.to_string())];
    let mut delete = kv(&[
        ("min.insync.replicas", "2"),
        ("retention.ms", "4000"),
        ("retention.bytes", "1500"),
    ]);
    delete.extend(kv(&[(retention[0].0, retention[0].1.as_str())]));
    let mut compact = kv(&[
        ("min.insync.replicas", "2"),
        (
            "cleanup.policy",
            if rng.below(2) == 0 {
                "compact"
            } else {
                "compact,delete"
            },
        ),
        ("min.cleanable.dirty.ratio", "0.1"),
        ("delete.retention.ms", "2000"),
        ("retention.ms", "20000"),
    ]);
    compact.extend(kv(&[(retention[0].0, retention[0].1.as_str())]));
    for (name, configs) in [("logs", delete), ("kv", compact)] {
        sim.apply(Command::CreateTopic {
            name: name.into(),
            partitions: Some(2),
            replication_factor: Some(3),
            assignment: None,
            configs,
        })
        .map_err(|e| e.to_string())?;
    }
    sim.apply(Command::AddProducer {
        client_id: "p".into(),
        configs: kv(&[("acks", "all"), ("linger.ms", "0")]),
    })
    .map_err(|e| e.to_string())?;
    let mut down: Option<u32> = None;
    for _ in 0..ROUNDS {
        for _ in 0..1 + rng.below(4) {
            let topic = if rng.below(2) == 0 { "logs" } else { "kv" };
            let key = format!("k{}", rng.below(6));
            let value = if topic == "kv" && rng.below(5) == 0 {
                None
            } else {
                Some(format!("v{}", rng.below(100)))
            };
            sim.apply(Command::Produce {
                producer: "p".into(),
                topic: topic.into(),
                key: Some(key),
                value,
                partition: None,
                count: 1 + rng.below(5),
            })
            .map_err(|e| e.to_string())?;
        }
        match rng.below(6) {
            0 if down.is_none() => {
                let b = 1 + rng.below(3);
                down = Some(b);
                let _ = sim.apply(Command::BrokerKill(BrokerId(b)));
            }
            1 => {
                if let Some(b) = down.take() {
                    let _ = sim.apply(Command::BrokerStart(BrokerId(b)));
                }
            }
            _ => {}
        }
        let until = sim.now() + rng.range_inclusive(200, 3_000);
        step_checked(&mut sim, until)?;
    }
    if let Some(b) = down.take() {
        let _ = sim.apply(Command::BrokerStart(BrokerId(b)));
    }
    let until = sim.now() + 60_000;
    step_checked(&mut sim, until)?;
    let view = sim.view();
    if let Some(f) = view
        .findings
        .iter()
        .find(|f| f.kind == "lost" || f.kind == "two-leaders")
    {
        return Err(format!("finding at step {}: {}", f.step, f.message));
    }
    // The workload must exercise what the sweep claims: something rolled.
    let segments: usize = view
        .topics
        .iter()
        .flat_map(|t| t.partitions.iter())
        .flat_map(|p| p.replica_states.iter())
        .map(|r| r.segments.len())
        .sum();
    Ok(segments as u64)
}

fn step_checked(sim: &mut Sim, until: logscope_core::time::Millis) -> Result<(), String> {
    while sim.next_event_time().is_some_and(|t| t <= until) {
        if !sim.step() {
            break;
        }
        sim.check_invariants()
            .map_err(|e| format!("step {} t={}: {e}", sim.steps(), sim.now().0))?;
    }
    sim.advance_clock_to(until);
    sim.check_logs_contiguous()
}

#[test]
fn storage_sweep() {
    let mut failures = Vec::new();
    let mut segments = 0;
    for seed in 0..SEEDS {
        match run_seed(seed) {
            Ok(n) => segments += n,
            Err(e) => failures.push(format!("seed {seed}: {e}")),
        }
    }
    println!(
        "storage sweep: {SEEDS} seeds, {segments} segments at the end, {} failed",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{}",
        failures[..failures.len().min(5)].join("\n")
    );
    assert!(segments > SEEDS * 12, "too few segments: {segments}");
}
