//! Seed sweeps: random workloads and random faults, one seed per run, the engine's invariants
//! checked after every step, and Kafka's promises checked at the end.
//!
//! A run is a pure function of its seed (the workload is drawn from a PRNG seeded with it, and
//! the simulation is seeded with it too), so a failure names the seed and the step, and
//! `run_seed(seed)` reproduces it exactly.
//!
//! The workload covers every feature: two `acks=all` producers (one idempotent, one not) on
//! `orders` and `payments`, a consumer group on `orders` (classic, or KIP-848 on every third
//! seed), a transactional producer on `ledger` read by a `read_committed` consumer, and the
//! storage topics: `logs` (small `segment.bytes`, `retention.ms` 4 s and `retention.bytes`
//! 1500, checked every second) and `kv` (compacted, on half the seeds `compact,delete`,
//! `min.cleanable.dirty.ratio` 0.1, `delete.retention.ms` 2 s) with keyed writes, a fifth of
//! them tombstones (L1, L6, L7, C1–C4, C7). Every topic has RF 3 and `min.insync.replicas=2`.
//!
//! The promise checked (R2, R4, R6, R10, R12): with `acks=all`, `min.insync.replicas=2`, RF 3
//! and unclean leader election off, no acknowledged record is ever lost, whatever crashes,
//! restarts, controlled shutdowns, power-offs, partitions, cut links, slow links, dropped,
//! delayed and duplicated messages, controller crashes, consumer crashes and preferred
//! elections happen. Records deleted by retention (below the log start) or removed by the
//! cleaner (in the clean part of a compacted log) are gone by design, not lost: the checker
//! tells them apart. Kills, stops and network faults never destroy data (a crashed process
//! keeps its page cache); a power-off does, so it follows a rule that keeps the promise's
//! condition "no power-off of a majority":
//!
//! **At most one broker is powered off and not yet recovered at a time.** A power-off is
//! drawn only when every broker runs and every partition is fully replicated: a leader, every
//! replica in the ISR, and every replica's log end at or above the leader's HW, read from the
//! replicas' logs rather than trusted from the controller. A powered-off broker loses its
//! unflushed tail; after its restart it is a safe copy again only once it has fetched back
//! what it lost and rejoined the ISR (R10: a follower joins at LEO ≥ HW), and until the
//! whole cluster is back to that state no other power-off happens. So every acknowledged
//! record (below the HW, hence on every ISR member when it was acknowledged, R6) is always
//! on at least two replicas that did not lose it, and no replica missing it can be elected
//! while unclean election is off (R12). Kills and controlled shutdowns still happen meanwhile
//! (a majority of brokers always up): they keep the log.
//!
//! Also checked at the end: one owner per partition per generation, committed offsets never
//! above the HW, no aborted or open transactional record read under `read_committed`, no
//! committed one appended twice, no transaction left open. [`Summary`] counts what a seed did
//! (faults by kind, acknowledged records, segments, retention deletions, cleanings) so that
//! the sweep can assert that it exercised all of it.

use std::collections::BTreeMap;

use logscope_core::ids::BrokerId;
use logscope_core::rng::SimRng;
use logscope_core::sim::txn::TxnOp;
use logscope_core::sim::{ApiKey, Command, ElectionType, NodeRef, Sim, SimSpec};
use logscope_core::time::Millis;

/// What went wrong in a seed, with enough to reproduce it.
#[derive(Debug)]
pub struct Failure {
    pub seed: u64,
    pub step: u64,
    pub time_ms: u64,
    pub what: String,
    /// The workload and faults applied, in order, for the report.
    pub actions: Vec<String>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "seed {} failed at step {} (t={}ms): {}",
            self.seed, self.step, self.time_ms, self.what
        )?;
        writeln!(f, "reproduce: cargo xtask replay {}", self.seed)?;
        for a in self.actions.iter().rev().take(15).rev() {
            writeln!(f, "  {a}")?;
        }
        Ok(())
    }
}

/// What a passing seed did.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub steps: u64,
    pub faults: u64,
    /// The faults the engine accepted, by command (`BrokerPowerOff`, `NetCut`, …).
    pub faults_by_kind: BTreeMap<&'static str, u64>,
    pub acked: u64,
    /// Storage at the end, on the leaders of the storage topics: segments in all, partitions
    /// whose log start moved past 0 (retention deleted a segment, L6/L7), and partitions of
    /// the compacted topic with a cleaned segment (C1–C3). Summed over seeds, they show the
    /// storage workload really rolled, deleted and cleaned.
    pub segments: u64,
    pub partitions_with_deleted_segments: u64,
    pub partitions_cleaned: u64,
    pub trace_hash: u64,
}

impl Summary {
    /// Adds another seed's figures to these.
    pub fn add(&mut self, o: &Summary) {
        self.steps += o.steps;
        self.faults += o.faults;
        for (k, n) in &o.faults_by_kind {
            *self.faults_by_kind.entry(k).or_default() += n;
        }
        self.acked += o.acked;
        self.segments += o.segments;
        self.partitions_with_deleted_segments += o.partitions_with_deleted_segments;
        self.partitions_cleaned += o.partitions_cleaned;
    }
}

const ROUNDS: usize = 24;

/// The consumer group of the sweep: two members reading `orders`.
const CONSUMERS: [&str; 2] = ["c1", "c2"];

/// Every third seed's group uses the KIP-848 consumer protocol (G8); chosen from the seed
/// itself so that the other seeds' workloads stay as they were.
fn add_consumer(client_id: &str, seed: u64) -> Command {
    let configs = if seed.is_multiple_of(3) {
        vec![("group.protocol".into(), "consumer".into())]
    } else {
        vec![]
    };
    Command::AddConsumer {
        client_id: client_id.into(),
        group: "g".into(),
        topics: vec!["orders".into()],
        configs,
    }
}

/// RF 3 replica lists for `parts` partitions: each starts at a random broker and takes the
/// next two (one draw of `rng` a partition).
fn random_assignment(rng: &mut SimRng, parts: u32, brokers: u32) -> Vec<Vec<BrokerId>> {
    (0..parts)
        .map(|p| {
            let first = (p + rng.below(brokers)) % brokers;
            (0..3)
                .map(|j| BrokerId((first + j) % brokers + 1))
                .collect()
        })
        .collect()
}

/// Runs one seed: a 3–5 broker cluster, five topics (RF 3, min.insync 2: `orders`,
/// `payments`, the transactional `ledger`, the storage topics `logs` and `kv`), two producers
/// with acks=all (one idempotent, one not), a transactional producer, a consumer group of two
/// on `orders` and a `read_committed` one on `ledger`, random faults of every kind under the
/// rules of the module doc, invariants after every step.
pub fn run_seed(seed: u64) -> Result<Summary, Failure> {
    let mut rng = SimRng::new(seed ^ 0x5eed_5eed);
    let brokers = 3 + rng.below(3);
    let spec = SimSpec {
        brokers,
        latency_ms: 1 + rng.range_inclusive(0, 4),
        // Retention runs every second (L7) so that the storage topics lose segments within
        // the run, as `retention.ms` below asks.
        broker_configs: vec![("log.retention.check.interval.ms".into(), "1000".into())],
        ..SimSpec::default()
    };
    let mut sim = Sim::new(spec, seed).map_err(|e| {
        fail(
            seed,
            &Sim::new(SimSpec::default(), 0).unwrap(),
            format!("setup: {e}"),
            vec![],
        )
    })?;
    let mut actions: Vec<String> = Vec::new();
    let mut faults = 0;
    let mut faults_by_kind: BTreeMap<&'static str, u64> = BTreeMap::new();
    let b = |i: u32| BrokerId(i);
    let apply = |sim: &mut Sim, actions: &mut Vec<String>, cmd: Command| {
        let label = format!("t={} {:?}", sim.now().0, cmd);
        let r = sim.apply(cmd);
        actions.push(match &r {
            Ok(_) => label,
            Err(e) => format!("{label} -> refused: {e}"),
        });
        r.is_ok()
    };
    for (name, parts) in [("orders", 3u32), ("payments", 2), ("ledger", 2)] {
        let assignment = random_assignment(&mut rng, parts, brokers);
        let ok = apply(
            &mut sim,
            &mut actions,
            Command::CreateTopic {
                name: name.into(),
                partitions: None,
                replication_factor: None,
                assignment: Some(assignment),
                configs: vec![("min.insync.replicas".into(), "2".into())],
            },
        );
        if !ok {
            return Err(fail(seed, &sim, "could not create topics".into(), actions));
        }
    }
    // The storage topics (L1, L6, L7, C1–C4, C7): small segments so that they roll every
    // few batches; `logs` deletes by time and by size, `kv` is compacted (with deletion as
    // well on half the seeds) with an eager cleaner and short-lived tombstones.
    let segment_bytes = (200 + rng.range_inclusive(0, 400)).to_string();
    let compact_policy = if rng.below(2) == 0 {
        "compact"
    } else {
        "compact,delete"
    };
    let storage_topics: [(&str, Vec<(&str, &str)>); 2] = [
        (
            "logs",
            vec![("retention.ms", "4000"), ("retention.bytes", "1500")],
        ),
        (
            "kv",
            vec![
                ("cleanup.policy", compact_policy),
                ("min.cleanable.dirty.ratio", "0.1"),
                ("delete.retention.ms", "2000"),
                ("retention.ms", "20000"),
            ],
        ),
    ];
    for (name, extra) in storage_topics {
        let assignment = random_assignment(&mut rng, 2, brokers);
        let mut configs = vec![
            ("min.insync.replicas".to_string(), "2".to_string()),
            ("segment.bytes".to_string(), segment_bytes.clone()),
        ];
        configs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let ok = apply(
            &mut sim,
            &mut actions,
            Command::CreateTopic {
                name: name.into(),
                partitions: None,
                replication_factor: None,
                assignment: Some(assignment),
                configs,
            },
        );
        if !ok {
            return Err(fail(seed, &sim, "could not create topics".into(), actions));
        }
    }
    apply(
        &mut sim,
        &mut actions,
        Command::AddProducer {
            client_id: "idem".into(),
            configs: vec![("acks".into(), "all".into())],
        },
    );
    apply(
        &mut sim,
        &mut actions,
        Command::AddProducer {
            client_id: "plain".into(),
            configs: vec![
                ("acks".into(), "all".into()),
                ("enable.idempotence".into(), "false".into()),
                ("request.timeout.ms".into(), "5000".into()),
                ("delivery.timeout.ms".into(), "30000".into()),
            ],
        },
    );
    for c in CONSUMERS {
        apply(&mut sim, &mut actions, add_consumer(c, seed));
    }
    // The transactional workload: producer `tx` writes transactions to `ledger`, a
    // read_committed consumer reads them (I6, I7).
    apply(
        &mut sim,
        &mut actions,
        Command::AddProducer {
            client_id: "tx".into(),
            configs: vec![
                ("transactional.id".into(), "tx-1".into()),
                ("transaction.timeout.ms".into(), "20000".into()),
            ],
        },
    );
    apply(
        &mut sim,
        &mut actions,
        Command::AddConsumer {
            client_id: "rc".into(),
            group: "gl".into(),
            topics: vec!["ledger".into()],
            configs: vec![
                ("isolation.level".into(), "read_committed".into()),
                ("auto.offset.reset".into(), "earliest".into()),
            ],
        },
    );
    let mut down: Vec<u32> = Vec::new();
    let mut controller_down: Option<u32> = None;
    for _round in 0..ROUNDS {
        // Transactions: every third round, one step of the transactional producer (begin and
        // send, send more, commit or abort). Calls the client refuses (still initializing,
        // fenced) are part of the run.
        if rng.below(3) == 0 {
            let op = match rng.below(4) {
                0 => TxnOp::Begin,
                1 => TxnOp::Commit,
                2 if rng.below(3) == 0 => TxnOp::Abort,
                _ => TxnOp::Commit,
            };
            let begin = op == TxnOp::Begin;
            apply(
                &mut sim,
                &mut actions,
                Command::Txn {
                    producer: "tx".into(),
                    op,
                },
            );
            if begin {
                apply(
                    &mut sim,
                    &mut actions,
                    Command::Produce {
                        producer: "tx".into(),
                        topic: "ledger".into(),
                        key: Some(format!("t{}", rng.below(4))),
                        value: Some("v".into()),
                        partition: None,
                        count: 1 + rng.below(3),
                    },
                );
            }
        }
        // Workload: a burst from one producer.
        let producer = if rng.below(2) == 0 { "idem" } else { "plain" };
        let topic = if rng.below(3) == 0 {
            "payments"
        } else {
            "orders"
        };
        let key = format!("k{}", rng.below(6));
        let count = 1 + rng.below(5);
        apply(
            &mut sim,
            &mut actions,
            Command::Produce {
                producer: producer.into(),
                topic: topic.into(),
                key: Some(key),
                value: Some("v".into()),
                partition: None,
                count,
            },
        );
        // Storage workload: keyed writes to `logs` or `kv`, a fifth of those to `kv` being
        // tombstones (a null value, C3).
        for _ in 0..rng.below(3) {
            let producer = if rng.below(2) == 0 { "idem" } else { "plain" };
            let topic = if rng.below(2) == 0 { "logs" } else { "kv" };
            let key = format!("k{}", rng.below(6));
            let value = if topic == "kv" && rng.below(5) == 0 {
                None
            } else {
                Some(format!("v{}", rng.below(100)))
            };
            apply(
                &mut sim,
                &mut actions,
                Command::Produce {
                    producer: producer.into(),
                    topic: topic.into(),
                    key: Some(key),
                    value,
                    partition: None,
                    count: 1 + rng.below(5),
                },
            );
        }
        // Fault, sometimes.
        if rng.below(3) == 0 {
            faults += 1;
            let target = 1 + rng.below(brokers);
            let node = NodeRef::Broker(b(target));
            let api = [
                ApiKey::Fetch,
                ApiKey::Produce,
                ApiKey::AlterPartition,
                ApiKey::MetadataRecord,
                ApiKey::Heartbeat,
                ApiKey::OffsetCommit,
                ApiKey::JoinGroup,
            ][rng.below(7) as usize];
            let majority_up = down.len() + 1 < brokers as usize / 2 + 1 && !down.contains(&target);
            let cmd = match rng.below(20) {
                // Keep a majority of brokers up so that the cluster can make progress at all.
                0 | 1 if majority_up => {
                    down.push(target);
                    Command::BrokerKill(b(target))
                }
                2 if majority_up => {
                    down.push(target);
                    Command::BrokerStop(b(target))
                }
                3 | 4 if !down.is_empty() => {
                    let i = rng.below(down.len() as u32) as usize;
                    Command::BrokerStart(b(down.remove(i)))
                }
                5 => Command::NetIsolate(node),
                6 => Command::NetCut(node, NodeRef::Broker(b(1 + rng.below(brokers)))),
                7 => Command::NetDropNext { api, from: None },
                8 => Command::NetSlow {
                    node,
                    by_ms: rng.range_inclusive(1, 300),
                },
                9 => Command::NetDelayNext {
                    api,
                    from: None,
                    by_ms: rng.range_inclusive(1, 2_000),
                },
                10 => Command::NetDuplicateNext { api, from: None },
                // One of the three KRaft controllers at a time: the quorum keeps a majority.
                11 if controller_down.is_none() => {
                    let c = 1 + rng.below(3);
                    controller_down = Some(c);
                    Command::ControllerKill(Some(c))
                }
                12 if controller_down.is_some() => {
                    Command::ControllerStart(controller_down.take().unwrap_or(1))
                }
                13 => Command::KillConsumer(CONSUMERS[rng.below(2) as usize].into()),
                14 => add_consumer(CONSUMERS[rng.below(2) as usize], seed),
                15 => Command::ElectLeaders {
                    election: ElectionType::Preferred,
                    partitions: None,
                },
                // Power-off, under the rule of the module doc: only when every broker runs
                // and every replica of every partition is in the ISR and holds the HW.
                16..=19 if down.is_empty() && fully_replicated(&sim) => {
                    down.push(target);
                    Command::BrokerPowerOff(b(target))
                }
                _ => Command::NetHeal(None),
            };
            let kind = cmd.label();
            if apply(&mut sim, &mut actions, cmd) {
                *faults_by_kind.entry(kind).or_default() += 1;
            }
        }
        let until = sim.now() + rng.range_inclusive(10, 8_000);
        step_checked(&mut sim, seed, until, &actions)?;
    }
    // Recovery: heal everything, start every broker, let the cluster settle.
    apply(&mut sim, &mut actions, Command::NetHeal(None));
    if let Some(c) = controller_down.take() {
        apply(&mut sim, &mut actions, Command::ControllerStart(c));
    }
    for d in down.drain(..) {
        apply(&mut sim, &mut actions, Command::BrokerStart(b(d)));
    }
    let until = sim.now() + 150_000;
    step_checked(&mut sim, seed, until, &actions)?;
    let view = sim.view();
    if view.lost_acked != 0 {
        let why = view
            .findings
            .iter()
            .map(|f| format!("[step {}] {}", f.step, f.message))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(fail(
            seed,
            &sim,
            format!(
                "{} acknowledged record(s) lost with acks=all, min.insync=2: {why}",
                view.lost_acked
            ),
            actions,
        ));
    }
    if let Some(f) = view
        .findings
        .iter()
        .find(|f| f.kind == "two-leaders" || f.kind == "lost")
    {
        return Err(fail(
            seed,
            &sim,
            format!("finding at step {}: {}", f.step, f.message),
            actions,
        ));
    }
    // Committed offsets never pass the high watermark (a consumer reads below it only, R6).
    for g in &view.groups {
        for o in &g.offsets {
            if o.committed > o.log_end {
                return Err(fail(
                    seed,
                    &sim,
                    format!(
                        "group {} committed {} for {} above its HW {}",
                        g.group_id, o.committed, o.tp, o.log_end
                    ),
                    actions,
                ));
            }
        }
    }
    // One owner per partition per generation (classic and KIP-848 groups). Exactly-once on
    // `ledger`: no aborted or open record reached the read_committed consumer, no committed
    // record was lost (above) or appended twice, and no transaction is left hanging once the
    // coordinator had time to finish or time it out.
    if let Some(f) = view.findings.iter().find(|f| {
        f.kind == "two-owners"
            || f.kind == "uncommitted-read"
            || (f.kind == "duplicate" && f.message.starts_with("ledger-"))
    }) {
        return Err(fail(
            seed,
            &sim,
            format!("finding at step {}: {}", f.step, f.message),
            actions,
        ));
    }
    // No transaction is left hanging (LSO below HW on `ledger`) once the coordinator had time
    // to finish it or to abort it on `transaction.timeout.ms` (I7).
    if let Some(p) = view
        .topics
        .iter()
        .filter(|t| t.name == "ledger")
        .flat_map(|t| &t.partitions)
        .find(|p| p.leader.is_some() && p.last_stable_offset != p.high_watermark)
    {
        return Err(fail(
            seed,
            &sim,
            format!(
                "ledger-{}: LSO {} below HW {} after recovery (a transaction was left open)",
                p.partition, p.last_stable_offset, p.high_watermark
            ),
            actions,
        ));
    }
    let acked = view.producers.iter().map(|p| p.acked).sum();
    let (mut segments, mut deleted, mut cleaned) = (0, 0, 0);
    for t in view
        .topics
        .iter()
        .filter(|t| t.name == "logs" || t.name == "kv")
    {
        for p in &t.partitions {
            let Some(r) = p.replica_states.iter().find(|r| Some(r.broker) == p.leader) else {
                continue;
            };
            segments += r.segments.len() as u64;
            if r.log_start_offset > 0 {
                deleted += 1;
            }
            if t.name == "kv" && r.segments.iter().any(|s| s.clean) {
                cleaned += 1;
            }
        }
    }
    Ok(Summary {
        steps: sim.steps(),
        faults,
        faults_by_kind,
        acked,
        segments,
        partitions_with_deleted_segments: deleted,
        partitions_cleaned: cleaned,
        trace_hash: sim.trace_hash(),
    })
}

/// Whether a power-off is allowed now (with every broker running, which the caller checks):
/// every partition has a leader, its ISR is all of its replicas, and every replica's log end
/// is at or above the leader's HW. Read from the replicas' logs, not only from the
/// controller's ISR, so that a broker that restarted after a power-off counts as a copy only
/// once its log holds everything acknowledged again (R6, R10).
fn fully_replicated(sim: &Sim) -> bool {
    sim.view()
        .topics
        .iter()
        .flat_map(|t| &t.partitions)
        .all(|p| {
            p.leader.is_some()
                && p.isr.len() == p.replicas.len()
                && p.replica_states.len() == p.replicas.len()
                && p.replica_states
                    .iter()
                    .all(|r| r.log_end_offset >= p.high_watermark)
        })
}

fn step_checked(
    sim: &mut Sim,
    seed: u64,
    until: Millis,
    actions: &[String],
) -> Result<(), Failure> {
    while sim.next_event_time().is_some_and(|t| t <= until) {
        if !sim.step() {
            break;
        }
        if let Err(e) = sim.check_invariants() {
            return Err(fail(seed, sim, e, actions.to_vec()));
        }
    }
    sim.advance_clock_to(until);
    if let Err(e) = sim.check_logs_contiguous() {
        return Err(fail(seed, sim, e, actions.to_vec()));
    }
    Ok(())
}

fn fail(seed: u64, sim: &Sim, what: String, actions: Vec<String>) -> Failure {
    Failure {
        seed,
        step: sim.steps(),
        time_ms: sim.now().0,
        what,
        actions,
    }
}
