//! The typed form of every line of the scenario language.
//!
//! The parser ([`super::parse`]) produces these from shell words; the interpreter
//! ([`super::interp`]) turns them into [`crate::sim::Command`]s, time control and checks. The
//! AST depends on no engine type so that the language can be parsed (and its errors shown)
//! without a running simulation.

use alloc::string::String;
use alloc::vec::Vec;

use crate::ids::TopicPartition;

/// A node named on a line: a broker id, a controller, or a client's `client.id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Broker(u32),
    /// `controller-N`; `None` is `controller`, the active one.
    Controller(Option<u32>),
    Client(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrokerOp {
    Stop,
    Kill,
    PowerOff,
    Start,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Election {
    Preferred,
    Unclean,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnOp {
    Begin,
    Commit,
    Abort,
    SendOffsets,
}

/// `cluster …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterArgs {
    pub brokers: u32,
    pub controllers: Option<u32>,
    pub racks: Vec<String>,
    pub seed: Option<u64>,
    pub latency_ms: Option<u64>,
    /// Broker configs by Kafka name, as written (validated by the engine).
    pub broker_configs: Vec<(String, String)>,
}

/// Which partitions `kafka-topics --describe` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DescribeFilter {
    pub under_replicated: bool,
    pub unavailable: bool,
    pub under_min_isr: bool,
    pub at_min_isr: bool,
}

impl DescribeFilter {
    pub fn any(&self) -> bool {
        self.under_replicated || self.unavailable || self.under_min_isr || self.at_min_isr
    }
}

/// `kafka-console-producer` with its records block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleProducer {
    pub topic: String,
    pub producer_props: Vec<(String, String)>,
    pub parse_key: bool,
    pub key_separator: String,
    pub null_marker: Option<String>,
    pub records: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResetTo {
    Earliest,
    Latest,
    Offset(i64),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    Help(Option<String>),
    Cluster(ClusterArgs),
    TopicsCreate {
        topic: String,
        partitions: Option<u32>,
        replication_factor: Option<u32>,
        assignment: Option<Vec<Vec<u32>>>,
        configs: Vec<(String, String)>,
        if_not_exists: bool,
    },
    TopicsDescribe {
        topic: Option<String>,
        exclude_internal: bool,
        filter: DescribeFilter,
    },
    TopicsList {
        exclude_internal: bool,
    },
    TopicsAlter {
        topic: String,
        partitions: u32,
    },
    TopicsDelete {
        topic: String,
    },
    ConfigsAlter {
        topic: String,
        add: Vec<(String, String)>,
        delete: Vec<String>,
    },
    ConfigsDescribe {
        topic: Option<String>,
    },
    /// `kafka-configs --alter --entity-type brokers (--entity-name N | --entity-default)`.
    /// `broker: None` is the cluster-wide default.
    BrokerConfigsAlter {
        broker: Option<u32>,
        add: Vec<(String, String)>,
        delete: Vec<String>,
    },
    /// `kafka-configs --describe --entity-type brokers [--entity-name N | --entity-default]`.
    BrokerConfigsDescribe {
        which: BrokerEntity,
    },
    ConsoleProducer(ConsoleProducer),
    ConsoleConsumer {
        topic: String,
        group: Option<String>,
        from_beginning: bool,
        max_messages: Option<u64>,
        print_key: bool,
    },
    GroupsList,
    GroupsDescribe {
        group: String,
        members: bool,
        state: bool,
        /// `--verbose`: epochs and target assignments (consumer groups, G8).
        verbose: bool,
    },
    GroupsResetOffsets {
        group: String,
        topic: String,
        to: ResetTo,
        execute: bool,
    },
    LeaderElection {
        election: Election,
        /// `None`: `--all-topic-partitions`.
        partitions: Option<Vec<TopicPartition>>,
    },
    ProducerAdd {
        client_id: String,
        configs: Vec<(String, String)>,
    },
    Produce {
        producer: String,
        topic: String,
        key: Option<String>,
        value: Option<String>,
        partition: Option<u32>,
        count: u32,
    },
    Txn {
        op: TxnOp,
        producer: String,
        group: Option<String>,
    },
    /// `producer kill P`: the producer process crashes.
    ProducerKill {
        client_id: String,
    },
    ConsumerAdd {
        client_id: String,
        group: Option<String>,
        topics: Vec<String>,
        configs: Vec<(String, String)>,
    },
    ConsumerRemove(String),
    ConsumerKill(String),
    ConsumerPause {
        client_id: String,
        for_ms: u64,
    },
    Broker {
        op: BrokerOp,
        id: u32,
    },
    ControllerKill(Option<u32>),
    ControllerStart(u32),
    NetIsolate(Node),
    NetCut(Node, Node),
    NetSlow {
        node: Node,
        by_ms: u64,
    },
    NetDropNext {
        api: String,
        from: Option<Node>,
    },
    NetDelayNext {
        api: String,
        from: Option<Node>,
        by_ms: u64,
    },
    NetDuplicateNext {
        api: String,
        from: Option<Node>,
    },
    NetHeal(Option<Node>),
    Run(u64),
    Step(u64),
    Settle(u64),
    Expect(Expect),
}

/// A field of `expect partition`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartitionExpect {
    /// `Some(None)`: `leader=none`.
    pub leader: Option<Option<u32>>,
    pub isr: Option<Vec<u32>>,
    pub replicas: Option<Vec<u32>>,
    pub hw: Option<i64>,
    pub leo: Option<i64>,
    pub epoch: Option<i64>,
    pub log_start: Option<i64>,
    pub lso: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    Partition {
        tp: TopicPartition,
        fields: PartitionExpect,
    },
    Replica {
        tp: TopicPartition,
        broker: u32,
        leo: Option<i64>,
        hw: Option<i64>,
        log_start: Option<i64>,
        in_isr: Option<bool>,
    },
    Controller {
        active: Option<String>,
        epoch: Option<u64>,
    },
    Broker {
        id: u32,
        state: Option<String>,
    },
    Records {
        tp: TopicPartition,
        count: Option<u64>,
        keys: Option<u64>,
    },
    Log {
        tp: TopicPartition,
        broker: u32,
        segments: Option<u64>,
        log_start: Option<i64>,
    },
    Producer {
        client_id: String,
        acked: Option<u64>,
        failed: Option<u64>,
        pending: Option<u64>,
        /// `Some(None)`: `last-error=none`.
        last_error: Option<Option<String>>,
        /// The client's transaction state (`READY`, `IN_TRANSACTION`, `FATAL_ERROR`, …).
        txn_state: Option<String>,
    },
    Record {
        topic: String,
        key: String,
        partition: u32,
    },
    Group {
        group: String,
        state: Option<String>,
        generation: Option<i64>,
        members: Option<u64>,
        /// The assignor (`range`, `uniform`, …) or the group protocol (`classic`, `consumer`).
        protocol: Option<String>,
        /// Consumer groups (G8): the group epoch.
        epoch: Option<i64>,
        /// The last rebalance's stop-the-world time: the members' idle milliseconds, summed.
        idle_ms: Option<u64>,
        /// The last completed rebalance: partitions whose owner differs from the previous
        /// generation's.
        moved: Option<u64>,
        /// The last rebalance: the members (client ids) that stopped consuming because it
        /// revoked all they owned (eager: every member that owned something, G7).
        stopped: Option<Vec<String>>,
        /// Records processed more than once by the group's members (at-least-once).
        duplicates: Option<u64>,
        /// Records below a committed offset that no member ever processed (at-most-once).
        skipped: Option<u64>,
    },
    /// Each listed member (by client id) and the partitions it must own, compared as a set.
    Assignment {
        group: String,
        members: Vec<(String, Vec<TopicPartition>)>,
    },
    Consumed {
        client_id: String,
        count: Option<u64>,
        duplicates: Option<u64>,
    },
    /// A consumer client: its state (`stable`, `fenced`, `closed`, …), the generation it
    /// joined, and the last error it got (`none` for none).
    Consumer {
        client_id: String,
        state: Option<String>,
        generation: Option<i64>,
        last_error: Option<Option<String>>,
    },
    Lag {
        group: String,
        total: Option<i64>,
        partitions: Vec<(TopicPartition, i64)>,
    },
    Lost(u64),
    Findings {
        total: Option<u64>,
        kinds: Vec<(String, u64)>,
    },
    Error(String),
}

/// Which broker configs `kafka-configs --describe --entity-type brokers` shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrokerEntity {
    /// Every broker, then the cluster-wide defaults (no `--entity-name`).
    All,
    /// `--entity-name N` / `--broker N`.
    Broker(u32),
    /// `--entity-default` / `--broker-defaults`.
    Default,
}
