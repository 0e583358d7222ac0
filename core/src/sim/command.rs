//! Commands: the only way anything outside the core changes a simulation.
//!
//! Each command is validated before it touches state, as Kafka's admin API and client config
//! checks validate theirs; a command that fails returns a [`CommandError`](crate::CommandError)
//! and the simulation is unchanged. Commands are recorded in the timeline so that step-back and
//! links replay them exactly.

use alloc::string::String;
use alloc::vec::Vec;

use crate::ids::{BrokerId, TopicPartition};

/// A node named by the user: a broker id, a controller, or a client's `client.id`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeRef {
    Broker(BrokerId),
    /// `controller-N`; `None` means "the active controller".
    Controller(Option<u32>),
    Client(String),
}

/// Kinds of Kafka election (`kafka-leader-election --election-type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ElectionType {
    Preferred,
    Unclean,
}

/// A message kind the network faults can target (`net drop next Fetch`).
pub use super::net::ApiKey;

/// `Hash` feeds the run's trace hash (`trace.rs`), which must not depend on `Debug` text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    /// `kafka-topics --create`. Either `assignment` (one replica list per partition, the first
    /// replica preferred) or `partitions`/`replication_factor` (defaults from the broker's
    /// `num.partitions` and `default.replication.factor`).
    CreateTopic {
        name: String,
        partitions: Option<u32>,
        replication_factor: Option<u32>,
        assignment: Option<Vec<Vec<BrokerId>>>,
        configs: Vec<(String, String)>,
    },
    /// `kafka-topics --delete`.
    DeleteTopic {
        name: String,
    },
    /// `kafka-topics --alter --partitions N` (only increases, as Kafka).
    AlterPartitions {
        name: String,
        count: u32,
    },
    /// `kafka-configs --alter --entity-type topics`.
    AlterTopicConfig {
        name: String,
        set: Vec<(String, String)>,
        delete: Vec<String>,
    },
    /// `kafka-configs --alter --entity-type brokers`: `broker: None` alters the cluster-wide
    /// dynamic default (`--entity-default`), `Some(b)` broker b's own dynamic configs.
    AlterBrokerConfig {
        broker: Option<BrokerId>,
        set: Vec<(String, String)>,
        delete: Vec<String>,
    },
    /// A producer client with these producer configs (`client.id` = `client_id`).
    AddProducer {
        client_id: String,
        configs: Vec<(String, String)>,
    },
    /// `send()` of `count` records. `key: None` is a null key; `value: None` a tombstone.
    Produce {
        producer: String,
        topic: String,
        key: Option<String>,
        value: Option<String>,
        partition: Option<u32>,
        count: u32,
    },
    /// Controlled shutdown: leadership moves away first.
    BrokerStop(BrokerId),
    /// Process crash: no goodbye; the log survives in the OS page cache.
    BrokerKill(BrokerId),
    /// Machine loss: unflushed log data is lost.
    BrokerPowerOff(BrokerId),
    /// Start a stopped, killed or powered-off broker.
    BrokerStart(BrokerId),
    /// Crash a controller (`None`: the active one).
    ControllerKill(Option<u32>),
    ControllerStart(u32),
    /// Cut a node off from everyone.
    NetIsolate(NodeRef),
    /// Cut the link between two nodes, both directions.
    NetCut(NodeRef, NodeRef),
    /// Add latency to every message to and from a node.
    NetSlow {
        node: NodeRef,
        by_ms: u64,
    },
    /// Drop the next message of this API kind (optionally only from this node).
    NetDropNext {
        api: ApiKey,
        from: Option<NodeRef>,
    },
    /// Delay the next message of this API kind by `by_ms`.
    NetDelayNext {
        api: ApiKey,
        from: Option<NodeRef>,
        by_ms: u64,
    },
    /// Deliver the next message of this API kind twice.
    NetDuplicateNext {
        api: ApiKey,
        from: Option<NodeRef>,
    },
    /// Undo every network fault, or those touching one node.
    NetHeal(Option<NodeRef>),
    /// `kafka-leader-election`. `None` = all topic partitions.
    ElectLeaders {
        election: ElectionType,
        partitions: Option<Vec<TopicPartition>>,
    },
    /// `consumer add`: a consumer client (`client.id` = `client_id`) in `group`, subscribed
    /// to `topics`, with these consumer configs (`group.id` may also come from `configs`).
    AddConsumer {
        client_id: String,
        group: String,
        topics: Vec<String>,
        configs: Vec<(String, String)>,
    },
    /// `consumer remove`: a clean `close()`: commits if auto-commit is on, then `LeaveGroup`
    /// (dynamic members only: a static member leaves by session timeout, G6).
    RemoveConsumer(String),
    /// `consumer kill`: a crash; no commit, no `LeaveGroup`: the session timeout finds it.
    KillConsumer(String),
    /// `consumer pause`: the application stops calling `poll()` for `for_ms` (the heartbeat
    /// thread goes on, so only `max.poll.interval.ms` can notice).
    PauseConsumer {
        name: String,
        for_ms: u64,
    },
    /// `kafka-consumer-groups --reset-offsets --execute`: only while the group is Empty.
    ResetOffsets {
        group: String,
        topic: String,
        to: ResetTo,
    },
    /// `txn begin|commit|abort|send-offsets`: the transactional producer API.
    Txn {
        producer: String,
        op: super::txn::TxnOp,
    },
    /// `producer kill`: the producer process crashes (no close, no abort).
    KillProducer(String),
}

/// Where `kafka-consumer-groups --reset-offsets` moves a group's committed offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResetTo {
    Earliest,
    Latest,
    Offset(i64),
}

impl Command {
    /// A short name for the trace (`BrokerKill`).
    pub fn label(&self) -> &'static str {
        match self {
            Command::CreateTopic { .. } => "CreateTopics",
            Command::DeleteTopic { .. } => "DeleteTopics",
            Command::AlterPartitions { .. } => "CreatePartitions",
            Command::AlterTopicConfig { .. } => "IncrementalAlterConfigs",
            Command::AlterBrokerConfig { .. } => "AlterConfigs",
            Command::AddProducer { .. } => "AddProducer",
            Command::Produce { .. } => "Send",
            Command::BrokerStop(_) => "BrokerStop",
            Command::BrokerKill(_) => "BrokerKill",
            Command::BrokerPowerOff(_) => "BrokerPowerOff",
            Command::BrokerStart(_) => "BrokerStart",
            Command::ControllerKill(_) => "ControllerKill",
            Command::ControllerStart(_) => "ControllerStart",
            Command::NetIsolate(_) => "NetIsolate",
            Command::NetCut(..) => "NetCut",
            Command::NetSlow { .. } => "NetSlow",
            Command::NetDropNext { .. } => "NetDropNext",
            Command::NetDelayNext { .. } => "NetDelayNext",
            Command::NetDuplicateNext { .. } => "NetDuplicateNext",
            Command::NetHeal(_) => "NetHeal",
            Command::ElectLeaders { .. } => "ElectLeaders",
            Command::AddConsumer { .. } => "AddConsumer",
            Command::RemoveConsumer(_) => "ConsumerClose",
            Command::KillConsumer(_) => "ConsumerKill",
            Command::PauseConsumer { .. } => "ConsumerPause",
            Command::ResetOffsets { .. } => "ResetOffsets",
            Command::Txn { op, .. } => match op {
                super::txn::TxnOp::Begin => "BeginTransaction",
                super::txn::TxnOp::Commit => "CommitTransaction",
                super::txn::TxnOp::Abort => "AbortTransaction",
                super::txn::TxnOp::SendOffsets { .. } => "SendOffsetsToTransaction",
            },
            Command::KillProducer(_) => "ProducerKill",
        }
    }
}

/// What a successful command produced, for the console to print.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Lines of output, in the voice of the Kafka tool the command stands for.
    pub lines: Vec<String>,
}

impl Outcome {
    pub fn none() -> Self {
        Self::default()
    }
    pub fn line(s: impl Into<String>) -> Self {
        Self {
            lines: alloc::vec![s.into()],
        }
    }
}
