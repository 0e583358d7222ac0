//! The messages nodes send each other, named after the Kafka APIs they stand for.
//!
//! Requests carry a `req` id that their response repeats, so the trace and the UI can pair
//! them. Records travel in [`Batch`]es whose records are shared (`Rc`), so a follower copying
//! a batch, or a checkpoint of the whole simulation, does not copy record data.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use crate::assignor::MemberSubscription;
use crate::error::KafkaError;
use crate::ids::{BrokerId, LeaderEpoch, Offset, TopicPartition};

use super::net::ApiKey;

/// One record as the simulation stores it. `rid` is the simulation's own identity of the
/// record (never shown as Kafka data): the guarantee checker uses it to tell a lost or
/// duplicated record from another with the same key and value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rec {
    pub key: Option<Rc<str>>,
    /// `None` is a tombstone.
    pub value: Option<Rc<str>>,
    pub timestamp: u64,
    pub rid: u64,
    /// The index of the producer that sent it (simulation bookkeeping, like `rid`).
    pub origin: u32,
}

impl Rec {
    /// Bytes this record takes in a batch: a simplified size model (a record's fixed overhead
    /// plus its key and value), documented in ARCHITECTURE.md.
    pub fn size_bytes(&self) -> u64 {
        let k = self.key.as_ref().map_or(0, |k| k.len() as u64);
        let v = self.value.as_ref().map_or(0, |v| v.len() as u64);
        RECORD_OVERHEAD_BYTES + k + v
    }
}

/// Per-record overhead (attributes, deltas, varint lengths, headers count), approximated.
pub const RECORD_OVERHEAD_BYTES: u64 = 20;
/// A record batch's header (`RecordBatch` v2: 61 bytes).
pub const BATCH_HEADER_BYTES: u64 = 61;

/// A record batch (`RecordBatch` v2): the unit the producer sends and the log stores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    pub base_offset: Offset,
    pub leader_epoch: LeaderEpoch,
    /// -1 when the producer is not idempotent.
    pub producer_id: i64,
    pub producer_epoch: i16,
    /// -1 when the producer is not idempotent.
    pub base_sequence: i32,
    pub records: Rc<[Rec]>,
    pub max_timestamp: u64,
    /// How many times the producer has sent this batch (1 = first try). Not Kafka data: it
    /// lets the checker look for duplicates only where a resend could have caused one.
    pub attempt: u32,
    /// The batch's `isTransactional` attribute: written inside a transaction.
    pub transactional: bool,
    /// The `isControl` attribute: a control batch holds one transaction marker (COMMIT or
    /// ABORT), written by `WriteTxnMarkers`. It takes an offset like any record.
    pub control: Option<ControlType>,
    /// The batch's `compression.type` attribute: it shrinks the stored and sent size.
    pub codec: Codec,
}

/// A batch's compression codec (`CompressionType`), with the documented size model: the
/// records of a compressed batch take a fixed share of their raw size (gzip 40 %, snappy and
/// lz4 55 %, zstd 35 %); the batch header is never compressed. Real ratios depend on the data;
/// these are typical of small JSON-like records, stated so the numbers can be checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Codec {
    #[default]
    None,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}

impl Codec {
    /// From a `compression.type` value (already validated by the config table).
    pub fn from_name(name: &str) -> Codec {
        match name {
            "gzip" => Codec::Gzip,
            "snappy" => Codec::Snappy,
            "lz4" => Codec::Lz4,
            "zstd" => Codec::Zstd,
            _ => Codec::None,
        }
    }
    /// The compressed size of `raw` record bytes.
    pub fn shrink(self, raw: u64) -> u64 {
        let pct = match self {
            Codec::None => 100,
            Codec::Gzip => 40,
            Codec::Snappy | Codec::Lz4 => 55,
            Codec::Zstd => 35,
        };
        raw * pct / 100
    }
}

/// The type of a control record (`ControlRecordType`): the end of a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ControlType {
    Abort,
    Commit,
}

impl ControlType {
    pub fn name(self) -> &'static str {
        match self {
            ControlType::Abort => "ABORT",
            ControlType::Commit => "COMMIT",
        }
    }
}

impl Batch {
    pub fn last_offset(&self) -> Offset {
        self.base_offset + self.records.len() as Offset - 1
    }
    pub fn next_offset(&self) -> Offset {
        self.base_offset + self.records.len() as Offset
    }
    pub fn last_sequence(&self) -> i32 {
        if self.base_sequence < 0 {
            -1
        } else {
            // Sequences wrap from Int.MAX to 0 (I2).
            ((self.base_sequence as i64 + self.records.len() as i64 - 1) % (i32::MAX as i64 + 1))
                as i32
        }
    }
    pub fn size_bytes(&self) -> u64 {
        BATCH_HEADER_BYTES
            + self
                .codec
                .shrink(self.records.iter().map(Rec::size_bytes).sum::<u64>())
    }
}

/// A partition's state as the controller committed it (a `PartitionRecord` /
/// `PartitionChangeRecord` applied).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionState {
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
    pub leader: Option<BrokerId>,
    pub leader_epoch: LeaderEpoch,
    pub partition_epoch: i32,
    /// Set by an unclean election (`leaderRecoveryState=RECOVERING`, R12).
    pub recovering: bool,
}

/// One entry of the controller's metadata log, as brokers apply it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetaRecord {
    Partition {
        tp: TopicPartition,
        state: PartitionState,
        min_isr: i64,
        compacted: bool,
        /// The topic's log settings over the broker defaults (segments, retention, cleaner).
        log_config: alloc::boxed::Box<super::log::LogConfig>,
    },
    RemoveTopic {
        topic: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchPartition {
    pub tp: TopicPartition,
    pub fetch_offset: Offset,
    pub last_fetched_epoch: Option<LeaderEpoch>,
    pub current_leader_epoch: LeaderEpoch,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchPartitionData {
    pub tp: TopicPartition,
    pub error: Option<KafkaError>,
    pub high_watermark: Offset,
    pub log_start_offset: Offset,
    /// KIP-320/595: the follower's log diverged; truncate to this (epoch, end offset) (R15).
    pub diverging_epoch: Option<(LeaderEpoch, Offset)>,
    pub batches: Vec<Batch>,
    /// I7: for a `read_committed` fetch, the aborted transactions overlapping the answer, as
    /// (producer id, first offset): the consumer skips their records.
    pub aborted_transactions: Vec<(i64, Offset)>,
    /// I7: the partition's last stable offset (`-1` in a follower's fetch).
    pub last_stable_offset: Offset,
}

/// Per partition of a topic: its leader and leader epoch, if it has one.
pub type PartitionLeaders = Vec<Option<(BrokerId, LeaderEpoch)>>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProduceResult {
    pub tp: TopicPartition,
    pub result: Result<Offset, KafkaError>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    ProduceRequest {
        req: u64,
        acks: i16,
        timeout_ms: u64,
        batches: Vec<(TopicPartition, Batch)>,
    },
    ProduceResponse {
        req: u64,
        results: Vec<ProduceResult>,
    },
    FetchRequest {
        req: u64,
        replica: BrokerId,
        max_wait_ms: u64,
        partitions: Vec<FetchPartition>,
    },
    FetchResponse {
        req: u64,
        partitions: Vec<FetchPartitionData>,
    },
    MetadataRequest {
        req: u64,
    },
    MetadataResponse {
        req: u64,
        /// Per topic, per partition: the leader and its epoch as this broker knows them.
        topics: Vec<(String, PartitionLeaders)>,
    },
    AlterPartitionRequest {
        req: u64,
        broker: BrokerId,
        broker_epoch: i64,
        tp: TopicPartition,
        leader_epoch: LeaderEpoch,
        partition_epoch: i32,
        new_isr: Vec<BrokerId>,
    },
    AlterPartitionResponse {
        req: u64,
        tp: TopicPartition,
        result: Result<PartitionState, KafkaError>,
    },
    BrokerRegistrationRequest {
        req: u64,
        broker: BrokerId,
        incarnation: u32,
    },
    BrokerRegistrationResponse {
        req: u64,
        broker_epoch: i64,
    },
    BrokerHeartbeatRequest {
        req: u64,
        broker: BrokerId,
        broker_epoch: i64,
        want_shutdown: bool,
        /// The metadata log version the broker has applied.
        metadata_version: u64,
    },
    BrokerHeartbeatResponse {
        req: u64,
        fenced: bool,
        shutdown_ok: bool,
    },
    MetadataRecords {
        /// The metadata log version after these records.
        version: u64,
        /// A full snapshot: partitions not listed are gone.
        snapshot: bool,
        records: Vec<MetaRecord>,
    },
    InitProducerIdRequest {
        req: u64,
        /// Set for a transactional producer: the request goes to its transaction coordinator.
        transactional_id: Option<String>,
        transaction_timeout_ms: u64,
    },
    InitProducerIdResponse {
        req: u64,
        producer_id: i64,
        producer_epoch: i16,
        error: Option<KafkaError>,
    },
    // ------------------------------------------------------------ transactions (I6, I7)
    /// `FindCoordinator` with key type TRANSACTION (1): the leader of the transactional id's
    /// `__transaction_state` partition. Answered with a `FindCoordinatorResponse`.
    FindTxnCoordinatorRequest {
        req: u64,
        transactional_id: String,
    },
    AddPartitionsToTxnRequest {
        req: u64,
        transactional_id: String,
        producer_id: i64,
        producer_epoch: i16,
        partitions: Vec<TopicPartition>,
    },
    AddPartitionsToTxnResponse {
        req: u64,
        error: Option<KafkaError>,
    },
    AddOffsetsToTxnRequest {
        req: u64,
        transactional_id: String,
        producer_id: i64,
        producer_epoch: i16,
        group: String,
    },
    AddOffsetsToTxnResponse {
        req: u64,
        error: Option<KafkaError>,
    },
    /// Sent to the group coordinator: offsets that become the group's only if the
    /// transaction commits.
    TxnOffsetCommitRequest {
        req: u64,
        transactional_id: String,
        group: String,
        producer_id: i64,
        producer_epoch: i16,
        offsets: Vec<(TopicPartition, Offset)>,
    },
    TxnOffsetCommitResponse {
        req: u64,
        error: Option<KafkaError>,
    },
    EndTxnRequest {
        req: u64,
        transactional_id: String,
        producer_id: i64,
        producer_epoch: i16,
        commit: bool,
    },
    EndTxnResponse {
        req: u64,
        error: Option<KafkaError>,
    },
    /// From the transaction coordinator to a partition leader: append a COMMIT or ABORT
    /// marker to these partitions (one marker entry per request here).
    WriteTxnMarkersRequest {
        req: u64,
        transactional_id: String,
        producer_id: i64,
        producer_epoch: i16,
        control: ControlType,
        partitions: Vec<TopicPartition>,
    },
    WriteTxnMarkersResponse {
        req: u64,
        transactional_id: String,
        results: Vec<(TopicPartition, Option<KafkaError>)>,
    },
    // ------------------------------------------------------------ consumer groups (G1–G7)
    FindCoordinatorRequest {
        req: u64,
        group: String,
    },
    FindCoordinatorResponse {
        req: u64,
        error: Option<KafkaError>,
        coordinator: Option<BrokerId>,
    },
    /// A consumer's `Fetch` (replica id -1): read from the leader up to the HW only (R6).
    /// `fetch_offset` -2 / -1 stand for `ListOffsets` EARLIEST / LATEST (folded into the fetch).
    ConsumerFetchRequest {
        req: u64,
        max_wait_ms: u64,
        min_bytes: u64,
        read_committed: bool,
        partitions: Vec<(TopicPartition, Offset)>,
    },
    JoinGroupRequest(Rc<JoinGroup>),
    JoinGroupResponse {
        req: u64,
        error: Option<KafkaError>,
        generation: i32,
        protocol: Option<String>,
        leader: String,
        member_id: String,
        /// Only the leader gets the members' subscriptions (empty when `skip_assignment`).
        members: Vec<MemberSubscription>,
        /// KIP-814: a static leader that rejoined a stable group must not reassign.
        skip_assignment: bool,
    },
    SyncGroupRequest {
        req: u64,
        group: String,
        member_id: String,
        instance_id: Option<String>,
        generation: i32,
        assignments: Vec<(String, Vec<TopicPartition>)>,
    },
    SyncGroupResponse {
        req: u64,
        error: Option<KafkaError>,
        assignment: Vec<TopicPartition>,
    },
    HeartbeatRequest {
        req: u64,
        group: String,
        member_id: String,
        instance_id: Option<String>,
        generation: i32,
    },
    HeartbeatResponse {
        req: u64,
        error: Option<KafkaError>,
    },
    LeaveGroupRequest {
        req: u64,
        group: String,
        member_id: String,
        instance_id: Option<String>,
    },
    LeaveGroupResponse {
        req: u64,
        error: Option<KafkaError>,
    },
    OffsetCommitRequest {
        req: u64,
        group: String,
        member_id: String,
        generation: i32,
        offsets: Vec<(TopicPartition, Offset)>,
    },
    OffsetCommitResponse {
        req: u64,
        error: Option<KafkaError>,
    },
    OffsetFetchRequest {
        req: u64,
        group: String,
        partitions: Vec<TopicPartition>,
    },
    OffsetFetchResponse {
        req: u64,
        error: Option<KafkaError>,
        /// -1: no committed offset.
        offsets: Vec<(TopicPartition, Offset)>,
    },
    /// KIP-848 (G8): the one request of the consumer protocol: join, heartbeat, acknowledge a
    /// reconciliation, leave.
    ConsumerGroupHeartbeatRequest(Rc<ConsumerGroupHeartbeat>),
    ConsumerGroupHeartbeatResponse {
        req: u64,
        error: Option<KafkaError>,
        member_id: String,
        member_epoch: i32,
        heartbeat_interval_ms: u64,
        /// The member's assignment when it differs from what the member reported owning;
        /// absent (Kafka's null) otherwise.
        assignment: Option<Vec<TopicPartition>>,
    },
}

/// A `ConsumerGroupHeartbeat` request (KIP-848). This client always sends the full request
/// (subscription and owned partitions every time), which Kafka accepts; Kafka's client sends
/// the fields only when they change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerGroupHeartbeat {
    pub req: u64,
    pub group: String,
    pub client_id: String,
    /// Empty on the first join: the coordinator gives the member its id.
    pub member_id: String,
    /// 0 join, -1 leave, -2 static leave, else the member's current epoch (G8).
    pub member_epoch: i32,
    pub instance_id: Option<String>,
    pub rack: Option<String>,
    pub rebalance_timeout_ms: u64,
    pub subscribed_topics: Vec<String>,
    /// `group.remote.assignor`, if set.
    pub server_assignor: Option<String>,
    pub owned: Vec<TopicPartition>,
}

/// A `JoinGroup` request (boxed in an `Rc`: it is the largest message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinGroup {
    pub req: u64,
    pub group: String,
    pub client_id: String,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    /// Assignor names in the member's order of preference.
    pub protocols: Vec<String>,
    /// `member_id` empty on the first join; topics, owned partitions (cooperative), rack.
    pub subscription: MemberSubscription,
}

impl Message {
    pub fn api(&self) -> ApiKey {
        use Message::*;
        match self {
            ProduceRequest { .. } | ProduceResponse { .. } => ApiKey::Produce,
            FetchRequest { .. } | FetchResponse { .. } => ApiKey::Fetch,
            MetadataRequest { .. } | MetadataResponse { .. } => ApiKey::Metadata,
            AlterPartitionRequest { .. } | AlterPartitionResponse { .. } => ApiKey::AlterPartition,
            BrokerRegistrationRequest { .. } | BrokerRegistrationResponse { .. } => {
                ApiKey::BrokerRegistration
            }
            BrokerHeartbeatRequest { .. } | BrokerHeartbeatResponse { .. } => {
                ApiKey::BrokerHeartbeat
            }
            MetadataRecords { .. } => ApiKey::MetadataRecord,
            InitProducerIdRequest { .. } | InitProducerIdResponse { .. } => ApiKey::InitProducerId,
            FindCoordinatorRequest { .. }
            | FindTxnCoordinatorRequest { .. }
            | FindCoordinatorResponse { .. } => ApiKey::FindCoordinator,
            AddPartitionsToTxnRequest { .. } | AddPartitionsToTxnResponse { .. } => {
                ApiKey::AddPartitionsToTxn
            }
            AddOffsetsToTxnRequest { .. } | AddOffsetsToTxnResponse { .. } => {
                ApiKey::AddOffsetsToTxn
            }
            TxnOffsetCommitRequest { .. } | TxnOffsetCommitResponse { .. } => {
                ApiKey::TxnOffsetCommit
            }
            EndTxnRequest { .. } | EndTxnResponse { .. } => ApiKey::EndTxn,
            WriteTxnMarkersRequest { .. } | WriteTxnMarkersResponse { .. } => {
                ApiKey::WriteTxnMarkers
            }
            ConsumerFetchRequest { .. } => ApiKey::Fetch,
            JoinGroupRequest(_) | JoinGroupResponse { .. } => ApiKey::JoinGroup,
            SyncGroupRequest { .. } | SyncGroupResponse { .. } => ApiKey::SyncGroup,
            HeartbeatRequest { .. } | HeartbeatResponse { .. } => ApiKey::Heartbeat,
            LeaveGroupRequest { .. } | LeaveGroupResponse { .. } => ApiKey::LeaveGroup,
            OffsetCommitRequest { .. } | OffsetCommitResponse { .. } => ApiKey::OffsetCommit,
            OffsetFetchRequest { .. } | OffsetFetchResponse { .. } => ApiKey::OffsetFetch,
            ConsumerGroupHeartbeatRequest(_) | ConsumerGroupHeartbeatResponse { .. } => {
                ApiKey::ConsumerGroupHeartbeat
            }
        }
    }

    pub fn is_response(&self) -> bool {
        use Message::*;
        matches!(
            self,
            ProduceResponse { .. }
                | FetchResponse { .. }
                | MetadataResponse { .. }
                | AlterPartitionResponse { .. }
                | BrokerRegistrationResponse { .. }
                | BrokerHeartbeatResponse { .. }
                | InitProducerIdResponse { .. }
                | FindCoordinatorResponse { .. }
                | AddPartitionsToTxnResponse { .. }
                | AddOffsetsToTxnResponse { .. }
                | TxnOffsetCommitResponse { .. }
                | EndTxnResponse { .. }
                | WriteTxnMarkersResponse { .. }
                | JoinGroupResponse { .. }
                | SyncGroupResponse { .. }
                | HeartbeatResponse { .. }
                | LeaveGroupResponse { .. }
                | OffsetCommitResponse { .. }
                | OffsetFetchResponse { .. }
                | ConsumerGroupHeartbeatResponse { .. }
        )
    }

    /// The request id this message carries (a response repeats its request's).
    pub fn req(&self) -> u64 {
        use Message::*;
        match self {
            ProduceRequest { req, .. }
            | ProduceResponse { req, .. }
            | FetchRequest { req, .. }
            | FetchResponse { req, .. }
            | MetadataRequest { req }
            | MetadataResponse { req, .. }
            | AlterPartitionRequest { req, .. }
            | AlterPartitionResponse { req, .. }
            | BrokerRegistrationRequest { req, .. }
            | BrokerRegistrationResponse { req, .. }
            | BrokerHeartbeatRequest { req, .. }
            | BrokerHeartbeatResponse { req, .. }
            | InitProducerIdRequest { req, .. }
            | InitProducerIdResponse { req, .. }
            | FindTxnCoordinatorRequest { req, .. }
            | AddPartitionsToTxnRequest { req, .. }
            | AddPartitionsToTxnResponse { req, .. }
            | AddOffsetsToTxnRequest { req, .. }
            | AddOffsetsToTxnResponse { req, .. }
            | TxnOffsetCommitRequest { req, .. }
            | TxnOffsetCommitResponse { req, .. }
            | EndTxnRequest { req, .. }
            | EndTxnResponse { req, .. }
            | WriteTxnMarkersRequest { req, .. }
            | WriteTxnMarkersResponse { req, .. }
            | FindCoordinatorRequest { req, .. }
            | FindCoordinatorResponse { req, .. }
            | ConsumerFetchRequest { req, .. }
            | JoinGroupResponse { req, .. }
            | SyncGroupRequest { req, .. }
            | SyncGroupResponse { req, .. }
            | HeartbeatRequest { req, .. }
            | HeartbeatResponse { req, .. }
            | LeaveGroupRequest { req, .. }
            | LeaveGroupResponse { req, .. }
            | OffsetCommitRequest { req, .. }
            | OffsetCommitResponse { req, .. }
            | OffsetFetchRequest { req, .. }
            | OffsetFetchResponse { req, .. }
            | ConsumerGroupHeartbeatResponse { req, .. } => *req,
            JoinGroupRequest(j) => j.req,
            ConsumerGroupHeartbeatRequest(h) => h.req,
            MetadataRecords { .. } => 0,
        }
    }

    /// A one-line description for the trace and the UI's hover label.
    pub fn summary(&self) -> String {
        use alloc::format;
        use Message::*;
        match self {
            ProduceRequest { acks, batches, .. } => {
                let mut s = format!("Produce acks={}", acks);
                for (tp, b) in batches {
                    put(&mut s, format_args!(" {tp}({} records)", b.records.len()));
                }
                s
            }
            ProduceResponse { results, .. } => {
                let mut s = String::from("Produce response");
                for r in results {
                    match r.result {
                        Ok(o) => put(&mut s, format_args!(" {} offset={o}", r.tp)),
                        Err(e) => put(&mut s, format_args!(" {} {}", r.tp, e.name())),
                    }
                }
                s
            }
            FetchRequest {
                replica,
                partitions,
                ..
            } => {
                let mut s = format!("Fetch from broker {replica}");
                for p in partitions {
                    put(&mut s, format_args!(" {} offset={}", p.tp, p.fetch_offset));
                }
                s
            }
            FetchResponse { partitions, .. } => {
                let mut s = String::from("Fetch response");
                for p in partitions {
                    let n: usize = p.batches.iter().map(|b| b.records.len()).sum();
                    put(
                        &mut s,
                        format_args!(" {} hw={} records={n}", p.tp, p.high_watermark),
                    );
                    if let Some((e, o)) = p.diverging_epoch {
                        put(&mut s, format_args!(" diverging(epoch={e}, end={o})"));
                    }
                    if let Some(err) = p.error {
                        put(&mut s, format_args!(" {}", err.name()));
                    }
                }
                s
            }
            MetadataRequest { .. } => String::from("Metadata"),
            MetadataResponse { .. } => String::from("Metadata response"),
            AlterPartitionRequest { tp, new_isr, .. } => {
                format!("AlterPartition {tp} isr={}", join_ids(new_isr))
            }
            AlterPartitionResponse { tp, result, .. } => match result {
                Ok(st) => format!("AlterPartition response {tp} isr={}", join_ids(&st.isr)),
                Err(e) => format!("AlterPartition response {tp} {}", e.name()),
            },
            BrokerRegistrationRequest { broker, .. } => {
                format!("BrokerRegistration broker {broker}")
            }
            BrokerRegistrationResponse { broker_epoch, .. } => {
                format!("BrokerRegistration response epoch={broker_epoch}")
            }
            BrokerHeartbeatRequest {
                broker,
                want_shutdown,
                ..
            } => {
                if *want_shutdown {
                    format!("BrokerHeartbeat broker {broker} wantShutDown")
                } else {
                    format!("BrokerHeartbeat broker {broker}")
                }
            }
            BrokerHeartbeatResponse {
                fenced,
                shutdown_ok,
                ..
            } => {
                if *shutdown_ok {
                    format!("BrokerHeartbeat response fenced={fenced} shouldShutDown=true")
                } else {
                    format!("BrokerHeartbeat response fenced={fenced}")
                }
            }
            MetadataRecords { records, .. } => {
                let mut s = String::from("Metadata");
                for r in records {
                    match r {
                        MetaRecord::Partition { tp, state, .. } => put(
                            &mut s,
                            format_args!(
                                " {tp} leader={} epoch={} isr={}",
                                state
                                    .leader
                                    .map_or(alloc::string::String::from("none"), |b| format!(
                                        "{b}"
                                    )),
                                state.leader_epoch,
                                join_ids(&state.isr)
                            ),
                        ),
                        MetaRecord::RemoveTopic { topic } => {
                            put(&mut s, format_args!(" remove topic {topic}"))
                        }
                    }
                }
                s
            }
            InitProducerIdRequest {
                transactional_id, ..
            } => match transactional_id {
                Some(t) => format!("InitProducerId transactionalId={t}"),
                None => String::from("InitProducerId"),
            },
            InitProducerIdResponse {
                producer_id,
                producer_epoch,
                error,
                ..
            } => match error {
                Some(e) => format!("InitProducerId response {}", e.name()),
                None => format!("InitProducerId response id={producer_id} epoch={producer_epoch}"),
            },
            FindTxnCoordinatorRequest {
                transactional_id, ..
            } => format!("FindCoordinator TRANSACTION key={transactional_id}"),
            AddPartitionsToTxnRequest {
                transactional_id,
                producer_epoch,
                partitions,
                ..
            } => format!(
                "AddPartitionsToTxn {transactional_id} epoch={producer_epoch} {}",
                join_tps(partitions)
            ),
            AddOffsetsToTxnRequest {
                transactional_id,
                group,
                ..
            } => format!("AddOffsetsToTxn {transactional_id} group={group}"),
            TxnOffsetCommitRequest { group, offsets, .. } => {
                let mut s = format!("TxnOffsetCommit group={group}");
                for (tp, o) in offsets {
                    put(&mut s, format_args!(" {tp}={o}"));
                }
                s
            }
            EndTxnRequest {
                transactional_id,
                producer_epoch,
                commit,
                ..
            } => format!(
                "EndTxn {transactional_id} epoch={producer_epoch} {}",
                if *commit { "COMMIT" } else { "ABORT" }
            ),
            AddPartitionsToTxnResponse { error, .. } => {
                format!(
                    "AddPartitionsToTxn response {}",
                    error.map_or("NONE", |e| e.name())
                )
            }
            AddOffsetsToTxnResponse { error, .. } => {
                format!(
                    "AddOffsetsToTxn response {}",
                    error.map_or("NONE", |e| e.name())
                )
            }
            TxnOffsetCommitResponse { error, .. } => {
                format!(
                    "TxnOffsetCommit response {}",
                    error.map_or("NONE", |e| e.name())
                )
            }
            EndTxnResponse { error, .. } => {
                format!("EndTxn response {}", error.map_or("NONE", |e| e.name()))
            }
            WriteTxnMarkersRequest {
                producer_id,
                producer_epoch,
                control,
                partitions,
                ..
            } => format!(
                "WriteTxnMarkers {} producerId={producer_id} epoch={producer_epoch} {}",
                control.name(),
                join_tps(partitions)
            ),
            WriteTxnMarkersResponse { results, .. } => {
                let mut s = String::from("WriteTxnMarkers response");
                for (tp, e) in results {
                    put(
                        &mut s,
                        format_args!(" {tp} {}", e.map_or("NONE", |e| e.name())),
                    );
                }
                s
            }
            FindCoordinatorRequest { group, .. } => format!("FindCoordinator group={group}"),
            FindCoordinatorResponse {
                error, coordinator, ..
            } => match (error, coordinator) {
                (Some(e), _) => format!("FindCoordinator response {}", e.name()),
                (None, Some(c)) => format!("FindCoordinator response coordinator={c}"),
                (None, None) => String::from("FindCoordinator response"),
            },
            ConsumerFetchRequest { partitions, .. } => {
                let mut s = String::from("Fetch (consumer)");
                for (tp, o) in partitions {
                    match o {
                        -2 => put(&mut s, format_args!(" {tp} earliest")),
                        -1 => put(&mut s, format_args!(" {tp} latest")),
                        o => put(&mut s, format_args!(" {tp} offset={o}")),
                    }
                }
                s
            }
            JoinGroupRequest(j) => {
                let id = if j.subscription.member_id.is_empty() {
                    "(new)"
                } else {
                    j.subscription.member_id.as_str()
                };
                let mut s = format!("JoinGroup group={} member={id}", j.group);
                if !j.subscription.owned.is_empty() {
                    put(
                        &mut s,
                        format_args!(" owned={}", join_tps(&j.subscription.owned)),
                    );
                }
                s
            }
            JoinGroupResponse {
                error,
                generation,
                leader,
                member_id,
                members,
                ..
            } => match error {
                Some(e) => format!("JoinGroup response {} member={member_id}", e.name()),
                None => format!(
                    "JoinGroup response generation={generation} leader={leader} members={}",
                    members.len()
                ),
            },
            SyncGroupRequest {
                member_id,
                generation,
                assignments,
                ..
            } => {
                if assignments.is_empty() {
                    format!("SyncGroup member={member_id} generation={generation}")
                } else {
                    format!("SyncGroup member={member_id} generation={generation} (leader's assignment)")
                }
            }
            SyncGroupResponse {
                error, assignment, ..
            } => match error {
                Some(e) => format!("SyncGroup response {}", e.name()),
                None => format!("SyncGroup response assignment={}", join_tps(assignment)),
            },
            HeartbeatRequest {
                member_id,
                generation,
                ..
            } => format!("Heartbeat member={member_id} generation={generation}"),
            HeartbeatResponse { error, .. } => {
                format!("Heartbeat response {}", error.map_or("NONE", |e| e.name()))
            }
            LeaveGroupRequest { member_id, .. } => format!("LeaveGroup member={member_id}"),
            LeaveGroupResponse { error, .. } => {
                format!("LeaveGroup response {}", error.map_or("NONE", |e| e.name()))
            }
            OffsetCommitRequest { offsets, .. } => {
                let mut s = String::from("OffsetCommit");
                for (tp, o) in offsets {
                    put(&mut s, format_args!(" {tp}={o}"));
                }
                s
            }
            OffsetCommitResponse { error, .. } => {
                format!(
                    "OffsetCommit response {}",
                    error.map_or("NONE", |e| e.name())
                )
            }
            OffsetFetchRequest { partitions, .. } => {
                format!("OffsetFetch {}", join_tps(partitions))
            }
            OffsetFetchResponse { offsets, .. } => {
                let mut s = String::from("OffsetFetch response");
                for (tp, o) in offsets {
                    put(&mut s, format_args!(" {tp}={o}"));
                }
                s
            }
            ConsumerGroupHeartbeatRequest(h) => format!(
                "ConsumerGroupHeartbeat member={} epoch={} owned=[{}]",
                if h.member_id.is_empty() {
                    "-"
                } else {
                    &h.member_id
                },
                h.member_epoch,
                join_tps(&h.owned)
            ),
            ConsumerGroupHeartbeatResponse {
                error,
                member_epoch,
                assignment,
                ..
            } => {
                let mut s = format!(
                    "ConsumerGroupHeartbeat response {} epoch={member_epoch}",
                    error.map_or("NONE", |e| e.name())
                );
                if let Some(a) = assignment {
                    put(&mut s, format_args!(" assignment=[{}]", join_tps(a)));
                }
                s
            }
        }
    }
}

/// Appends formatted text to `s` without the intermediate `String` that `format!` builds: the
/// trace describes every event the page shows, and a fetch's summary formats a partition each.
fn put(s: &mut String, args: core::fmt::Arguments<'_>) {
    use core::fmt::Write;
    // Writing into a String cannot fail.
    let _ = s.write_fmt(args);
}

pub fn join_ids(ids: &[BrokerId]) -> String {
    let mut s = String::new();
    for (i, b) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        put(&mut s, format_args!("{b}"));
    }
    s
}

pub fn join_tps(tps: &[TopicPartition]) -> String {
    let mut s = String::new();
    for (i, tp) in tps.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        put(&mut s, format_args!("{tp}"));
    }
    s
}
