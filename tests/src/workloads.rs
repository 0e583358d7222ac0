//! The benchmark workloads, shared by the criterion benches (`tests/benches/`), the bench binary
//! behind `cargo xtask bench` (`tests/src/bin/bench.rs`) and the same workloads compiled to wasm
//! for the browser (`tests/wasm-bench/`).
//!
//! Nothing here reads a clock: a workload does its work and returns a count (records, events,
//! lines) so that the caller, native or in a page, times it and divides. Every workload is
//! deterministic, so native and wasm do exactly the same work.

use std::rc::Rc;

use logscope_core::assignor::{
    self, Assignment, AssignorName, GroupSubscription, MemberSubscription, TopicMeta,
};
use logscope_core::collections::VecMap;
use logscope_core::ids::BrokerId;
use logscope_core::scenario::{lex, parse};
use logscope_core::sim::log::{Log, LogConfig};
use logscope_core::sim::msg::{Batch, Rec};
use logscope_core::sim::{limits, Command, Sim, SimSpec, Timeline};

/// The seed every workload uses.
pub const SEED: u64 = 1;
/// How long `settle` may take after a burst, in simulated milliseconds.
const SETTLE_MS: u64 = 600_000;

fn topic_cmd(name: &str, partitions: u32, brokers: u32) -> Command {
    // Replicas of partition p on brokers p, p+1, p+2 (mod brokers): RF 3, leaders spread.
    let assignment = (0..partitions)
        .map(|p| (0..3).map(|r| BrokerId(1 + (p + r) % brokers)).collect())
        .collect();
    Command::CreateTopic {
        name: name.into(),
        partitions: None,
        replication_factor: None,
        assignment: Some(assignment),
        configs: vec![],
    }
}

/// The engine's reference cluster: 3 brokers (and 3 KRaft controllers), topic `t` with one
/// partition on brokers 1, 2, 3 (RF 3), producer `p` with `acks=all`, started and settled.
pub fn engine_cluster() -> Sim {
    let mut sim = Sim::new(SimSpec::default(), SEED).expect("default spec");
    sim.apply(topic_cmd("t", 1, 3)).expect("create topic");
    sim.apply(Command::AddProducer {
        client_id: "p".into(),
        configs: vec![("acks".into(), "all".into())],
    })
    .expect("add producer");
    sim.run_for(100);
    sim.settle(SETTLE_MS).expect("settles");
    sim
}

/// Sends `records` records (key `k`, value `value`) through producer `p` to topic `t`, in bursts
/// of at most [`limits::MAX_RECORDS_PER_COMMAND`], settling after each so every record is
/// replicated to all three replicas and acknowledged. Returns the events stepped.
pub fn produce(sim: &mut Sim, records: u64) -> u64 {
    let before = sim.steps();
    let mut left = records;
    while left > 0 {
        let n = left.min(u64::from(limits::MAX_RECORDS_PER_COMMAND)) as u32;
        sim.apply(Command::Produce {
            producer: "p".into(),
            topic: "t".into(),
            key: Some("k".into()),
            value: Some("value".into()),
            partition: None,
            count: n,
        })
        .expect("produce");
        sim.settle(SETTLE_MS).expect("settles");
        left -= u64::from(n);
    }
    sim.steps() - before
}

/// Steps `events` events (fewer only if nothing is scheduled). Returns the events stepped.
pub fn step_events(sim: &mut Sim, events: u64) -> u64 {
    let before = sim.steps();
    for _ in 0..events {
        if !sim.step() {
            break;
        }
    }
    sim.steps() - before
}

/// A cluster under load: [`engine_cluster`] with a burst of `backlog` records just sent and not
/// yet settled, so the next events are produce, fetch and acknowledgement traffic.
pub fn loaded_cluster(backlog: u32) -> Sim {
    let mut sim = engine_cluster();
    sim.apply(Command::Produce {
        producer: "p".into(),
        topic: "t".into(),
        key: Some("k".into()),
        value: Some("value".into()),
        partition: None,
        count: backlog,
    })
    .expect("produce");
    sim
}

/// A timeline of [`engine_cluster`] that has stepped at least `events` events, the way the page
/// runs: every 100 simulated ms the producer sends 10 records, and the cluster runs on (fetch
/// long-polls, heartbeats, replication, acknowledgements).
pub fn timeline_run(events: u64) -> Timeline {
    let mut tl = Timeline::new(engine_cluster());
    let start = tl.sim().steps();
    while tl.sim().steps() - start < events {
        tl.apply(Command::Produce {
            producer: "p".into(),
            topic: "t".into(),
            key: Some("k".into()),
            value: Some("value".into()),
            partition: None,
            count: 10,
        })
        .expect("produce");
        tl.run_for(100);
    }
    tl
}

/// Starting points of the seek-back figure, natively, in criterion and in the browser
/// (`tests/e2e/bench.html` passes the same number).
pub const SEEK_PLACES: u64 = 10;

/// `places` (from, to) pairs of timeline positions for a seek `back` events backwards: the
/// starting points spread evenly from `back` events into the run to its end, so one figure
/// averages over how far each target happens to sit from the checkpoint before it. Leaves the
/// timeline at its end.
pub fn seek_back_pairs(tl: &mut Timeline, places: u64, back: u64) -> Vec<(usize, usize)> {
    tl.seek(tl.len());
    let total = tl.sim().steps();
    let span = total.saturating_sub(back);
    (1..=places)
        .map(|k| {
            let from = back + span * k / places;
            (tl.position_of_step(from), tl.position_of_step(from - back))
        })
        .collect()
}

/// A cluster of `brokers` brokers with `partitions` partitions in all (RF 3), in topics of at most
/// [`limits::MAX_PARTITIONS_PER_TOPIC`] partitions, created and settled (every partition has a
/// leader and a full ISR). Returns the events it took.
pub fn partitions_cluster(brokers: u32, partitions: u32) -> (Sim, u64) {
    let spec = SimSpec {
        brokers,
        ..SimSpec::default()
    };
    let mut sim = Sim::new(spec, SEED).expect("spec");
    let mut left = partitions;
    let mut i = 0;
    while left > 0 {
        let n = left.min(limits::MAX_PARTITIONS_PER_TOPIC);
        sim.apply(topic_cmd(&format!("topic-{i}"), n, brokers))
            .expect("create topic");
        left -= n;
        i += 1;
    }
    sim.run_for(100);
    sim.settle(SETTLE_MS).expect("settles");
    let steps = sim.steps();
    (sim, steps)
}

/// Kafka's assignor scale-test shape: `members` members (`consumer-0000`…), each subscribed to
/// all of `topics` topics (`topic-000`…) of `partitions` partitions each. Owns nothing.
pub fn scale_group(members: usize, topics: usize, partitions: u32) -> GroupSubscription {
    let names: Vec<String> = (0..topics).map(|t| format!("topic-{t:04}")).collect();
    let topic_map: VecMap<String, TopicMeta> = names
        .iter()
        .map(|n| (n.clone(), TopicMeta::new(partitions)))
        .collect();
    let members = (0..members)
        .map(|m| MemberSubscription {
            member_id: format!("consumer-{m:05}"),
            topics: names.clone(),
            ..MemberSubscription::default()
        })
        .collect();
    GroupSubscription {
        topics: topic_map,
        members,
    }
}

/// The second round of the scale test: the same group, every member reporting that it owns what
/// `first` gave it (generation 1).
pub fn with_owned(group: &GroupSubscription, first: &Assignment) -> GroupSubscription {
    let mut next = group.clone();
    for m in &mut next.members {
        m.owned = first.get(&m.member_id).cloned().unwrap_or_default();
        m.generation = Some(1);
    }
    next
}

/// Runs one assignor round; returns the number of partitions it assigned (for a sanity check).
pub fn assign_round(name: AssignorName, group: &GroupSubscription) -> (Assignment, usize) {
    let a = assignor::assign(name, group).expect("assigns");
    let n = a.values().map(Vec::len).sum();
    (a, n)
}

/// The four client-side assignors, by Kafka's names.
pub const CLIENT_ASSIGNORS: [AssignorName; 4] = [
    AssignorName::Range,
    AssignorName::RoundRobin,
    AssignorName::Sticky,
    AssignorName::CooperativeSticky,
];

/// True for the assignors whose scale test has two rounds.
pub fn is_sticky(name: AssignorName) -> bool {
    matches!(name, AssignorName::Sticky | AssignorName::CooperativeSticky)
}

/// A scenario script of about `lines` lines in the shapes a user writes: comments, the cluster
/// line, topic creation, producers, produce, faults, time control and `expect` lines.
pub fn scenario_script(lines: usize) -> String {
    const BLOCK: [&str; 16] = [
        "# a broker dies and the ISR shrinks (R2, R6, R9)",
        "cluster brokers=3 seed=7",
        "kafka-topics --create --topic orders --partitions 3 --replication-factor 3 --config min.insync.replicas=2",
        "kafka-topics --describe --topic orders",
        "producer add p1 acks=all retries=0 enable.idempotence=false linger.ms=5ms",
        "produce p1 orders key=k value=\"hello world\"",
        "settle",
        "expect partition orders-0 isr=1,2,3 hw=1 leo=1",
        "broker kill 3",
        "run 35s",
        "expect partition orders-0 leader=1 isr=1,2",
        "net delay next Fetch by=200ms",
        "kafka-configs --alter --entity-type topics --entity-name orders --add-config retention.ms=60000",
        "step 10",
        "expect producer p1 acked=2 failed=1 last-error=NOT_ENOUGH_REPLICAS",
        "expect lost 0",
    ];
    let mut s = String::new();
    for i in 0..lines {
        s.push_str(BLOCK[i % BLOCK.len()]);
        s.push('\n');
    }
    s
}

/// Reads and parses every command of `script` (no simulation). Returns the statements parsed;
/// lines that fail to parse would be counted too, but the generated script has none.
pub fn parse_script(script: &str) -> usize {
    let items = lex::read_script(script).expect("script within limits");
    let mut parsed = 0;
    for item in &items {
        let Ok(words) = &item.words else { continue };
        if parse::parse(words, item.block.as_deref()).is_ok() {
            parsed += 1;
        }
    }
    parsed
}

/// Appends `records` records to one replica's log in batches of `batch` records (what a leader
/// does on produce, without the network). Returns the log.
///
/// With Kafka's defaults (`segment.bytes` 1 GiB, `index.interval.bytes` 4096) the records go
/// into segments with a sparse offset index and time index entry every 4 KiB, as a broker's do.
pub fn log_append(records: u64, batch: u32, keys: u32) -> Log {
    log_append_with(Log::default(), records, batch, keys)
}

/// Like [`log_append`], into a log with the given configuration.
pub fn log_append_with(mut log: Log, records: u64, batch: u32, keys: u32) -> Log {
    let value: Rc<str> = Rc::from("value");
    let key_names: Vec<Rc<str>> = (0..keys.max(1))
        .map(|k| Rc::from(format!("key-{k}").as_str()))
        .collect();
    let mut written = 0u64;
    let mut seq = 0i32;
    while written < records {
        let n = (records - written).min(u64::from(batch)) as usize;
        let recs: Vec<Rec> = (0..n)
            .map(|i| {
                let r = written + i as u64;
                Rec {
                    key: Some(key_names[(r % key_names.len() as u64) as usize].clone()),
                    value: Some(value.clone()),
                    timestamp: r,
                    rid: r,
                    origin: 0,
                }
            })
            .collect();
        let b = Batch {
            base_offset: log.leo(),
            leader_epoch: 0,
            producer_id: 1,
            producer_epoch: 0,
            base_sequence: seq,
            records: Rc::from(recs),
            max_timestamp: written + n as u64,
            attempt: 0,
            transactional: false,
            control: None,
            codec: Default::default(),
        };
        seq += n as i32;
        log.append(b);
        written += n as u64;
    }
    log
}

/// A compacted log of `records` records over `keys` keys (100 a batch, 1 MiB segments, the HW
/// at the LEO), ready for one cleaner pass: what the compaction benchmark cleans.
pub fn log_to_compact(records: u64, keys: u32) -> Log {
    let config = LogConfig {
        compact: true,
        delete: false,
        segment_bytes: 1 << 20,
        ..LogConfig::default()
    };
    let mut log = log_append_with(Log::with_config(config), records, 100, keys);
    log.hw = log.leo();
    log
}

/// One cleaner pass over `log` (C1: the latest record per key is kept; the active segment is
/// not cleaned). Returns the records the log still holds.
pub fn compact_once(log: &mut Log) -> u64 {
    let now = log.leo() as u64;
    let c = log
        .cleanable(now)
        .expect("a log full of overwritten keys is cleanable");
    log.clean(now, c).expect("the pass cleans something");
    log.live_records()
}
