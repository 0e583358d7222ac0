//! Determinism across targets: for 50 seeds, a run's trace hash is the same natively and in
//! wasm32. Both targets compute the hashes of the same seeded workload (brokers, topics,
//! producers, a consumer group and random faults of every kind) and compare them with the
//! hashes checked in at `tests/determinism/trace-hashes.txt`, which `cargo xtask bless-hashes`
//! writes from a native run. A platform-dependent piece of arithmetic, ordering or formatting
//! shows up as a wasm32 failure while the native run passes.
//!
//! When the engine changes on purpose, every hash may change: run `cargo xtask bless-hashes`
//! (it runs this test natively with `LOGSCOPE_BLESS_HASHES=1`) and commit the new file.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use logscope_core::rng::SimRng;
use logscope_core::sim::{ApiKey, ElectionType, NodeRef};
use logscope_core::{BrokerId, Command, Sim, SimSpec};

/// The checked-in hashes: one `seed hash` line per seed, hash in hex.
const EXPECTED: &str = include_str!("../../tests/determinism/trace-hashes.txt");

const SEEDS: u64 = 50;

/// FNV-1a, 64 bit: the same on every target by construction.
fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The deterministic workload of one seed. Returns a hash of the engine's trace hash, its step
/// count and clock, every command's result, and the final view (so that the view's
/// derivation is covered too).
pub fn run(seed: u64) -> u64 {
    let mut rng = SimRng::new(seed ^ 0xde7e_4a11);
    let brokers = 3 + rng.below(3);
    let spec = SimSpec {
        brokers,
        latency_ms: 1 + rng.range_inclusive(0, 4),
        ..SimSpec::default()
    };
    let mut sim = Sim::new(spec, seed).expect("a 3-5 broker cluster is valid");
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let mut apply = |sim: &mut Sim, cmd: Command| {
        let r = sim.apply(cmd);
        let text = match r {
            Ok(o) => o.lines.join("\n"),
            Err(e) => format!("refused: {e}"),
        };
        h = fnv(h, text.as_bytes());
    };
    let b = BrokerId;
    apply(
        &mut sim,
        Command::CreateTopic {
            name: "orders".into(),
            partitions: Some(3),
            replication_factor: Some(3),
            assignment: None,
            configs: vec![("min.insync.replicas".into(), "2".into())],
        },
    );
    apply(
        &mut sim,
        Command::CreateTopic {
            name: "events".into(),
            partitions: Some(2),
            replication_factor: Some(2),
            assignment: None,
            configs: vec![],
        },
    );
    apply(
        &mut sim,
        Command::AddProducer {
            client_id: "idem".into(),
            configs: vec![("acks".into(), "all".into())],
        },
    );
    apply(
        &mut sim,
        Command::AddProducer {
            client_id: "fast".into(),
            configs: vec![
                ("acks".into(), "1".into()),
                ("enable.idempotence".into(), "false".into()),
                ("linger.ms".into(), "5".into()),
            ],
        },
    );
    for c in ["c1", "c2"] {
        apply(
            &mut sim,
            Command::AddConsumer {
                client_id: c.into(),
                group: "g".into(),
                topics: vec!["orders".into()],
                configs: vec![],
            },
        );
    }
    for _round in 0..12 {
        let producer = if rng.below(2) == 0 { "idem" } else { "fast" };
        let topic = if rng.below(3) == 0 {
            "events"
        } else {
            "orders"
        };
        let key = rng.below(8);
        apply(
            &mut sim,
            Command::Produce {
                producer: producer.into(),
                topic: topic.into(),
                key: (key < 6).then(|| format!("k{key}")),
                value: Some(format!("v{}", rng.below(1000))),
                partition: None,
                count: 1 + rng.below(6),
            },
        );
        if rng.below(2) == 0 {
            let target = b(1 + rng.below(brokers));
            let node = NodeRef::Broker(target);
            let api = ApiKey::ALL[rng.below(ApiKey::ALL.len() as u32) as usize];
            let cmd = match rng.below(16) {
                0 => Command::BrokerKill(target),
                1 => Command::BrokerStop(target),
                2 => Command::BrokerPowerOff(target),
                3 | 4 => Command::BrokerStart(target),
                5 => Command::NetIsolate(node),
                6 => Command::NetCut(node, NodeRef::Broker(b(1 + rng.below(brokers)))),
                7 => Command::NetSlow {
                    node,
                    by_ms: rng.range_inclusive(1, 200),
                },
                8 => Command::NetDropNext { api, from: None },
                9 => Command::NetDelayNext {
                    api,
                    from: None,
                    by_ms: rng.range_inclusive(1, 500),
                },
                10 => Command::NetDuplicateNext { api, from: None },
                11 => Command::ControllerKill(None),
                12 => Command::ControllerStart(1 + rng.below(3)),
                13 => Command::KillConsumer("c2".into()),
                14 => Command::ElectLeaders {
                    election: ElectionType::Preferred,
                    partitions: None,
                },
                _ => Command::NetHeal(None),
            };
            apply(&mut sim, cmd);
        }
        sim.run_for(rng.range_inclusive(10, 3_000));
    }
    apply(&mut sim, Command::NetHeal(None));
    for i in 1..=brokers {
        apply(&mut sim, Command::BrokerStart(b(i)));
    }
    for c in 1..=3 {
        apply(&mut sim, Command::ControllerStart(c));
    }
    sim.run_for(20_000);
    h = fnv(h, &sim.trace_hash().to_le_bytes());
    h = fnv(h, &sim.steps().to_le_bytes());
    h = fnv(h, &sim.now().0.to_le_bytes());
    fnv(h, format!("{:?}", sim.view()).as_bytes())
}

fn computed() -> Vec<(u64, u64)> {
    (0..SEEDS).map(|s| (s, run(s))).collect()
}

#[cfg(not(target_arch = "wasm32"))]
fn render(hashes: &[(u64, u64)]) -> String {
    let mut out = String::from(
        "# seed trace-hash: core/tests/determinism.rs; regenerate with `cargo xtask bless-hashes`\n",
    );
    for (s, h) in hashes {
        out.push_str(&format!("{s} {h:016x}\n"));
    }
    out
}

fn expected() -> Vec<(u64, u64)> {
    EXPECTED
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (s, h) = l.trim().split_once(' ')?;
            Some((s.parse().ok()?, u64::from_str_radix(h, 16).ok()?))
        })
        .collect()
}

#[test]
fn trace_hashes_of_50_seeds_match_the_checked_in_file() {
    let got = computed();
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("LOGSCOPE_BLESS_HASHES").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/determinism/trace-hashes.txt"
        );
        std::fs::write(path, render(&got)).expect("cannot write trace-hashes.txt");
        println!("blessed {} trace hashes into {path}", got.len());
        return;
    }
    let want = expected();
    assert_eq!(
        want.len(),
        SEEDS as usize,
        "tests/determinism/trace-hashes.txt holds {} hashes, not {SEEDS}: run `cargo xtask bless-hashes`",
        want.len()
    );
    let differ: Vec<String> = got
        .iter()
        .zip(&want)
        .filter(|(g, w)| g != w)
        .map(|((s, g), (_, w))| format!("seed {s}: {g:016x}, checked in {w:016x}"))
        .collect();
    let hint = if cfg!(target_arch = "wasm32") {
        "wasm32 differs from the hashes a native run blessed: if the native test passes, some \
         arithmetic, ordering or formatting in the engine depends on the platform"
    } else {
        "the engine's trace changed: if the change was deliberate, run `cargo xtask bless-hashes` \
         and commit tests/determinism/trace-hashes.txt; if not, the engine lost determinism"
    };
    assert!(
        differ.is_empty(),
        "{} of {SEEDS} trace hashes differ ({hint}):\n{}",
        differ.len(),
        differ.join("\n")
    );
}

#[test]
fn a_seed_gives_the_same_hash_twice() {
    assert_eq!(run(7), run(7));
}
