//! The plain-data picture of the simulation that the UI draws and the scenario language's
//! `expect` lines check. Public fields, no internals, no behaviour: the UI reads a
//! [`ClusterView`] and never reaches into the engine (ARCHITECTURE.md, "web changes the
//! simulation only through commands").

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use crate::ids::{BrokerId, LeaderEpoch, Offset, TopicPartition};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterView {
    /// Simulated milliseconds since the start of the run.
    pub time_ms: u64,
    /// Events delivered so far (the step number the UI shows).
    pub step: u64,
    pub seed: u64,
    pub brokers: Vec<BrokerView>,
    pub controllers: Vec<ControllerView>,
    pub topics: Vec<TopicView>,
    pub producers: Vec<ProducerView>,
    /// Consumer groups, by group id.
    pub groups: Vec<GroupView>,
    /// Consumer clients, in the order they were added (closed and killed ones included).
    pub consumers: Vec<ConsumerView>,
    /// Messages on the wire, in delivery order.
    pub in_flight: Vec<MessageView>,
    pub findings: Vec<FindingView>,
    /// Acknowledged records that no longer exist in their partition's leader log (or whose
    /// partition has no replica that still holds them).
    pub lost_acked: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrokerState {
    /// Running, registered and unfenced: it can lead partitions.
    Running,
    /// Running but fenced by the controller (missed heartbeats, or still catching up).
    Fenced,
    /// In a controlled shutdown, waiting for the controller to let it go (Kafka's
    /// `PENDING_CONTROLLED_SHUTDOWN`): its leaderships are moving away.
    ShuttingDown,
    /// Stopped by a controlled shutdown.
    Stopped,
    /// The process crashed; its log (in the OS page cache) survives.
    Killed,
    /// The machine lost power; data not flushed to disk is gone.
    PoweredOff,
}

impl BrokerState {
    pub fn is_up(self) -> bool {
        matches!(
            self,
            BrokerState::Running | BrokerState::Fenced | BrokerState::ShuttingDown
        )
    }
    pub fn label(self) -> &'static str {
        match self {
            BrokerState::Running => "running",
            BrokerState::Fenced => "fenced",
            BrokerState::ShuttingDown => "shutting down",
            BrokerState::Stopped => "stopped",
            BrokerState::Killed => "killed",
            BrokerState::PoweredOff => "powered off",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerView {
    pub id: BrokerId,
    pub rack: Option<String>,
    pub state: BrokerState,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControllerView {
    /// `controller-N`.
    pub name: String,
    pub up: bool,
    pub active: bool,
    pub epoch: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicView {
    pub name: String,
    pub internal: bool,
    /// Explicitly set topic configs, `key=value`, in key order.
    pub configs: Vec<(String, String)>,
    pub partitions: Vec<PartitionView>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionView {
    pub partition: u32,
    /// The replica set in replica order (the first is the preferred leader).
    pub replicas: Vec<BrokerId>,
    /// The committed ISR, as the controller knows it.
    pub isr: Vec<BrokerId>,
    /// `None` when no eligible replica can lead: the partition is offline.
    pub leader: Option<BrokerId>,
    pub leader_epoch: LeaderEpoch,
    /// The leader's high watermark (what consumers can read); the last leader's when offline.
    pub high_watermark: Offset,
    /// The leader's log end offset.
    pub log_end_offset: Offset,
    pub log_start_offset: Offset,
    /// The last stable offset (`min(first unstable offset, HW)`, I7).
    pub last_stable_offset: Offset,
    /// Each replica's own state, in replica order.
    pub replica_states: Vec<ReplicaView>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaView {
    pub broker: BrokerId,
    pub log_start_offset: Offset,
    pub log_end_offset: Offset,
    /// The HW as this replica knows it (a follower learns it on its next fetch).
    pub high_watermark: Offset,
    /// Records up to here are on disk; a power-off loses the rest.
    pub flushed_offset: Offset,
    pub is_leader: bool,
    pub in_isr: bool,
    /// The newest records (at most [`RECORDS_SHOWN`], or the number the caller of
    /// [`Sim::view_with_records`](crate::sim::Sim::view_with_records) asked for), oldest first.
    pub records: Vec<RecordView>,
    /// The log's segments, oldest first; the last is the active one (L1–L4).
    pub segments: Vec<SegmentView>,
    /// The last retention deletion and cleaning of this log, in words (empty if none).
    pub storage_note: String,
}

/// How many records of each replica the view carries; the UI draws a strip, not the log.
pub const RECORDS_SHOWN: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordView {
    pub offset: Offset,
    pub leader_epoch: LeaderEpoch,
    /// Shared with the log (the view is built on every drawn frame; copying each shown
    /// record's key and value was most of its cost).
    pub key: Option<Rc<str>>,
    pub value: Option<Rc<str>>,
    pub timestamp_ms: u64,
    /// A transaction marker (`COMMIT` / `ABORT`): a control record, never handed to an
    /// application.
    pub control: Option<&'static str>,
    /// -1 when the producer is not idempotent.
    pub producer_id: i64,
    /// Written inside a transaction.
    pub transactional: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerView {
    pub client_id: String,
    pub acks: String,
    pub idempotent: bool,
    pub acked: u64,
    pub failed: u64,
    pub pending: u64,
    pub last_error: Option<String>,
    pub transactional_id: Option<String>,
    /// The client's transaction state (`READY`, `IN_TRANSACTION`, `FATAL_ERROR`, …).
    pub txn_state: Option<&'static str>,
    pub producer_epoch: Option<i16>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageView {
    /// The Kafka API (`Produce`, `Fetch`, `AlterPartition`, …).
    pub api: &'static str,
    pub is_response: bool,
    pub from: String,
    pub to: String,
    pub sent_ms: u64,
    pub deliver_ms: u64,
    /// A one-line description (`Fetch orders-0 offset=5`).
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingView {
    /// `lost`, `duplicate`, `reorder`, `read-above-hw`, `two-leaders`.
    pub kind: &'static str,
    pub step: u64,
    pub time_ms: u64,
    pub message: String,
}

/// A consumer group as its coordinator knows it (`kafka-consumer-groups --describe`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupView {
    pub group_id: String,
    /// `classic` or `consumer` (the group protocol, G8).
    pub group_type: &'static str,
    /// Classic: `Empty`, `PreparingRebalance`, `CompletingRebalance`, `Stable`, `Dead` (G1).
    /// Consumer: `Empty`, `Assigning`, `Reconciling`, `Stable`, `Dead`.
    pub state: &'static str,
    /// Classic: the generation. Consumer: the group epoch.
    pub generation: i32,
    /// Consumer groups: the group epoch and the target assignment epoch.
    pub group_epoch: Option<i32>,
    pub assignment_epoch: Option<i32>,
    /// The assignor the group chose (Kafka's "protocol"), if any.
    pub protocol: Option<String>,
    /// `eager` or `cooperative` (the rebalance protocol, G7); `consumer` for a KIP-848 group.
    pub rebalance_protocol: &'static str,
    /// The leader's member id.
    pub leader: Option<String>,
    /// The broker hosting the group: the leader of its `__consumer_offsets` partition.
    pub coordinator: Option<BrokerId>,
    /// Its partition of `__consumer_offsets`.
    pub offsets_partition: u32,
    pub members: Vec<MemberView>,
    /// Per partition of the subscribed topics: committed offset (-1: none), log end, lag.
    pub offsets: Vec<OffsetView>,
    /// Sum of the lags.
    pub total_lag: i64,
    /// Records processed more than once by the group (at-least-once redeliveries).
    pub duplicates: u64,
    /// The rebalances so far, oldest first (at most the last [`REBALANCES_SHOWN`]).
    pub rebalances: Vec<RebalanceView>,
}

pub const REBALANCES_SHOWN: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberView {
    pub member_id: String,
    pub client_id: String,
    pub instance_id: Option<String>,
    /// The partitions the coordinator assigned it in the current generation.
    pub assigned: Vec<TopicPartition>,
    pub is_leader: bool,
    /// Classic: `awaiting-join`, `awaiting-sync` or `stable`. Consumer (A13): `STABLE`,
    /// `UNREVOKED_PARTITIONS` or `UNRELEASED_PARTITIONS`.
    pub state: &'static str,
    /// When its session expires unless it heartbeats (ms of simulated time).
    pub session_deadline_ms: u64,
    /// Consumer groups: the member epoch (G8).
    pub member_epoch: Option<i32>,
    /// Consumer groups: the target assignment the member reconciles towards.
    pub target_assignment: Vec<TopicPartition>,
    /// Consumer groups: partitions it must revoke before it moves to the target epoch.
    pub pending_revocation: Vec<TopicPartition>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetView {
    pub tp: TopicPartition,
    /// -1 when the group has committed nothing for it.
    pub committed: Offset,
    /// The partition's high watermark (what a consumer can read).
    pub log_end: Offset,
    pub lag: i64,
}

/// One rebalance: why, which generation it produced, what moved, who stood still.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RebalanceView {
    pub cause: String,
    /// The generation it produced (0 until it completes).
    pub generation: i32,
    pub started_ms: u64,
    pub completed_ms: Option<u64>,
    /// Partitions whose owner differs from the previous generation's.
    pub partitions_moved: u32,
    /// Per member (client id): how long it consumed nothing because of this rebalance (the
    /// stop-the-world time that cooperative rebalancing shortens).
    pub stopped_ms: Vec<(String, u64)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerView {
    pub client_id: String,
    pub group: String,
    pub member_id: String,
    pub instance_id: Option<String>,
    pub generation: i32,
    /// `finding-coordinator`, `joining`, `syncing`, `stable`, `closed`, `dead`, …
    pub state: &'static str,
    pub assigned: Vec<TopicPartition>,
    /// The next offset to hand to the application, per assigned partition.
    pub positions: Vec<(TopicPartition, Offset)>,
    /// Records whose processing completed (handed to the application and processed).
    pub consumed: u64,
    /// Of those, records this group had already processed before.
    pub duplicates: u64,
    pub commits_ok: u64,
    pub commits_failed: u64,
    pub paused: bool,
    pub coordinator: Option<BrokerId>,
    pub last_error: Option<String>,
}

/// One log segment on a replica's disk: `00000000000000000000.log` and its two indexes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentView {
    pub base_offset: Offset,
    /// The offset after the segment (the next segment's base, or the LEO for the active one).
    pub end_offset: Offset,
    pub size_bytes: u64,
    pub records: u64,
    pub batches: u64,
    pub tombstones: u64,
    pub largest_timestamp_ms: Option<u64>,
    pub created_ms: u64,
    /// Offset index entries (offset → byte position of its batch); the first
    /// `INDEX_ENTRIES_SHOWN` of `index_entry_count`, 8 bytes each (`index_bytes`).
    pub index_entry_count: usize,
    pub index_bytes: u64,
    pub index_entries: Vec<(Offset, u64)>,
    /// Time index entries (largest timestamp so far → offset), 12 bytes each.
    pub time_index_entry_count: usize,
    pub timeindex_bytes: u64,
    pub time_index_entries: Vec<(u64, Offset)>,
    pub is_active: bool,
    /// In the clean part of a compacted log.
    pub clean: bool,
}

/// The file name is made when asked for, not carried: the view is built on every drawn frame,
/// for every replica, and only a segment mark's label shows it.
impl SegmentView {
    /// `00000000000000000003.log`: the base offset in 20 digits (L1).
    pub fn log_file(&self) -> String {
        crate::sim::segment::file_name(self.base_offset, ".log")
    }
}

/// How a lookup went through a segment's indexes (L4): the entry it used, then the scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexLookupView {
    pub segment_base_offset: Offset,
    pub index_file: String,
    /// For a lookup by timestamp: the time index slot and its (timestamp, offset).
    pub time_index_slot: Option<usize>,
    pub time_index_entry: Option<(u64, Offset)>,
    /// The offset index slot used and its (offset, position); `None`: the scan started at
    /// position 0.
    pub index_slot: Option<usize>,
    pub index_entry: Option<(Offset, u64)>,
    pub scanned_batches: usize,
    pub batch_base_offset: Option<Offset>,
    pub batch_position: Option<u64>,
    /// The offset found.
    pub offset: Option<Offset>,
}
