//! Transactions: the transaction coordinator (hosted by brokers) and the transactional side of
//! the producer client (Kafka's `TransactionManager`).
//!
//! Where the coordinator lives: the coordinator of transactional id `t` is the leader of
//! partition `abs(javaHashCode(t)) % transaction.state.log.num.partitions` of
//! `__transaction_state`, a compacted internal topic created on the first
//! `FindCoordinator(TRANSACTION)` with replication `transaction.state.log.replication.factor`
//! and `min.insync.replicas` = `transaction.state.log.min.isr`, both capped at the broker
//! count. Each change of a transaction's metadata (producer id, epoch, state, partitions) is a
//! record on that partition, and the coordinator acts on it only once the HW passes it, as
//! Kafka's `appendTransactionToLog` (acks=all) does. A broker that becomes leader of the
//! partition loads the latest record of each transactional id from its own copy of the log;
//! a transaction it finds in PrepareCommit or PrepareAbort gets its markers sent again.
//!
//! The protocol (`TransactionCoordinator.scala`, `TransactionManager.java`):
//! `FindCoordinator(TRANSACTION)`, `InitProducerId` (a new id with epoch 0, or the same id
//! with the epoch bumped, which fences an older producer with the same transactional id; an
//! Ongoing transaction is first aborted with a fenced epoch and the new producer gets
//! `CONCURRENT_TRANSACTIONS` and retries), `AddPartitionsToTxn`, `AddOffsetsToTxn` and
//! `TxnOffsetCommit` (offsets the group sees only when the transaction commits), `EndTxn`
//! (Ongoing → PrepareCommit/PrepareAbort → markers → CompleteCommit/CompleteAbort), and
//! `WriteTxnMarkers`: a COMMIT or ABORT control batch, which takes an offset, appended to every
//! partition of the transaction by its leader (answered once replicated). A transaction open
//! longer than `transaction.timeout.ms` is aborted by the coordinator with a bumped epoch,
//! which fences its producer. A lower epoch gets `PRODUCER_FENCED` from the coordinator (KIP-588,
//! Kafka 2.7+) and `INVALID_PRODUCER_EPOCH` from a partition leader (I1).
//!
//! Facts: I6 (a marker with a higher epoch bumps the producer's epoch and resets its sequence;
//! a non-transactional write during an open transaction is `INVALID_TXN_STATE`, both in
//! `log.rs`), I7 (the LSO, `read_committed` fetches and the aborted-transaction list, in
//! `log.rs`, `coordinator.rs` and `consumer.rs`), C5 (aborted records and markers in the
//! cleaner, `log.rs`).
//!
//! Modelling choices, stated: the protocol is transaction.version 1 (no epoch bump per
//! transaction, no server-side partition verification of KIP-890); `TxnOffsetCommit` and the
//! group's view of committed transactional offsets are answered and applied as soon as the
//! leader appends them; the timed-out transaction check runs at the first multiple of
//! `transaction.abort.timed.out.transaction.cleanup.interval.ms` (10 s) after the deadline;
//! markers that got no answer are sent again after 30 s (`request.timeout.ms`).

use crate::collections::{VecMap, VecSet};
use alloc::format;
use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::error::{CommandError, KafkaError};
use crate::ids::{BrokerId, NodeId, Offset, TopicPartition};
use crate::time::Millis;

use super::coordinator::{partition_for_group, Host, OffsetsRecord, OFFSETS_TOPIC};
use super::log::Log;
use super::msg::{Batch, ControlType, Message, Rec};
use super::{Outcome, Sim, Timer};

/// The internal topic holding transaction metadata.
pub const TXN_TOPIC: &str = "__transaction_state";

/// `transaction.abort.timed.out.transaction.cleanup.interval.ms` (Kafka's default).
pub const ABORT_CHECK_INTERVAL_MS: u64 = 10_000;

/// How long the coordinator waits for a `WriteTxnMarkers` answer before sending it again.
const MARKER_RETRY_MS: u64 = 30_000;

/// The record id a consumer uses for an offset it passes over without handing it to the
/// application (a transaction marker, or an aborted record under `read_committed`).
pub const SKIPPED_RID: u64 = u64::MAX;

/// The coordinator's transaction states (`TransactionState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnState {
    Empty,
    Ongoing,
    PrepareCommit,
    PrepareAbort,
    CompleteCommit,
    CompleteAbort,
}

impl TxnState {
    pub fn name(self) -> &'static str {
        match self {
            TxnState::Empty => "Empty",
            TxnState::Ongoing => "Ongoing",
            TxnState::PrepareCommit => "PrepareCommit",
            TxnState::PrepareAbort => "PrepareAbort",
            TxnState::CompleteCommit => "CompleteCommit",
            TxnState::CompleteAbort => "CompleteAbort",
        }
    }
}

/// What the coordinator does once its last `__transaction_state` record is replicated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingWrite {
    pub required: Offset,
    pub reply: Option<(NodeId, Message)>,
    pub then_markers: bool,
}

/// A transaction's metadata at its coordinator (`TransactionMetadata`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnMeta {
    pub transactional_id: String,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub timeout_ms: u64,
    pub state: TxnState,
    pub partitions: VecSet<TopicPartition>,
    pub start_ms: u64,
    pub host: Option<Host>,
    /// Partitions whose marker has not been acknowledged yet.
    pub pending_markers: VecSet<TopicPartition>,
    pub pending: Option<PendingWrite>,
    pub token: u64,
}

/// A `WriteTxnMarkers` request at a partition leader, waiting for its markers to replicate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkerWait {
    pub broker: BrokerId,
    pub req: u64,
    pub to: NodeId,
    pub transactional_id: String,
    /// (partition, the HW the marker needs, the answer so far, done, the leader epoch it
    /// was appended in)
    pub entries: Vec<(TopicPartition, Offset, Option<KafkaError>, bool, i32)>,
}

/// Everything transactional the simulation keeps besides the logs.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Txns {
    /// The coordinators' in-memory metadata, by transactional id.
    pub meta: VecMap<String, TxnMeta>,
    /// What each `__transaction_state` record says, by record id (the records sit in the
    /// partition's log; a record truncated away is no longer found by a load).
    pub store: VecMap<u64, TxnMeta>,
    /// Offsets sent to a transaction and not yet committed or aborted: (group, producer id).
    pub pending_offsets: VecMap<(String, i64), Vec<(TopicPartition, Offset)>>,
    pub marker_waits: Vec<MarkerWait>,
}

/// `reply`, the answer a request was to get once its write was replicated, as the failed
/// write's NOT_COORDINATOR instead.
fn not_coordinator(reply: Message) -> Option<Message> {
    let error = Some(KafkaError::NotCoordinator);
    Some(match reply {
        Message::InitProducerIdResponse { req, .. } => Message::InitProducerIdResponse {
            req,
            producer_id: -1,
            producer_epoch: -1,
            error,
        },
        Message::AddPartitionsToTxnResponse { req, .. } => {
            Message::AddPartitionsToTxnResponse { req, error }
        }
        Message::AddOffsetsToTxnResponse { req, .. } => {
            Message::AddOffsetsToTxnResponse { req, error }
        }
        Message::EndTxnResponse { req, .. } => Message::EndTxnResponse { req, error },
        _ => return None,
    })
}

// ------------------------------------------------------------------ the client side

/// The producer's transaction states (`TransactionManager.State`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientState {
    Initializing,
    Ready,
    InTransaction,
    CommittingTransaction,
    AbortingTransaction,
    AbortableError,
    FatalError,
}

impl ClientState {
    pub fn name(self) -> &'static str {
        match self {
            ClientState::Initializing => "INITIALIZING",
            ClientState::Ready => "READY",
            ClientState::InTransaction => "IN_TRANSACTION",
            ClientState::CommittingTransaction => "COMMITTING_TRANSACTION",
            ClientState::AbortingTransaction => "ABORTING_TRANSACTION",
            ClientState::AbortableError => "ABORTABLE_ERROR",
            ClientState::FatalError => "FATAL_ERROR",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum TxnReq {
    FindCoordinator,
    InitProducerId,
    AddPartitions(Vec<TopicPartition>),
    AddOffsets,
    FindGroupCoordinator,
    TxnOffsetCommit,
    EndTxn,
}

/// A `sendOffsetsToTransaction` in progress: the group, its offsets, and the next step.
type SendOffsets = (String, Vec<(TopicPartition, Offset)>, OffsetsStage);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OffsetsStage {
    AddOffsets,
    FindGroupCoordinator,
    Commit,
}

/// The transactional part of a producer (`TransactionManager`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnClient {
    pub transactional_id: String,
    pub timeout_ms: u64,
    pub state: ClientState,
    /// `beginTransaction` was called while `initTransactions` was still running: in Kafka
    /// `initTransactions` blocks the application, so the begin takes effect when it returns.
    begin_queued: bool,
    coordinator: Option<BrokerId>,
    group_coordinator: Option<BrokerId>,
    inflight: Option<(u64, TxnReq)>,
    not_before: Millis,
    /// `partitionsInTransaction`.
    pub added: VecSet<TopicPartition>,
    /// `transactionStarted`: something was added, so the coordinator must end it.
    started: bool,
    offsets: Option<SendOffsets>,
    pub committed: u64,
    pub aborted: u64,
}

impl TxnClient {
    pub fn new(transactional_id: &str, timeout_ms: u64) -> Self {
        TxnClient {
            transactional_id: transactional_id.to_string(),
            timeout_ms,
            state: ClientState::Initializing,
            begin_queued: false,
            coordinator: None,
            group_coordinator: None,
            inflight: None,
            not_before: Millis::ZERO,
            added: VecSet::new(),
            started: false,
            offsets: None,
            committed: 0,
            aborted: 0,
        }
    }

    pub fn waits_for(&self, req: u64) -> bool {
        self.inflight.as_ref().is_some_and(|(r, _)| *r == req)
    }

    /// Work the client still has to do (for `settle`): a request on its way, or a commit or
    /// abort not finished.
    pub fn busy(&self) -> bool {
        self.inflight.is_some()
            || matches!(
                self.state,
                ClientState::Initializing
                    | ClientState::CommittingTransaction
                    | ClientState::AbortingTransaction
            )
            || self.offsets.is_some()
    }

    fn illegal(&self, from: ClientState, to: ClientState) -> CommandError {
        // The Java client refuses this locally with an IllegalStateException (no request
        // goes out, so there is no protocol error code): `TransactionManager.transitionTo`.
        CommandError::arg(
            "txn",
            format!(
                "IllegalStateException: TransactionalId {}: Invalid transition attempted from state {} to state {}",
                self.transactional_id,
                from.name(),
                to.name()
            ),
        )
    }
}

pub(crate) fn is_txn_message(m: &Message) -> bool {
    matches!(
        m,
        Message::InitProducerIdRequest {
            transactional_id: Some(_),
            ..
        } | Message::FindTxnCoordinatorRequest { .. }
            | Message::AddPartitionsToTxnRequest { .. }
            | Message::AddOffsetsToTxnRequest { .. }
            | Message::TxnOffsetCommitRequest { .. }
            | Message::EndTxnRequest { .. }
            | Message::WriteTxnMarkersRequest { .. }
            | Message::WriteTxnMarkersResponse { .. }
    )
}

/// Whether a data batch read from `log` is committed (or not transactional): used when a
/// group is loaded from `__consumer_offsets`, where transactional offset commits count only
/// once their transaction committed.
pub(crate) fn batch_is_committed(log: &Log, b: &Batch) -> bool {
    if b.control.is_some() {
        return false;
    }
    if !b.transactional {
        return true;
    }
    !log.is_aborted(b)
        && log
            .ongoing_txns
            .get(&b.producer_id)
            .is_none_or(|&first| first > b.base_offset)
}

/// The consumer's filter for one partition of a fetch answer (`CompletedFetch`): control
/// batches are never handed to the application; under `read_committed`, neither are the
/// batches of an aborted transaction (the aborted-transaction list says which producer's
/// records from which offset on, up to its ABORT marker).
pub(crate) struct AbortedFilter {
    read_committed: bool,
    /// (first offset, producer id), ascending, not yet reached.
    upcoming: Vec<(Offset, i64)>,
    aborted_pids: VecSet<i64>,
}

impl AbortedFilter {
    pub(crate) fn new(read_committed: bool, aborted: &[(i64, Offset)]) -> Self {
        let mut upcoming: Vec<(Offset, i64)> = aborted.iter().map(|&(p, o)| (o, p)).collect();
        upcoming.sort_unstable();
        AbortedFilter {
            read_committed,
            upcoming,
            aborted_pids: VecSet::new(),
        }
    }

    /// Whether the consumer passes over this batch.
    pub(crate) fn skip(&mut self, b: &Batch) -> bool {
        if !self.read_committed {
            return b.control.is_some();
        }
        while let Some(&(first, pid)) = self.upcoming.first() {
            if first > b.last_offset().max(b.base_offset) {
                break;
            }
            self.aborted_pids.insert(pid);
            self.upcoming.remove(0);
        }
        if let Some(ctl) = b.control {
            if ctl == ControlType::Abort {
                self.aborted_pids.remove(&b.producer_id);
            }
            return true;
        }
        b.transactional && self.aborted_pids.contains(&b.producer_id)
    }
}

impl Sim {
    // ============================================================ coordinator

    pub(crate) fn txn_tp(&self, tid: &str) -> Option<TopicPartition> {
        let n = self.topic_partition_count(TXN_TOPIC)?;
        Some(TopicPartition::new(TXN_TOPIC, partition_for_group(tid, n)))
    }

    /// Kafka creates `__transaction_state` on the first `FindCoordinator(TRANSACTION)`.
    fn ensure_txn_topic(&mut self) {
        self.ensure_internal_topic(
            TXN_TOPIC,
            "transaction.state.log.num.partitions",
            "transaction.state.log.replication.factor",
            Some("transaction.state.log.min.isr"),
        );
    }

    fn txn_host_now(&self, b: BrokerId, tp: &TopicPartition) -> Option<Host> {
        let br = &self.brokers[self.broker_index(b)?];
        let ls = br.parts.get(tp)?.leader.as_ref()?;
        Some(Host {
            broker: b,
            incarnation: br.incarnation,
            epoch: ls.epoch,
        })
    }

    /// Makes `b` the coordinator of `tid` if it leads its partition, loading the transaction
    /// from its own log when it was coordinated elsewhere (or nowhere).
    fn txn_host(&mut self, b: BrokerId, tid: &str) -> Result<(), KafkaError> {
        let Some(tp) = self.txn_tp(tid) else {
            return Err(KafkaError::CoordinatorNotAvailable);
        };
        let Some(host) = self.txn_host_now(b, &tp) else {
            return Err(KafkaError::NotCoordinator);
        };
        if self.txn.meta.get(tid).is_some_and(|m| m.host == Some(host)) {
            return Ok(());
        }
        // Load: the latest record of this transactional id in b's copy of the partition.
        let i = self.broker_index(b).expect("validated");
        let mut latest: Option<TxnMeta> = None;
        if let Some(log) = self.brokers[i].logs.get(&tp) {
            for batch in &log.batches {
                for r in batch.records.iter() {
                    if let Some(m) = self.txn.store.get(&r.rid) {
                        if m.transactional_id == tid {
                            latest = Some(m.clone());
                        }
                    }
                }
            }
        }
        let token = self.txn.meta.get(tid).map_or(0, |m| m.token + 1);
        // Loaded here before the old coordinator heard it lost the partition: it still owes
        // the request waiting on its write an answer.
        let owed = self.txn.meta.get_mut(tid).and_then(|m| {
            let old = m.host.filter(|h| h.broker != b)?;
            let (to, reply) = m.pending.take()?.reply?;
            Some((old, to, not_coordinator(reply)?))
        });
        if let Some((old, to, msg)) = owed {
            self.owe(old, &tp, vec![(to, msg)]);
        }
        match latest {
            None => {
                self.txn.meta.remove(tid);
            }
            Some(mut m) => {
                m.host = Some(host);
                m.pending = None;
                m.token = token;
                let state = m.state;
                if matches!(state, TxnState::PrepareCommit | TxnState::PrepareAbort) {
                    m.pending_markers = m.partitions.clone();
                }
                self.txn.meta.insert(tid.to_string(), m);
                match state {
                    TxnState::PrepareCommit | TxnState::PrepareAbort => self.send_markers(tid),
                    TxnState::Ongoing => self.arm_txn_timeout(tid),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// `b` became leader of `__transaction_state` partition `tp`: as Kafka's coordinator does on
    /// election (`TransactionStateManager.loadTransactionsForTxnTopicPartition`), it loads every
    /// transaction of that partition at once, resends the markers of those in PrepareCommit or
    /// PrepareAbort and watches the timeouts of the Ongoing ones. Loading only when a producer
    /// next called left a transaction hanging (the LSO stuck) when its producer never did.
    pub(crate) fn txn_on_become_leader(&mut self, b: BrokerId, tp: &TopicPartition) {
        let mut tids: Vec<String> = self
            .txn
            .store
            .values()
            .map(|m| m.transactional_id.clone())
            .filter(|t| self.txn_tp(t).as_ref() == Some(tp))
            .collect();
        tids.sort_unstable();
        tids.dedup();
        for tid in tids {
            let _ = self.txn_host(b, &tid);
        }
    }

    /// Broker `b` stopped leading `tp` while running: the transaction markers waiting there to
    /// be replicated are answered NOT_LEADER_OR_FOLLOWER, as Kafka's `ReplicaManager` completes
    /// delayed appends when a broker becomes a follower (the coordinator then sends them to the
    /// new leader), and if `tp` is a partition of `__transaction_state`, the coordinator
    /// resigns ([`Sim::txn_coordinator_resigned`]).
    pub(crate) fn txn_on_lost_leadership(&mut self, b: BrokerId, tp: &TopicPartition) {
        if self
            .txn
            .marker_waits
            .iter()
            .any(|w| w.broker == b && w.entries.iter().any(|e| &e.0 == tp && !e.3))
        {
            self.check_marker_waits(b);
        }
        if tp.topic() == TXN_TOPIC {
            self.txn_coordinator_resigned(b, tp);
        }
    }

    /// Broker `b` stopped leading `__transaction_state` partition `tp` while running: as Kafka's
    /// coordinator does on resignation, the writes waiting to be replicated there fail and
    /// their requests are answered NOT_COORDINATOR (`ReplicaManager` completes the delayed
    /// append with NOT_LEADER_OR_FOLLOWER when the broker becomes a follower, and
    /// `TransactionStateManager.appendTransactionToLog` maps it to NOT_COORDINATOR), and the
    /// transactions are unloaded (`removeTransactionsForTxnTopicPartition`): their timers die,
    /// and the next coordinator loads them from its own copy of the log. The producer finds
    /// that coordinator at once instead of waiting out `request.timeout.ms`. What it owes for
    /// transactions the new coordinator loaded first is answered by the caller's
    /// [`Sim::take_owed`].
    fn txn_coordinator_resigned(&mut self, b: BrokerId, tp: &TopicPartition) {
        let mut answers: Vec<(NodeId, Message)> = Vec::new();
        let tids: Vec<String> = self
            .txn
            .meta
            .values()
            .filter(|m| m.host.is_some_and(|h| h.broker == b))
            .map(|m| m.transactional_id.clone())
            .filter(|tid| self.txn_tp(tid).as_ref() == Some(tp))
            .collect();
        for tid in tids {
            let m = self.txn.meta.get_mut(&tid).expect("listed");
            if let Some((to, reply)) = m.pending.take().and_then(|p| p.reply) {
                answers.extend(not_coordinator(reply).map(|msg| (to, msg)));
            }
            m.host = None;
            m.token += 1;
        }
        for (to, msg) in answers {
            self.send(NodeId::Broker(b), to, msg);
        }
    }

    /// Appends the transaction's metadata to its `__transaction_state` partition on its
    /// coordinator; `then` runs once the HW passes the record.
    fn txn_write(&mut self, tid: &str, reply: Option<(NodeId, Message)>, then_markers: bool) {
        let Some(m) = self.txn.meta.get(tid) else {
            return;
        };
        let Some(host) = m.host else { return };
        let Some(tp) = self.txn_tp(tid) else { return };
        let b = host.broker;
        let i = self.broker_index(b).expect("validated");
        let now = self.now.0;
        let rid = self.next_rid;
        self.next_rid += 1;
        let mut snap = m.clone();
        snap.pending = None;
        let value = format!(
            "producerId={} producerEpoch={} state={} partitions=[{}] txnTimeoutMs={}",
            m.producer_id,
            m.producer_epoch,
            m.state.name(),
            super::msg::join_tps(&m.partitions.iter().cloned().collect::<Vec<_>>()),
            m.timeout_ms
        );
        self.txn.store.insert(rid, snap);
        let log = self.brokers[i].logs.entry(tp.clone()).or_default();
        let batch = Batch {
            base_offset: log.leo(),
            leader_epoch: host.epoch,
            producer_id: -1,
            producer_epoch: -1,
            base_sequence: -1,
            max_timestamp: now,
            records: vec![Rec {
                key: Some(Rc::from(tid)),
                value: Some(Rc::from(value.as_str())),
                timestamp: now,
                rid,
                origin: u32::MAX,
            }]
            .into(),
            attempt: 1,
            transactional: false,
            control: None,
            codec: super::msg::Codec::None,
        };
        let required = batch.next_offset();
        log.append(batch);
        if let Some(m) = self.txn.meta.get_mut(tid) {
            m.pending = Some(PendingWrite {
                required,
                reply,
                then_markers,
            });
        }
        self.complete_parked_fetches(b, &tp);
        self.maybe_increment_hw(b, &tp);
    }

    /// The HW of `tp` rose on `b`: transaction-log writes and markers may be replicated now.
    pub(crate) fn txn_on_hw_advanced(&mut self, b: BrokerId, tp: &TopicPartition) {
        let Some(i) = self.broker_index(b) else {
            return;
        };
        let hw = self.brokers[i].logs.get(tp).map_or(0, |l| l.hw);
        if tp.topic() == TXN_TOPIC {
            let ready: Vec<String> = self
                .txn
                .meta
                .values()
                .filter(|m| {
                    m.host.is_some_and(|h| h.broker == b)
                        && m.pending.as_ref().is_some_and(|p| p.required <= hw)
                })
                .map(|m| m.transactional_id.clone())
                .collect();
            for tid in ready {
                if self.txn_tp(&tid).as_ref() != Some(tp) {
                    continue;
                }
                let Some(p) = self.txn.meta.get_mut(&tid).and_then(|m| m.pending.take()) else {
                    continue;
                };
                if let Some((to, msg)) = p.reply {
                    self.send(NodeId::Broker(b), to, msg);
                }
                if p.then_markers {
                    self.send_markers(&tid);
                }
            }
        }
        if self
            .txn
            .marker_waits
            .iter()
            .any(|w| w.broker == b && w.entries.iter().any(|e| &e.0 == tp))
        {
            self.check_marker_waits(b);
        }
    }

    fn check_marker_waits(&mut self, b: BrokerId) {
        let Some(i) = self.broker_index(b) else {
            return;
        };
        let waits = core::mem::take(&mut self.txn.marker_waits);
        let mut keep = Vec::new();
        let mut done = Vec::new();
        for mut w in waits {
            if w.broker == b {
                for e in &mut w.entries {
                    if e.3 {
                        continue;
                    }
                    let br = &self.brokers[i];
                    let leads = br
                        .parts
                        .get(&e.0)
                        .and_then(|p| p.leader.as_ref())
                        .is_some_and(|l| l.epoch == e.4);
                    if !leads {
                        e.2 = Some(KafkaError::NotLeaderOrFollower);
                        e.3 = true;
                    } else if br.logs.get(&e.0).is_some_and(|l| l.hw >= e.1) {
                        e.3 = true;
                    }
                }
                if w.entries.iter().all(|e| e.3) {
                    done.push(w);
                    continue;
                }
            }
            keep.push(w);
        }
        keep.extend(core::mem::take(&mut self.txn.marker_waits));
        self.txn.marker_waits = keep;
        for w in done {
            let results = w.entries.into_iter().map(|e| (e.0, e.2)).collect();
            self.send(
                NodeId::Broker(w.broker),
                w.to,
                Message::WriteTxnMarkersResponse {
                    req: w.req,
                    transactional_id: w.transactional_id,
                    results,
                },
            );
        }
    }

    fn arm_txn_timeout(&mut self, tid: &str) {
        let Some(m) = self.txn.meta.get(tid) else {
            return;
        };
        let Some(host) = m.host else { return };
        let deadline = m.start_ms + m.timeout_ms;
        // The coordinator's periodic check finds it at the first tick after the deadline.
        let at = deadline.div_ceil(ABORT_CHECK_INTERVAL_MS) * ABORT_CHECK_INTERVAL_MS;
        let after = at.saturating_sub(self.now.0).max(1);
        let token = m.token;
        self.schedule_timer(
            NodeId::Broker(host.broker),
            after,
            Timer::TxnTimeout {
                transactional_id: tid.to_string(),
                token,
            },
        );
    }

    pub(crate) fn txn_timer_live(&self, b: BrokerId, t: &Timer) -> bool {
        match t {
            Timer::TxnTimeout {
                transactional_id,
                token,
            } => self.txn.meta.get(transactional_id).is_some_and(|m| {
                m.token == *token
                    && m.state == TxnState::Ongoing
                    && m.host.is_some_and(|h| h.broker == b)
            }),
            Timer::TxnMarkerRetry {
                transactional_id,
                token,
            } => self.txn.meta.get(transactional_id).is_some_and(|m| {
                m.token == *token
                    && matches!(m.state, TxnState::PrepareCommit | TxnState::PrepareAbort)
                    && m.host.is_some_and(|h| h.broker == b)
            }),
            _ => false,
        }
    }

    pub(crate) fn txn_timer(&mut self, b: BrokerId, t: Timer) {
        match t {
            Timer::TxnTimeout {
                transactional_id, ..
            } => {
                if self.txn_host(b, &transactional_id).is_err() {
                    return;
                }
                let Some(m) = self.txn.meta.get_mut(&transactional_id) else {
                    return;
                };
                if m.state != TxnState::Ongoing {
                    return;
                }
                if m.pending.is_some() {
                    // `timedOutTransactions` skips a transaction whose metadata write is still
                    // in flight; the periodic check finds it again at its next run.
                    let token = m.token;
                    self.schedule_timer(
                        NodeId::Broker(b),
                        ABORT_CHECK_INTERVAL_MS,
                        Timer::TxnTimeout {
                            transactional_id,
                            token,
                        },
                    );
                    return;
                }
                // `abortTimedOutTransactions`: fence the producer (epoch + 1) and abort.
                m.producer_epoch = m.producer_epoch.saturating_add(1);
                m.state = TxnState::PrepareAbort;
                m.pending_markers = m.partitions.clone();
                m.token += 1;
                self.txn_write(&transactional_id, None, true);
            }
            Timer::TxnMarkerRetry {
                transactional_id, ..
            } => self.send_markers(&transactional_id),
            _ => {}
        }
    }

    /// `WriteTxnMarkers` to the leader of every partition whose marker is still missing.
    fn send_markers(&mut self, tid: &str) {
        let Some(m) = self.txn.meta.get_mut(tid) else {
            return;
        };
        let Some(host) = m.host else { return };
        if m.pending_markers.is_empty() {
            self.complete_txn(tid);
            return;
        }
        m.token += 1;
        let token = m.token;
        let control = if m.state == TxnState::PrepareCommit {
            ControlType::Commit
        } else {
            ControlType::Abort
        };
        let (pid, epoch) = (m.producer_id, m.producer_epoch);
        let pending: Vec<TopicPartition> = m.pending_markers.iter().cloned().collect();
        let mut by_leader: VecMap<BrokerId, Vec<TopicPartition>> = VecMap::new();
        for tp in pending {
            if let Some(l) = self.controller.partition(&tp).and_then(|p| p.leader) {
                by_leader.entry(l).or_default().push(tp);
            } else if self.topic_partition_count(&tp.topic).is_none() {
                // The topic is gone: nothing to mark (Kafka drops such markers too).
                if let Some(m) = self.txn.meta.get_mut(tid) {
                    m.pending_markers.remove(&tp);
                }
            }
        }
        for (leader, partitions) in by_leader {
            let req = self.next_req();
            self.send(
                NodeId::Broker(host.broker),
                NodeId::Broker(leader),
                Message::WriteTxnMarkersRequest {
                    req,
                    transactional_id: tid.to_string(),
                    producer_id: pid,
                    producer_epoch: epoch,
                    control,
                    partitions,
                },
            );
        }
        if self
            .txn
            .meta
            .get(tid)
            .is_some_and(|m| m.pending_markers.is_empty())
        {
            self.complete_txn(tid);
            return;
        }
        self.schedule_timer(
            NodeId::Broker(host.broker),
            MARKER_RETRY_MS,
            Timer::TxnMarkerRetry {
                transactional_id: tid.to_string(),
                token,
            },
        );
    }

    /// Every marker is written: PrepareX → CompleteX.
    fn complete_txn(&mut self, tid: &str) {
        let Some(m) = self.txn.meta.get_mut(tid) else {
            return;
        };
        m.state = match m.state {
            TxnState::PrepareCommit => TxnState::CompleteCommit,
            TxnState::PrepareAbort => TxnState::CompleteAbort,
            // Only a transaction in PrepareCommit/PrepareAbort completes.
            _ => return,
        };
        m.partitions.clear();
        m.token += 1;
        self.txn_write(tid, None, false);
    }

    /// Checks a client request's producer id and epoch against the metadata.
    fn txn_validate(&self, tid: &str, pid: i64, epoch: i16) -> Result<(), KafkaError> {
        let Some(m) = self.txn.meta.get(tid) else {
            return Err(KafkaError::InvalidProducerIdMapping);
        };
        if m.producer_id != pid {
            return Err(KafkaError::InvalidProducerIdMapping);
        }
        if epoch < m.producer_epoch {
            // KIP-588 (2.7+): the coordinator answers PRODUCER_FENCED to an older epoch.
            return Err(KafkaError::ProducerFenced);
        }
        if epoch > m.producer_epoch {
            return Err(KafkaError::InvalidProducerEpoch);
        }
        if m.pending.is_some() {
            return Err(KafkaError::ConcurrentTransactions);
        }
        Ok(())
    }

    pub(crate) fn txn_receive(&mut self, b: BrokerId, from: NodeId, msg: Message) {
        let me = NodeId::Broker(b);
        match msg {
            Message::FindTxnCoordinatorRequest {
                req,
                transactional_id,
            } => {
                let (error, coordinator) = match self.txn_tp(&transactional_id) {
                    None => {
                        self.ensure_txn_topic();
                        (Some(KafkaError::CoordinatorNotAvailable), None)
                    }
                    Some(tp) => match self.controller.partition(&tp).and_then(|p| p.leader) {
                        Some(l) => (None, Some(l)),
                        None => (Some(KafkaError::CoordinatorNotAvailable), None),
                    },
                };
                self.send(
                    me,
                    from,
                    Message::FindCoordinatorResponse {
                        req,
                        error,
                        coordinator,
                    },
                );
            }
            Message::InitProducerIdRequest {
                req,
                transactional_id: Some(tid),
                transaction_timeout_ms,
            } => self.handle_init_pid(b, from, req, &tid, transaction_timeout_ms),
            Message::AddPartitionsToTxnRequest {
                req,
                transactional_id,
                producer_id,
                producer_epoch,
                partitions,
            } => {
                let reply = |error| Message::AddPartitionsToTxnResponse { req, error };
                self.handle_add(
                    b,
                    from,
                    &transactional_id,
                    producer_id,
                    producer_epoch,
                    partitions,
                    reply,
                );
            }
            Message::AddOffsetsToTxnRequest {
                req,
                transactional_id,
                producer_id,
                producer_epoch,
                group,
            } => {
                let reply = |error| Message::AddOffsetsToTxnResponse { req, error };
                let Some(tp) = self.offsets_tp(&group) else {
                    self.ensure_offsets_topic();
                    self.send(me, from, reply(Some(KafkaError::CoordinatorNotAvailable)));
                    return;
                };
                self.handle_add(
                    b,
                    from,
                    &transactional_id,
                    producer_id,
                    producer_epoch,
                    vec![tp],
                    reply,
                );
            }
            Message::EndTxnRequest {
                req,
                transactional_id,
                producer_id,
                producer_epoch,
                commit,
            } => self.handle_end_txn(
                b,
                from,
                req,
                &transactional_id,
                producer_id,
                producer_epoch,
                commit,
            ),
            Message::TxnOffsetCommitRequest {
                req,
                transactional_id: _,
                group,
                producer_id,
                producer_epoch,
                offsets,
            } => {
                let error =
                    self.handle_txn_offset_commit(b, &group, producer_id, producer_epoch, offsets);
                self.send(me, from, Message::TxnOffsetCommitResponse { req, error });
            }
            Message::WriteTxnMarkersRequest {
                req,
                transactional_id,
                producer_id,
                producer_epoch,
                control,
                partitions,
            } => self.handle_write_markers(
                b,
                from,
                req,
                transactional_id,
                producer_id,
                producer_epoch,
                control,
                partitions,
            ),
            Message::WriteTxnMarkersResponse {
                transactional_id,
                results,
                ..
            } => {
                let Some(m) = self.txn.meta.get_mut(&transactional_id) else {
                    return;
                };
                if m.host.is_none_or(|h| h.broker != b)
                    || !matches!(m.state, TxnState::PrepareCommit | TxnState::PrepareAbort)
                {
                    return;
                }
                let mut retry = false;
                for (tp, e) in results {
                    match e {
                        None => {
                            m.pending_markers.remove(&tp);
                        }
                        Some(_) => retry = true,
                    }
                }
                if m.pending_markers.is_empty() {
                    self.complete_txn(&transactional_id);
                } else if retry {
                    // Leadership moved: send again after the metadata settles.
                    m.token += 1;
                    let token = m.token;
                    self.schedule_timer(
                        NodeId::Broker(b),
                        100,
                        Timer::TxnMarkerRetry {
                            transactional_id,
                            token,
                        },
                    );
                }
            }
            _ => {}
        }
    }

    fn handle_init_pid(&mut self, b: BrokerId, from: NodeId, req: u64, tid: &str, timeout: u64) {
        let me = NodeId::Broker(b);
        let err = |e| Message::InitProducerIdResponse {
            req,
            producer_id: -1,
            producer_epoch: -1,
            error: Some(e),
        };
        if let Err(e) = self.txn_host(b, tid) {
            self.send(me, from, err(e));
            return;
        }
        let Some(host) = self.txn_tp(tid).and_then(|tp| self.txn_host_now(b, &tp)) else {
            self.send(me, from, err(KafkaError::NotCoordinator));
            return;
        };
        if !self.txn.meta.contains_key(tid) {
            let pid = self.allocate_producer_id();
            self.txn.meta.insert(
                tid.to_string(),
                TxnMeta {
                    transactional_id: tid.to_string(),
                    producer_id: pid,
                    producer_epoch: 0,
                    timeout_ms: timeout,
                    state: TxnState::Empty,
                    partitions: VecSet::new(),
                    start_ms: self.now.0,
                    host: Some(host),
                    pending_markers: VecSet::new(),
                    pending: None,
                    token: 0,
                },
            );
            let reply = Message::InitProducerIdResponse {
                req,
                producer_id: pid,
                producer_epoch: 0,
                error: None,
            };
            self.txn_write(tid, Some((from, reply)), false);
            return;
        }
        let m = self.txn.meta.get_mut(tid).expect("checked");
        if m.pending.is_some() {
            self.send(me, from, err(KafkaError::ConcurrentTransactions));
            return;
        }
        match m.state {
            TxnState::PrepareCommit | TxnState::PrepareAbort => {
                self.send(me, from, err(KafkaError::ConcurrentTransactions));
            }
            TxnState::Ongoing => {
                // `handleInitProducerId`, Ongoing: abort the open transaction with a fenced
                // epoch first; the new producer retries on CONCURRENT_TRANSACTIONS.
                m.producer_epoch = m.producer_epoch.saturating_add(1);
                m.state = TxnState::PrepareAbort;
                m.pending_markers = m.partitions.clone();
                m.token += 1;
                self.txn_write(tid, None, true);
                self.send(me, from, err(KafkaError::ConcurrentTransactions));
            }
            TxnState::Empty | TxnState::CompleteCommit | TxnState::CompleteAbort => {
                // A new producer instance: same id, epoch + 1 (a new id once the epoch is
                // exhausted), which fences any older instance.
                if m.producer_epoch >= i16::MAX - 1 {
                    let pid = self.allocate_producer_id();
                    let m = self.txn.meta.get_mut(tid).expect("checked");
                    m.producer_id = pid;
                    m.producer_epoch = 0;
                } else {
                    m.producer_epoch += 1;
                }
                let m = self.txn.meta.get_mut(tid).expect("checked");
                m.timeout_ms = timeout;
                m.state = TxnState::Empty;
                m.partitions.clear();
                m.token += 1;
                let reply = Message::InitProducerIdResponse {
                    req,
                    producer_id: m.producer_id,
                    producer_epoch: m.producer_epoch,
                    error: None,
                };
                self.txn_write(tid, Some((from, reply)), false);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn handle_add(
        &mut self,
        b: BrokerId,
        from: NodeId,
        tid: &str,
        pid: i64,
        epoch: i16,
        partitions: Vec<TopicPartition>,
        reply: impl Fn(Option<KafkaError>) -> Message,
    ) {
        let me = NodeId::Broker(b);
        if let Err(e) = self
            .txn_host(b, tid)
            .and_then(|_| self.txn_validate(tid, pid, epoch))
        {
            self.send(me, from, reply(Some(e)));
            return;
        }
        let now = self.now.0;
        let m = self.txn.meta.get_mut(tid).expect("validated");
        if matches!(m.state, TxnState::PrepareCommit | TxnState::PrepareAbort) {
            self.send(me, from, reply(Some(KafkaError::ConcurrentTransactions)));
            return;
        }
        let new: Vec<TopicPartition> = partitions
            .into_iter()
            .filter(|tp| !m.partitions.contains(tp))
            .collect();
        if new.is_empty() && m.state == TxnState::Ongoing {
            self.send(me, from, reply(None));
            return;
        }
        let starting = m.state != TxnState::Ongoing;
        if starting {
            m.start_ms = now;
            m.token += 1;
        }
        m.state = TxnState::Ongoing;
        m.partitions.extend(new);
        self.txn_write(tid, Some((from, reply(None))), false);
        if starting {
            self.arm_txn_timeout(tid);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn handle_end_txn(
        &mut self,
        b: BrokerId,
        from: NodeId,
        req: u64,
        tid: &str,
        pid: i64,
        epoch: i16,
        commit: bool,
    ) {
        let me = NodeId::Broker(b);
        let reply = |error| Message::EndTxnResponse { req, error };
        if let Err(e) = self
            .txn_host(b, tid)
            .and_then(|_| self.txn_validate(tid, pid, epoch))
        {
            self.send(me, from, reply(Some(e)));
            return;
        }
        let m = self.txn.meta.get_mut(tid).expect("validated");
        let error = match (m.state, commit) {
            (TxnState::Ongoing, _) => {
                m.state = if commit {
                    TxnState::PrepareCommit
                } else {
                    TxnState::PrepareAbort
                };
                m.pending_markers = m.partitions.clone();
                m.token += 1;
                self.txn_write(tid, Some((from, reply(None))), true);
                return;
            }
            // A retry of an EndTxn that already completed.
            (TxnState::CompleteCommit, true) | (TxnState::CompleteAbort, false) => None,
            (TxnState::PrepareCommit, true) | (TxnState::PrepareAbort, false) => {
                Some(KafkaError::ConcurrentTransactions)
            }
            _ => Some(KafkaError::InvalidTxnState),
        };
        self.send(me, from, reply(error));
    }

    /// The group coordinator's side of `TxnOffsetCommit`: the offsets are written to the
    /// group's partition as a transactional batch, and become the group's at the COMMIT marker.
    fn handle_txn_offset_commit(
        &mut self,
        b: BrokerId,
        group: &str,
        pid: i64,
        epoch: i16,
        offsets: Vec<(TopicPartition, Offset)>,
    ) -> Option<KafkaError> {
        if let Err(e) = self.host_group(b, group) {
            return Some(e);
        }
        let tp = self.offsets_tp(group)?;
        let i = self.broker_index(b)?;
        let leader_epoch = self.brokers[i].parts.get(&tp)?.leader.as_ref()?.epoch;
        let now = self.now.0;
        let mut records = Vec::new();
        for (otp, off) in &offsets {
            let rid = self.next_rid;
            self.next_rid += 1;
            self.offsets_store.insert(
                rid,
                OffsetsRecord::Commit {
                    group: group.to_string(),
                    tp: otp.clone(),
                    offset: *off,
                },
            );
            records.push(Rec {
                key: Some(Rc::from(format!("offset:{group}:{otp}").as_str())),
                value: Some(Rc::from(format!("{off}").as_str())),
                timestamp: now,
                rid,
                origin: u32::MAX,
            });
        }
        let log = self.brokers[i].logs.entry(tp.clone()).or_default();
        let batch = Batch {
            base_offset: log.leo(),
            leader_epoch,
            producer_id: pid,
            producer_epoch: epoch,
            base_sequence: -1,
            max_timestamp: now,
            records: records.into(),
            attempt: 1,
            transactional: true,
            control: None,
            codec: super::msg::Codec::None,
        };
        if let Err(e) = log.check_epoch_only(&batch) {
            return Some(e);
        }
        log.append(batch);
        self.txn
            .pending_offsets
            .entry((group.to_string(), pid))
            .or_default()
            .extend(offsets);
        self.complete_parked_fetches(b, &tp);
        self.maybe_increment_hw(b, &tp);
        None
    }

    #[allow(clippy::too_many_arguments)]
    fn handle_write_markers(
        &mut self,
        b: BrokerId,
        from: NodeId,
        req: u64,
        tid: String,
        pid: i64,
        epoch: i16,
        control: ControlType,
        partitions: Vec<TopicPartition>,
    ) {
        let i = self.broker_index(b).expect("delivered to a broker");
        let now = self.now.0;
        let mut entries = Vec::new();
        let mut appended = Vec::new();
        for tp in partitions {
            let leader_epoch = self.brokers[i]
                .parts
                .get(&tp)
                .and_then(|p| p.leader.as_ref())
                .map(|l| l.epoch);
            let Some(leader_epoch) = leader_epoch else {
                entries.push((tp, 0, Some(KafkaError::NotLeaderOrFollower), true, 0));
                continue;
            };
            let rid = self.next_rid;
            self.next_rid += 1;
            let log = self.brokers[i].logs.entry(tp.clone()).or_default();
            let batch = Batch {
                base_offset: log.leo(),
                leader_epoch,
                producer_id: pid,
                producer_epoch: epoch,
                base_sequence: -1,
                max_timestamp: now,
                records: vec![Rec {
                    key: None,
                    value: None,
                    timestamp: now,
                    rid,
                    origin: u32::MAX,
                }]
                .into(),
                attempt: 1,
                transactional: true,
                control: Some(control),
                codec: super::msg::Codec::None,
            };
            if let Err(e) = log.check_epoch_only(&batch) {
                entries.push((tp, 0, Some(e), true, 0));
                continue;
            }
            let first = log.ongoing_txns.get(&pid).copied();
            let required = batch.next_offset();
            // The records this marker decides, for the guarantee checker.
            let rids: Vec<u64> = match first {
                Some(f) => log
                    .batches
                    .iter()
                    .filter(|x| {
                        x.producer_id == pid
                            && x.transactional
                            && x.control.is_none()
                            && x.base_offset >= f
                    })
                    .flat_map(|x| x.records.iter().map(|r| r.rid))
                    .collect(),
                None => Vec::new(),
            };
            log.append(batch);
            self.checker_on_txn_outcome(&rids, control == ControlType::Commit);
            if tp.topic() == OFFSETS_TOPIC {
                self.txn_offsets_complete(&tp, pid, control == ControlType::Commit);
            }
            entries.push((tp.clone(), required, None, false, leader_epoch));
            appended.push(tp);
        }
        self.txn.marker_waits.push(MarkerWait {
            broker: b,
            req,
            to: from,
            transactional_id: tid,
            entries,
        });
        for tp in &appended {
            self.complete_parked_fetches(b, tp);
            self.maybe_increment_hw(b, tp);
        }
        self.check_marker_waits(b);
    }

    /// A marker reached a `__consumer_offsets` partition: the group coordinator
    /// (`GroupMetadata.completePendingTxnOffsetCommit`) makes the offsets the group's on
    /// COMMIT and drops them on ABORT.
    fn txn_offsets_complete(&mut self, tp: &TopicPartition, pid: i64, commit: bool) {
        let keys: Vec<(String, i64)> = self
            .txn
            .pending_offsets
            .keys()
            .filter(|(g, p)| *p == pid && self.offsets_tp(g).as_ref() == Some(tp))
            .cloned()
            .collect();
        for k in keys {
            let offs = self.txn.pending_offsets.remove(&k).unwrap_or_default();
            if commit {
                if let Some(g) = self.groups.get_mut(&k.0) {
                    for (otp, o) in offs {
                        g.offsets.insert(otp, o);
                    }
                }
            }
        }
    }

    // ============================================================ client side

    /// `beginTransaction`, `commitTransaction`, `abortTransaction` and
    /// `sendOffsetsToTransaction` from the scenario's `txn` commands.
    pub(crate) fn txn_command(
        &mut self,
        producer: &str,
        op: TxnOp,
    ) -> Result<Outcome, CommandError> {
        let pi = self.producer_index(producer).ok_or_else(|| {
            CommandError::arg("producer", format!("no producer named '{producer}'"))
        })?;
        if self.producers[pi].dead {
            return Err(CommandError::arg(
                "producer",
                format!("producer '{producer}' has crashed (add a new instance with the same transactional.id)"),
            ));
        }
        let Some(t) = self.producers[pi].txn.as_ref() else {
            // `KafkaProducer.throwIfNoTransactionManager`.
            return Err(CommandError::arg(
                "producer",
                format!("IllegalStateException: Transactional method invoked on a non-transactional producer ('{producer}' has no transactional.id)"),
            ));
        };
        use ClientState::*;
        let state = t.state;
        if state == FatalError {
            return Err(CommandError::arg(
                "txn",
                format!(
                    "KafkaException: the producer '{producer}' is in FATAL_ERROR ({}); close it and start a new instance",
                    self.producers[pi]
                        .last_error
                        .map_or("fenced", |e| e.name())
                ),
            ));
        }
        match op {
            TxnOp::Begin => {
                if state == Initializing && !t.begin_queued {
                    self.producers[pi]
                        .txn
                        .as_mut()
                        .expect("checked")
                        .begin_queued = true;
                    return Ok(Outcome::none());
                }
                if matches!(state, CommittingTransaction | AbortingTransaction) {
                    // In Kafka commitTransaction/abortTransaction block until done; here the
                    // command returns at once, so the next begin must wait for it.
                    return Err(CommandError::arg(
                        "txn",
                        format!(
                            "the producer is still in {} (commitTransaction/abortTransaction blocks in Kafka): run or settle first",
                            state.name()
                        ),
                    ));
                }
                if state != Ready {
                    return Err(t.illegal(
                        if t.begin_queued { InTransaction } else { state },
                        InTransaction,
                    ));
                }
                let t = self.producers[pi].txn.as_mut().expect("checked");
                t.state = InTransaction;
                t.started = false;
                t.added.clear();
            }
            TxnOp::Commit => {
                if self.txn_effective_state(pi) != InTransaction {
                    let t = self.producers[pi].txn.as_ref().expect("checked");
                    if state == AbortableError {
                        return Err(CommandError::arg(
                            "txn",
                            format!(
                                "KafkaException: Cannot execute transactional method because we are in an error state ({}); abort the transaction",
                                self.producers[pi].last_error.map_or("an abortable error", |e| e.name())
                            ),
                        ));
                    }
                    return Err(t.illegal(state, CommittingTransaction));
                }
                self.producers[pi].txn.as_mut().expect("checked").state = CommittingTransaction;
            }
            TxnOp::Abort => {
                let eff = self.txn_effective_state(pi);
                if !matches!(eff, InTransaction | AbortableError) {
                    let t = self.producers[pi].txn.as_ref().expect("checked");
                    return Err(t.illegal(state, AbortingTransaction));
                }
                // `abortUndrainedBatches`: records not yet sent fail with
                // TransactionAbortedException.
                let pr = &mut self.producers[pi];
                let mut dropped = 0;
                for q in pr.queues.values_mut() {
                    dropped += q.iter().map(|b| b.records.len() as u64).sum::<u64>();
                    q.clear();
                }
                pr.queues.clear();
                pr.failed += dropped;
                let t = pr.txn.as_mut().expect("checked");
                t.state = AbortingTransaction;
                t.offsets = None;
            }
            TxnOp::SendOffsets { group } => {
                if self.txn_effective_state(pi) != InTransaction {
                    return Err(CommandError::arg(
                        "txn",
                        "KafkaException: Cannot send offsets if a transaction is not in progress (call txn begin first)",
                    ));
                }
                if self.producers[pi]
                    .txn
                    .as_ref()
                    .is_some_and(|t| t.offsets.is_some())
                {
                    return Err(CommandError::arg(
                        "txn",
                        "sendOffsetsToTransaction is still running for this producer (run or settle first)",
                    ));
                }
                // The group's current positions: what its consumers will read next.
                let mut offsets: VecMap<TopicPartition, Offset> = VecMap::new();
                for c in &self.consumers {
                    if c.group == group && c.is_alive() {
                        for (tp, o) in &c.positions {
                            if c.owned.contains(tp) {
                                offsets.insert(tp.clone(), *o);
                            }
                        }
                    }
                }
                if offsets.is_empty() {
                    return Err(CommandError::arg(
                        "group",
                        format!("group '{group}' has no consumer with a position to send (add a consumer of the group and let it read first)"),
                    ));
                }
                let t = self.producers[pi].txn.as_mut().expect("checked");
                t.offsets = Some((
                    group.clone(),
                    offsets.into_iter().collect(),
                    OffsetsStage::AddOffsets,
                ));
            }
        }
        self.producer_poll(pi);
        Ok(Outcome::none())
    }

    /// The state as the application sees it: a queued begin counts as in a transaction.
    fn txn_effective_state(&self, pi: usize) -> ClientState {
        match self.producers[pi].txn.as_ref() {
            Some(t) if t.state == ClientState::Initializing && t.begin_queued => {
                ClientState::InTransaction
            }
            Some(t) => t.state,
            None => ClientState::Ready,
        }
    }

    /// `failIfNotReadyForSend`, for `produce` on a transactional producer.
    pub(crate) fn txn_check_send(&self, pi: usize) -> Result<(), CommandError> {
        let Some(t) = self.producers[pi].txn.as_ref() else {
            return Ok(());
        };
        let state = self.txn_effective_state(pi);
        if state == ClientState::FatalError || state == ClientState::AbortableError {
            return Err(CommandError::arg(
                "produce",
                format!("KafkaException: Cannot perform send because at least one previous transactional or idempotent request has failed with errors ({})",
                    self.producers[pi].last_error.map_or("an error", |e| e.name())),
            ));
        }
        if state != ClientState::InTransaction {
            return Err(CommandError::arg(
                "produce",
                format!(
                    "IllegalStateException: Cannot call send in state {} (producer '{}' has transactional.id={}: call txn begin first)",
                    state.name(),
                    self.producers[pi].client_id,
                    t.transactional_id
                ),
            ));
        }
        Ok(())
    }

    /// `isSendToPartitionAllowed`: a transactional producer sends to a partition only once
    /// `AddPartitionsToTxn` added it.
    pub(crate) fn txn_send_allowed(&self, pi: usize, tp: &TopicPartition) -> bool {
        self.producers[pi]
            .txn
            .as_ref()
            .is_none_or(|t| t.added.contains(tp) && t.state != ClientState::FatalError)
    }

    fn txn_request(&mut self, pi: usize, to: BrokerId, msg: Message, kind: TxnReq) {
        let me = NodeId::Client(crate::ids::ClientId(pi as u32));
        let req = msg.req();
        self.send(me, NodeId::Broker(to), msg);
        let to_ms = self.producers[pi].request_timeout_ms;
        if let Some(t) = self.producers[pi].txn.as_mut() {
            t.inflight = Some((req, kind));
        }
        self.schedule_timer(me, to_ms, Timer::RequestTimeout { req });
    }

    /// The transactional part of the sender loop: at most one request to the coordinators
    /// at a time, in Kafka's priority order (find coordinator, producer id, add partitions or
    /// offsets, end the transaction).
    pub(crate) fn txn_poll(&mut self, pi: usize) {
        let now = self.now;
        let Some(t) = self.producers[pi].txn.as_ref() else {
            return;
        };
        if t.state == ClientState::FatalError {
            // A fenced producer sends nothing more: what is queued fails.
            let pr = &mut self.producers[pi];
            let n: u64 = pr
                .queues
                .values()
                .flat_map(|q| q.iter())
                .map(|b| b.records.len() as u64)
                .sum();
            pr.failed += n;
            pr.queues.clear();
            return;
        }
        if t.inflight.is_some() {
            return;
        }
        if t.not_before > now {
            let at = t.not_before;
            self.producer_wake_at(pi, at);
            return;
        }
        let tid = t.transactional_id.clone();
        let Some(coord) = t.coordinator else {
            let req = self.next_req();
            let to = self.pick_broker(pi);
            self.txn_request(
                pi,
                to,
                Message::FindTxnCoordinatorRequest {
                    req,
                    transactional_id: tid,
                },
                TxnReq::FindCoordinator,
            );
            return;
        };
        let (pid, epoch) = self.producers[pi].producer_id.unwrap_or((-1, -1));
        let t = self.producers[pi].txn.clone().expect("checked");
        match t.state {
            ClientState::Initializing => {
                let req = self.next_req();
                let timeout = t.timeout_ms;
                self.txn_request(
                    pi,
                    coord,
                    Message::InitProducerIdRequest {
                        req,
                        transactional_id: Some(tid),
                        transaction_timeout_ms: timeout,
                    },
                    TxnReq::InitProducerId,
                );
            }
            ClientState::InTransaction
            | ClientState::CommittingTransaction
            | ClientState::AbortingTransaction => {
                let aborting = t.state == ClientState::AbortingTransaction;
                if let Some((group, offsets, stage)) = t.offsets.clone() {
                    let req = self.next_req();
                    match stage {
                        OffsetsStage::AddOffsets => self.txn_request(
                            pi,
                            coord,
                            Message::AddOffsetsToTxnRequest {
                                req,
                                transactional_id: tid,
                                producer_id: pid,
                                producer_epoch: epoch,
                                group,
                            },
                            TxnReq::AddOffsets,
                        ),
                        OffsetsStage::FindGroupCoordinator => {
                            let to = self.pick_broker(pi);
                            self.txn_request(
                                pi,
                                to,
                                Message::FindCoordinatorRequest { req, group },
                                TxnReq::FindGroupCoordinator,
                            )
                        }
                        OffsetsStage::Commit => {
                            let Some(gc) = t.group_coordinator else {
                                return;
                            };
                            self.txn_request(
                                pi,
                                gc,
                                Message::TxnOffsetCommitRequest {
                                    req,
                                    transactional_id: tid,
                                    group,
                                    producer_id: pid,
                                    producer_epoch: epoch,
                                    offsets,
                                },
                                TxnReq::TxnOffsetCommit,
                            )
                        }
                    }
                    return;
                }
                let pr = &self.producers[pi];
                let t = &t;
                let new: Vec<TopicPartition> = if aborting {
                    Vec::new()
                } else {
                    pr.queues
                        .keys()
                        .filter(|tp| !t.added.contains(*tp))
                        .cloned()
                        .collect()
                };
                if !new.is_empty() {
                    let req = self.next_req();
                    self.txn_request(
                        pi,
                        coord,
                        Message::AddPartitionsToTxnRequest {
                            req,
                            transactional_id: tid,
                            producer_id: pid,
                            producer_epoch: epoch,
                            partitions: new.clone(),
                        },
                        TxnReq::AddPartitions(new),
                    );
                    return;
                }
                let ending = matches!(
                    t.state,
                    ClientState::CommittingTransaction | ClientState::AbortingTransaction
                );
                // EndTxn goes once every batch of the transaction has its answer.
                if ending && pr.pending() == 0 {
                    let commit = t.state == ClientState::CommittingTransaction;
                    if !t.started {
                        // Nothing was added: the client completes locally, as Kafka's does.
                        self.txn_completed(pi, commit);
                        return;
                    }
                    let req = self.next_req();
                    self.txn_request(
                        pi,
                        coord,
                        Message::EndTxnRequest {
                            req,
                            transactional_id: tid,
                            producer_id: pid,
                            producer_epoch: epoch,
                            commit,
                        },
                        TxnReq::EndTxn,
                    );
                }
            }
            _ => {}
        }
    }

    fn txn_completed(&mut self, pi: usize, commit: bool) {
        let Some(t) = self.producers[pi].txn.as_mut() else {
            return;
        };
        t.state = ClientState::Ready;
        t.added.clear();
        t.started = false;
        t.offsets = None;
        if commit {
            t.committed += 1;
        } else {
            t.aborted += 1;
        }
    }

    fn txn_backoff(&mut self, pi: usize) {
        let at = self.now + self.producers[pi].retry_backoff_ms;
        if let Some(t) = self.producers[pi].txn.as_mut() {
            t.not_before = at;
        }
    }

    fn txn_fatal(&mut self, pi: usize, e: KafkaError) {
        let pr = &mut self.producers[pi];
        pr.last_error = Some(e);
        if let Some(t) = pr.txn.as_mut() {
            t.state = ClientState::FatalError;
            t.offsets = None;
        }
    }

    /// A transactional request of producer `pi` failed without an answer (timeout, refused
    /// connection): find the coordinator again. Returns false if `req` was not one.
    pub(crate) fn txn_request_failed(&mut self, pi: usize, req: u64) -> bool {
        let Some(t) = self.producers[pi].txn.as_mut() else {
            return false;
        };
        if !t.waits_for(req) {
            return false;
        }
        t.inflight = None;
        t.coordinator = None;
        t.group_coordinator = None;
        if let Some(o) = t.offsets.as_mut() {
            if o.2 == OffsetsStage::Commit {
                o.2 = OffsetsStage::FindGroupCoordinator;
            }
        }
        self.producers[pi].bootstrap += 1;
        self.txn_backoff(pi);
        true
    }

    /// A send of a transactional producer failed for good: a fenced epoch is fatal, anything
    /// else makes the transaction abortable (`Sender.failBatch`).
    pub(crate) fn txn_on_send_failed(&mut self, pi: usize, e: KafkaError) {
        let Some(t) = self.producers[pi].txn.as_mut() else {
            return;
        };
        match e {
            KafkaError::InvalidProducerEpoch | KafkaError::ProducerFenced => self.txn_fatal(pi, e),
            _ => {
                if matches!(
                    t.state,
                    ClientState::InTransaction | ClientState::CommittingTransaction
                ) {
                    t.state = ClientState::AbortableError;
                }
            }
        }
    }

    /// Answers to the transactional requests; returns the message if it was not one.
    pub(crate) fn txn_client_receive(&mut self, pi: usize, msg: Message) -> Option<Message> {
        let req = msg.req();
        let Some(t) = self.producers[pi].txn.as_ref() else {
            return Some(msg);
        };
        if !t.waits_for(req) {
            return match msg {
                Message::FindCoordinatorResponse { .. }
                | Message::InitProducerIdResponse { .. }
                | Message::AddPartitionsToTxnResponse { .. }
                | Message::AddOffsetsToTxnResponse { .. }
                | Message::TxnOffsetCommitResponse { .. }
                | Message::EndTxnResponse { .. } => None,
                m => Some(m),
            };
        }
        let (_, kind) = self.producers[pi]
            .txn
            .as_mut()
            .and_then(|t| t.inflight.take())
            .expect("checked");
        let error = match &msg {
            Message::FindCoordinatorResponse {
                error, coordinator, ..
            } => {
                let t = self.producers[pi].txn.as_mut().expect("checked");
                match (kind.clone(), error, coordinator) {
                    (TxnReq::FindCoordinator, None, Some(c)) => t.coordinator = Some(*c),
                    (TxnReq::FindGroupCoordinator, None, Some(c)) => {
                        t.group_coordinator = Some(*c);
                        if let Some(o) = t.offsets.as_mut() {
                            o.2 = OffsetsStage::Commit;
                        }
                    }
                    _ => {}
                }
                error.or(coordinator
                    .is_none()
                    .then_some(KafkaError::CoordinatorNotAvailable))
            }
            Message::InitProducerIdResponse {
                producer_id,
                producer_epoch,
                error,
                ..
            } => {
                if error.is_none() {
                    let pr = &mut self.producers[pi];
                    pr.producer_id = Some((*producer_id, *producer_epoch));
                    let t = pr.txn.as_mut().expect("checked");
                    if t.begin_queued {
                        t.begin_queued = false;
                        t.state = ClientState::InTransaction;
                    } else {
                        t.state = ClientState::Ready;
                    }
                }
                *error
            }
            Message::AddPartitionsToTxnResponse { error, .. } => {
                if error.is_none() {
                    if let TxnReq::AddPartitions(tps) = &kind {
                        let t = self.producers[pi].txn.as_mut().expect("checked");
                        t.added.extend(tps.iter().cloned());
                        t.started = true;
                    }
                }
                *error
            }
            Message::AddOffsetsToTxnResponse { error, .. } => {
                if error.is_none() {
                    let t = self.producers[pi].txn.as_mut().expect("checked");
                    t.started = true;
                    if let Some(o) = t.offsets.as_mut() {
                        o.2 = OffsetsStage::FindGroupCoordinator;
                    }
                }
                *error
            }
            Message::TxnOffsetCommitResponse { error, .. } => {
                if error.is_none() {
                    self.producers[pi].txn.as_mut().expect("checked").offsets = None;
                }
                *error
            }
            Message::EndTxnResponse { error, .. } => {
                if error.is_none() {
                    let commit = self.producers[pi]
                        .txn
                        .as_ref()
                        .is_some_and(|t| t.state == ClientState::CommittingTransaction);
                    self.txn_completed(pi, commit);
                }
                *error
            }
            _ => return Some(msg),
        };
        if let Some(e) = error {
            match e {
                KafkaError::ProducerFenced
                | KafkaError::InvalidProducerEpoch
                | KafkaError::InvalidProducerIdMapping
                | KafkaError::InvalidTxnState => self.txn_fatal(pi, e),
                KafkaError::NotCoordinator | KafkaError::CoordinatorNotAvailable => {
                    let t = self.producers[pi].txn.as_mut().expect("checked");
                    if kind == TxnReq::TxnOffsetCommit || kind == TxnReq::FindGroupCoordinator {
                        t.group_coordinator = None;
                        if let Some(o) = t.offsets.as_mut() {
                            o.2 = OffsetsStage::FindGroupCoordinator;
                        }
                    } else {
                        t.coordinator = None;
                    }
                    self.producers[pi].bootstrap += 1;
                    self.txn_backoff(pi);
                }
                _ => self.txn_backoff(pi),
            }
        }
        None
    }

    /// Crashes a producer process (no close, no abort): its open transaction stays open
    /// until a new instance with the same `transactional.id` initializes, or it times out.
    pub(crate) fn kill_producer(&mut self, name: &str) -> Result<Outcome, CommandError> {
        let pi = self
            .producer_index(name)
            .ok_or_else(|| CommandError::arg("producer", format!("no producer named '{name}'")))?;
        if self.producers[pi].dead {
            return Err(CommandError::arg(
                "producer",
                format!("producer '{name}' has already crashed"),
            ));
        }
        // Requests it already sent still arrive; answers to it are lost.
        self.producers[pi].dead = true;
        Ok(Outcome::none())
    }
}

/// The `txn` operations.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TxnOp {
    Begin,
    Commit,
    Abort,
    SendOffsets { group: String },
}
