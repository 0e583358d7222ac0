//! Arbitrary command sequences applied to a `Sim`, built from the fuzzer's bytes with
//! `arbitrary` (the engine's `Command` has no `Arbitrary` derive; the mirror below maps to it,
//! with names drawn mostly from a small set so that commands meet each other). Checks: no panic,
//! no hang, a refused command changes nothing, and the engine's invariants hold after every
//! step.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use logscope_core::sim::txn::TxnOp;
use logscope_core::sim::{ApiKey, ElectionType, NodeRef, ResetTo};
use logscope_core::{BrokerId, Command, Sim, SimSpec, TopicPartition};

#[derive(Arbitrary, Debug)]
enum Name {
    Known(u8),
    Any(String),
}

impl Name {
    fn get(&self, pool: &[&str]) -> String {
        match self {
            Name::Known(i) => pool[*i as usize % pool.len()].to_string(),
            Name::Any(s) => s.clone(),
        }
    }
}

const TOPICS: &[&str] = &["t", "orders", "__consumer_offsets", ""];
const CLIENTS: &[&str] = &["p", "q", "c1", "c2"];
const GROUPS: &[&str] = &["g", "h"];
const KEYS: &[&str] = &[
    "acks",
    "min.insync.replicas",
    "enable.idempotence",
    "linger.ms",
    "retention.ms",
    "unclean.leader.election.enable",
    "session.timeout.ms",
    "group.instance.id",
    "partition.assignment.strategy",
    "cleanup.policy",
    "transactional.id",
    "buffer.memory",
    "log.retention.ms",
    "replica.lag.time.max.ms",
];
const VALUES: &[&str] = &[
    "all", "0", "1", "2", "-1", "true", "false", "100", "compact", "x",
];

#[derive(Arbitrary, Debug)]
enum Node {
    Broker(u8),
    Controller(Option<u8>),
    Client(Name),
}

impl Node {
    fn get(&self) -> NodeRef {
        match self {
            Node::Broker(b) => NodeRef::Broker(BrokerId(u32::from(*b % 8))),
            Node::Controller(c) => NodeRef::Controller(c.map(|c| u32::from(c % 5))),
            Node::Client(n) => NodeRef::Client(n.get(CLIENTS)),
        }
    }
}

fn configs(pairs: &[(Name, Name)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .take(4)
        .map(|(k, v)| (k.get(KEYS), v.get(VALUES)))
        .collect()
}

fn api(i: u8) -> ApiKey {
    ApiKey::ALL[i as usize % ApiKey::ALL.len()]
}

#[derive(Arbitrary, Debug)]
enum Op {
    CreateTopic {
        name: Name,
        partitions: Option<u16>,
        rf: Option<u8>,
        assignment: Option<Vec<Vec<u8>>>,
        configs: Vec<(Name, Name)>,
    },
    DeleteTopic(Name),
    AlterPartitions(Name, u16),
    AlterTopicConfig(Name, Vec<(Name, Name)>, Vec<Name>),
    AddProducer(Name, Vec<(Name, Name)>),
    Produce {
        producer: Name,
        topic: Name,
        key: Option<Name>,
        value: Option<Name>,
        partition: Option<u8>,
        count: u8,
    },
    BrokerStop(u8),
    BrokerKill(u8),
    BrokerPowerOff(u8),
    BrokerStart(u8),
    ControllerKill(Option<u8>),
    ControllerStart(u8),
    NetIsolate(Node),
    NetCut(Node, Node),
    NetSlow(Node, u16),
    NetDropNext(u8, Option<Node>),
    NetDelayNext(u8, Option<Node>, u16),
    NetDuplicateNext(u8, Option<Node>),
    NetHeal(Option<Node>),
    ElectLeaders(bool, Option<Vec<(Name, u8)>>),
    AddConsumer(Name, Name, Vec<Name>, Vec<(Name, Name)>),
    RemoveConsumer(Name),
    KillConsumer(Name),
    PauseConsumer(Name, u16),
    ResetOffsets(Name, Name, i8),
    AlterBrokerConfig(Option<u8>, Vec<(Name, Name)>, Vec<Name>),
    /// begin, commit, abort, send offsets (to a group)
    Txn(Name, u8, Name),
    KillProducer(Name),
    /// Deliver up to this many events.
    Step(u8),
    /// Run the clock forward (up to ~65 s).
    RunFor(u16),
}

fn broker(b: u8) -> BrokerId {
    BrokerId(u32::from(b % 8))
}

fn command(op: &Op) -> Option<Command> {
    Some(match op {
        Op::CreateTopic {
            name,
            partitions,
            rf,
            assignment,
            configs: c,
        } => Command::CreateTopic {
            name: name.get(TOPICS),
            partitions: partitions.map(u32::from),
            replication_factor: rf.map(u32::from),
            assignment: assignment.as_ref().map(|a| {
                a.iter()
                    .take(16)
                    .map(|r| r.iter().take(8).map(|b| broker(*b)).collect())
                    .collect()
            }),
            configs: configs(c),
        },
        Op::DeleteTopic(n) => Command::DeleteTopic {
            name: n.get(TOPICS),
        },
        Op::AlterPartitions(n, c) => Command::AlterPartitions {
            name: n.get(TOPICS),
            count: u32::from(*c),
        },
        Op::AlterTopicConfig(n, set, delete) => Command::AlterTopicConfig {
            name: n.get(TOPICS),
            set: configs(set),
            delete: delete.iter().take(4).map(|k| k.get(KEYS)).collect(),
        },
        Op::AddProducer(n, c) => Command::AddProducer {
            client_id: n.get(CLIENTS),
            configs: configs(c),
        },
        Op::Produce {
            producer,
            topic,
            key,
            value,
            partition,
            count,
        } => Command::Produce {
            producer: producer.get(CLIENTS),
            topic: topic.get(TOPICS),
            key: key.as_ref().map(|k| k.get(&["k1", "k2", "<b>k</b>"])),
            value: value
                .as_ref()
                .map(|v| v.get(&["v", "<script>alert(1)</script>"])),
            partition: partition.map(u32::from),
            count: u32::from(*count),
        },
        Op::BrokerStop(b) => Command::BrokerStop(broker(*b)),
        Op::BrokerKill(b) => Command::BrokerKill(broker(*b)),
        Op::BrokerPowerOff(b) => Command::BrokerPowerOff(broker(*b)),
        Op::BrokerStart(b) => Command::BrokerStart(broker(*b)),
        Op::ControllerKill(c) => Command::ControllerKill(c.map(|c| u32::from(c % 5))),
        Op::ControllerStart(c) => Command::ControllerStart(u32::from(*c % 5)),
        Op::NetIsolate(n) => Command::NetIsolate(n.get()),
        Op::NetCut(a, b) => Command::NetCut(a.get(), b.get()),
        Op::NetSlow(n, by) => Command::NetSlow {
            node: n.get(),
            by_ms: u64::from(*by),
        },
        Op::NetDropNext(a, from) => Command::NetDropNext {
            api: api(*a),
            from: from.as_ref().map(Node::get),
        },
        Op::NetDelayNext(a, from, by) => Command::NetDelayNext {
            api: api(*a),
            from: from.as_ref().map(Node::get),
            by_ms: u64::from(*by),
        },
        Op::NetDuplicateNext(a, from) => Command::NetDuplicateNext {
            api: api(*a),
            from: from.as_ref().map(Node::get),
        },
        Op::NetHeal(n) => Command::NetHeal(n.as_ref().map(Node::get)),
        Op::ElectLeaders(unclean, parts) => Command::ElectLeaders {
            election: if *unclean {
                ElectionType::Unclean
            } else {
                ElectionType::Preferred
            },
            partitions: parts.as_ref().map(|p| {
                p.iter()
                    .take(8)
                    .map(|(t, i)| TopicPartition::new(t.get(TOPICS), u32::from(*i % 8)))
                    .collect()
            }),
        },
        Op::AddConsumer(id, group, topics, c) => Command::AddConsumer {
            client_id: id.get(CLIENTS),
            group: group.get(GROUPS),
            topics: topics.iter().take(4).map(|t| t.get(TOPICS)).collect(),
            configs: configs(c),
        },
        Op::RemoveConsumer(n) => Command::RemoveConsumer(n.get(CLIENTS)),
        Op::KillConsumer(n) => Command::KillConsumer(n.get(CLIENTS)),
        Op::PauseConsumer(n, ms) => Command::PauseConsumer {
            name: n.get(CLIENTS),
            for_ms: u64::from(*ms),
        },
        Op::ResetOffsets(g, t, to) => Command::ResetOffsets {
            group: g.get(GROUPS),
            topic: t.get(TOPICS),
            to: match to {
                -1 => ResetTo::Earliest,
                -2 => ResetTo::Latest,
                o => ResetTo::Offset(i64::from(*o)),
            },
        },
        Op::AlterBrokerConfig(b, set, delete) => Command::AlterBrokerConfig {
            broker: b.map(broker),
            set: configs(set),
            delete: delete.iter().take(4).map(|k| k.get(KEYS)).collect(),
        },
        Op::Txn(p, op, g) => Command::Txn {
            producer: p.get(CLIENTS),
            op: match op % 4 {
                0 => TxnOp::Begin,
                1 => TxnOp::Commit,
                2 => TxnOp::Abort,
                _ => TxnOp::SendOffsets {
                    group: g.get(GROUPS),
                },
            },
        },
        Op::KillProducer(p) => Command::KillProducer(p.get(CLIENTS)),
        Op::Step(_) | Op::RunFor(_) => return None,
    })
}

fn check(sim: &Sim, ops: &[Op]) {
    if let Err(e) = sim.check_invariants() {
        panic!("invariant broken after {ops:?}: {e}");
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok((brokers, controllers, latency)) = <(u8, u8, u8)>::arbitrary(&mut u) else {
        return;
    };
    let spec = SimSpec {
        brokers: u32::from(brokers % 6) + 1,
        controllers: u32::from(controllers % 3) + 1,
        latency_ms: u64::from(latency % 50),
        ..SimSpec::default()
    };
    let Ok(mut sim) = Sim::new(spec, u64::from(brokers)) else {
        return;
    };
    let mut done: Vec<Op> = Vec::new();
    // At most 64 operations, so that one input stays fast.
    while done.len() < 64 {
        let Ok(op) = Op::arbitrary(&mut u) else { break };
        match &op {
            Op::Step(n) => {
                for _ in 0..*n {
                    if !sim.step() {
                        break;
                    }
                    check(&sim, &done);
                }
            }
            Op::RunFor(ms) => {
                let until = sim.now() + u64::from(*ms);
                while sim.next_event_time().is_some_and(|t| t <= until) {
                    if !sim.step() {
                        break;
                    }
                    check(&sim, &done);
                }
                sim.advance_clock_to(until.max(sim.now()));
            }
            _ => {
                let cmd = command(&op).expect("a command op");
                let before = sim.clone();
                if let Err(e) = sim.apply(cmd.clone()) {
                    assert!(
                        sim == before,
                        "refused command {cmd:?} ({e}) changed the simulation"
                    );
                }
            }
        }
        done.push(op);
    }
    let _ = sim.view();
});
