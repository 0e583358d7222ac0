//! A broker: its replicas' logs, the produce path, the fetch path (as leader and as
//! follower), the ISR and the high watermark.
//!
//! Facts: R1 (acks must be -1, 0 or 1), R2–R3 (`NOT_ENOUGH_REPLICAS` before the append, only
//! for acks=-1, against `min(min.insync.replicas, RF)`), R4–R5 (acks=-1 waits in purgatory until
//! the HW passes the batch; then `NOT_ENOUGH_REPLICAS_AFTER_APPEND` if the maximal ISR shrank
//! under the minimum; `REQUEST_TIMED_OUT` if it never gets there), R6–R7 (HW = the smallest LEO
//! over the leader and the maximal ISR; frozen while the ISR is under the minimum), R8, R9
//! (caught-up rule with `lastCaughtUpTimeMs`), R10–R11 (ISR changes through `AlterPartition`;
//! the maximal ISR is used until the controller commits), R14–R15 (followers fetch with their
//! last fetched epoch; a diverging follower truncates), I1–I3 (idempotent producers), C6
//! (compacted topics reject null keys).
//!
//! Followers fetch as Kafka's replica fetcher threads do: one `Fetch` per leader broker
//! covering every partition they follow there, parked at the leader for up to
//! `replica.fetch.wait.max.ms` when there is nothing new.

use crate::collections::{VecMap, VecSet};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::KafkaError;
use crate::ids::{BrokerId, LeaderEpoch, NodeId, Offset, TopicPartition};

use super::log::{Log, SeqCheck};
use super::msg::{
    Batch, FetchPartition, FetchPartitionData, Message, MetaRecord, PartitionState, ProduceResult,
};
use super::{Outcome, Sim, Timer};
use crate::error::CommandError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Process {
    Running,
    Stopped,
    Killed,
    PoweredOff,
}

/// What the leader knows of one follower (`Replica.scala`'s state).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowerState {
    /// -1 until the follower's first fetch to this leader.
    pub leo: Offset,
    pub last_fetch_ms: u64,
    pub last_fetch_leader_leo: Offset,
    pub last_caught_up_ms: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaderState {
    pub epoch: LeaderEpoch,
    pub epoch_start_offset: Offset,
    pub followers: VecMap<BrokerId, FollowerState>,
    /// While an `AlterPartition` is in flight: the maximal ISR (R10, R11).
    pub pending_isr: Option<Vec<BrokerId>>,
}

/// A partition as this broker's metadata cache knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartMeta {
    pub state: PartitionState,
    pub min_isr: i64,
    pub compacted: bool,
    pub leader: Option<LeaderState>,
}

impl PartMeta {
    pub fn maximal_isr(&self) -> &[BrokerId] {
        self.leader
            .as_ref()
            .and_then(|l| l.pending_isr.as_deref())
            .unwrap_or(&self.state.isr)
    }
    /// R3: `min(min.insync.replicas, replication factor)`.
    pub fn effective_min_isr(&self) -> usize {
        (self.min_isr.max(1) as usize).min(self.state.replicas.len())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParkedFetch {
    pub req: u64,
    pub from: BrokerId,
    pub partitions: Vec<FetchPartition>,
}

/// One partition of a produce request: its topic-partition, `Ok((base offset, required
/// HW))` or the error, and whether it is complete.
pub type ProduceEntry = (TopicPartition, Result<(Offset, Offset), KafkaError>, bool);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DelayedProduce {
    pub req: u64,
    pub client: NodeId,
    /// Per partition: `Ok((base offset, required HW))` while waiting, or the final result.
    pub entries: Vec<ProduceEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broker {
    pub id: BrokerId,
    pub rack: Option<String>,
    pub process: Process,
    /// Bumps at every start, so timers of a previous life are ignored.
    pub incarnation: u32,
    pub registered: bool,
    pub broker_epoch: i64,
    pub shutting_down: bool,
    /// In controlled shutdown, the controller has answered "not yet" at least once (Kafka's
    /// `gotControlledShutdownResponse`).
    pub shutdown_pending: bool,
    pub metadata_version: u64,
    /// The logs on this broker's disk: they outlive the process.
    ///
    /// This map, `parts` and `cluster_meta` have an entry per partition (up to ten thousand in
    /// the growth bench) and take them in the order the metadata arrives, so an insert shifts
    /// the entries after it. With the logs unboxed (536 bytes each) that made creating 10,000
    /// partitions 8x slower than with `BTreeMap`s; boxed, it costs 0.18 -> 0.42 s at 10,000
    /// partitions and saves time below that (1,000: 14.7 -> 7.8 ms), and the three B-trees'
    /// code was 9.3 KB of the gzipped wasm (ARCHITECTURE.md, the bundle).
    pub logs: VecMap<TopicPartition, Box<Log>>,
    /// The metadata cache and leader state: lost when the process stops. Boxed like the logs,
    /// for the same reason: an entry that moves on each insert in front of it is 8 bytes, not
    /// a whole `PartMeta`; creating 10,000 partitions took 0.41 s unboxed and 0.26 s boxed
    /// (1,000: about 8.5 ms either way), for 165 bytes more gzipped wasm. Merging a metadata
    /// batch's new keys in one pass (slots that read as absent) took it to 0.09 s, but its code
    /// was 2.2 KB gzipped: the bundle's budget is tighter than this rare size's.
    pub parts: VecMap<TopicPartition, Box<PartMeta>>,
    /// Per leader broker: the fetch request in flight, if any.
    pub fetch_inflight: VecMap<BrokerId, Option<u64>>,
    pub parked: Vec<ParkedFetch>,
    pub delayed: Vec<DelayedProduce>,
    pub isr_check_armed: bool,
    /// The leader of every partition in the cluster, hosted here or not: a KRaft broker holds
    /// the whole metadata image, so any broker answers a client's `Metadata` request.
    pub cluster_meta: VecMap<TopicPartition, Option<(BrokerId, LeaderEpoch)>>,
    /// Consumer fetches waiting for `fetch.min.bytes` (the fetch purgatory, consumer side).
    pub consumer_parked: Vec<super::coordinator::ParkedConsumerFetch>,
}

impl Broker {
    pub fn new(id: BrokerId, rack: Option<String>) -> Self {
        Broker {
            id,
            rack,
            process: Process::Running,
            incarnation: 0,
            registered: false,
            broker_epoch: -1,
            shutting_down: false,
            shutdown_pending: false,
            metadata_version: 0,
            logs: VecMap::new(),
            parts: VecMap::new(),
            fetch_inflight: VecMap::new(),
            parked: Vec::new(),
            delayed: Vec::new(),
            isr_check_armed: false,
            cluster_meta: VecMap::new(),
            consumer_parked: Vec::new(),
        }
    }

    pub fn is_running(&self) -> bool {
        self.process == Process::Running
    }

    pub fn is_leader_of(&self, tp: &TopicPartition) -> bool {
        self.parts.get(tp).is_some_and(|p| p.leader.is_some())
    }

    /// Forgets everything held in memory (a process that stops).
    fn forget_memory(&mut self) {
        self.parts.clear();
        self.fetch_inflight.clear();
        self.parked.clear();
        self.delayed.clear();
        self.consumer_parked.clear();
        self.isr_check_armed = false;
        self.cluster_meta.clear();
        self.registered = false;
        self.shutting_down = false;
        self.shutdown_pending = false;
        self.metadata_version = 0;
    }
}

/// Replica fetch size per partition (`replica.fetch.max.bytes`, 1 MiB).
const REPLICA_FETCH_MAX_BYTES: u64 = 1_048_576;
/// `replica.socket.timeout.ms`: how long a follower waits for a fetch answer.
const REPLICA_SOCKET_TIMEOUT_MS: u64 = 30_000;

impl Sim {
    fn bi(&self, b: BrokerId) -> usize {
        self.broker_index(b)
            .expect("broker ids are validated before use")
    }

    // ---------------------------------------------------------------- lifecycle commands

    pub(crate) fn broker_stop(&mut self, b: BrokerId) -> Result<Outcome, CommandError> {
        let i = self
            .broker_index(b)
            .ok_or_else(|| CommandError::arg("broker", alloc::format!("no broker {b}")))?;
        if !self.brokers[i].is_running() {
            return Err(CommandError::arg(
                "broker",
                alloc::format!("broker {b} is not running"),
            ));
        }
        if self.brokers[i].shutting_down {
            return Err(CommandError::arg(
                "broker",
                alloc::format!("broker {b} is already shutting down"),
            ));
        }
        self.brokers[i].shutting_down = true;
        // Controlled shutdown starts with a heartbeat asking to shut down (KIP-631).
        self.send_broker_heartbeat(b);
        Ok(Outcome::line(alloc::format!(
            "broker {b}: controlled shutdown started"
        )))
    }

    pub(crate) fn broker_crash(
        &mut self,
        b: BrokerId,
        power_off: bool,
    ) -> Result<Outcome, CommandError> {
        let i = self
            .broker_index(b)
            .ok_or_else(|| CommandError::arg("broker", alloc::format!("no broker {b}")))?;
        if !self.brokers[i].is_running() {
            return Err(CommandError::arg(
                "broker",
                alloc::format!("broker {b} is not running"),
            ));
        }
        let br = &mut self.brokers[i];
        br.process = if power_off {
            Process::PoweredOff
        } else {
            Process::Killed
        };
        br.forget_memory();
        let mut lost = 0;
        if power_off {
            for log in br.logs.values_mut() {
                lost += log.lose_unflushed();
            }
        }
        self.net.forget_node(NodeId::Broker(b));
        self.checker.dirty = true;
        Ok(Outcome::line(if power_off {
            alloc::format!("broker {b} powered off; {lost} unflushed record(s) lost from its disk")
        } else {
            alloc::format!("broker {b} killed")
        }))
    }

    pub(crate) fn broker_start(&mut self, b: BrokerId) -> Result<Outcome, CommandError> {
        let i = self
            .broker_index(b)
            .ok_or_else(|| CommandError::arg("broker", alloc::format!("no broker {b}")))?;
        if self.brokers[i].is_running() {
            return Err(CommandError::arg(
                "broker",
                alloc::format!("broker {b} is already running"),
            ));
        }
        let br = &mut self.brokers[i];
        br.process = Process::Running;
        br.incarnation += 1;
        br.forget_memory();
        // Log recovery: the HW checkpoint is never above what survived on disk.
        for log in br.logs.values_mut() {
            log.hw = log.hw.min(log.leo());
        }
        let inc = br.incarnation;
        // It registers with the controller on its first heartbeat tick.
        self.schedule_timer(
            NodeId::Broker(b),
            1,
            Timer::BrokerHeartbeat { incarnation: inc },
        );
        self.arm_storage_timers(b);
        // The checker counts a partition whose leader is down by all its replicas, and one
        // whose leader leads by the leader's log: a restart changes which applies.
        self.checker.dirty = true;
        Ok(Outcome::line(alloc::format!("broker {b} started")))
    }

    // ---------------------------------------------------------------- controller link

    fn send_broker_heartbeat(&mut self, b: BrokerId) {
        let Some(active) = self.controller.active else {
            return;
        };
        let i = self.bi(b);
        let req = self.next_req();
        let br = &self.brokers[i];
        let msg = if br.registered {
            Message::BrokerHeartbeatRequest {
                req,
                broker: b,
                broker_epoch: br.broker_epoch,
                want_shutdown: br.shutting_down,
                metadata_version: br.metadata_version,
            }
        } else {
            Message::BrokerRegistrationRequest {
                req,
                broker: b,
                incarnation: br.incarnation,
            }
        };
        self.send(NodeId::Broker(b), NodeId::Controller(active), msg);
    }

    pub(crate) fn broker_timer(&mut self, b: BrokerId, t: Timer) {
        if matches!(t, Timer::TxnTimeout { .. } | Timer::TxnMarkerRetry { .. }) {
            self.txn_timer(b, t);
            return;
        }
        let i = self.bi(b);
        let inc = self.brokers[i].incarnation;
        match t {
            Timer::BrokerHeartbeat { incarnation } if incarnation == inc => {
                self.send_broker_heartbeat(b);
                let every = self.broker_config.get_i64("broker.heartbeat.interval.ms") as u64;
                self.schedule_timer(
                    NodeId::Broker(b),
                    every,
                    Timer::BrokerHeartbeat { incarnation: inc },
                );
            }
            Timer::ShutdownHeartbeat { incarnation } if incarnation == inc => {
                self.send_broker_heartbeat(b);
            }
            Timer::IsrCheck { incarnation } if incarnation == inc => {
                self.brokers[i].isr_check_armed = false;
                self.isr_expiration(b);
            }
            Timer::FetchWait { req } => {
                if let Some(pos) = self.brokers[i].parked.iter().position(|p| p.req == req) {
                    let p = self.brokers[i].parked.remove(pos);
                    self.answer_fetch(b, p, false);
                }
            }
            Timer::FetchBackoff {
                leader,
                incarnation,
                req,
            } if incarnation == inc
                && self.brokers[i].fetch_inflight.get(&leader) == Some(&Some(req)) =>
            {
                // A fetch got no answer in time (or failed): forget it and fetch again.
                self.brokers[i].fetch_inflight.insert(leader, None);
                self.send_fetch(b, leader);
            }
            Timer::DelayedProduce { req } => {
                if let Some(pos) = self.brokers[i].delayed.iter().position(|d| d.req == req) {
                    let mut d = self.brokers[i].delayed.remove(pos);
                    for e in &mut d.entries {
                        if !e.2 {
                            e.1 = Err(KafkaError::RequestTimedOut);
                            e.2 = true;
                        }
                    }
                    self.respond_produce(b, d);
                }
            }
            Timer::ConsumerFetchWait { req } => self.consumer_fetch_expired(b, req),
            t @ (Timer::GroupDeadline { .. }
            | Timer::MemberExpiry { .. }
            | Timer::OffsetsWriteTimeout { .. }) => self.group_timer(b, t),
            t @ (Timer::LogRetentionCheck { incarnation } | Timer::LogCleaner { incarnation })
                if incarnation == inc =>
            {
                self.storage_timer(b, &t)
            }
            _ => {}
        }
    }

    pub(crate) fn broker_receive(&mut self, b: BrokerId, from: NodeId, msg: Message) {
        let i = self.bi(b);
        match msg {
            Message::MetadataRecords {
                version,
                snapshot,
                records,
            } => {
                if !snapshot && !self.brokers[i].registered {
                    // A restarted broker applies no metadata until the controller has
                    // registered it (and then sends it the whole image): Kafka's broker
                    // publishes the metadata log to its replica manager only after its
                    // registration is accepted and it has caught up (BrokerLifecycleManager's
                    // initial catch-up). Otherwise a broker restarted after a power-off,
                    // whose old session still names it leader, would lead with the log it
                    // cut back to what was flushed, and its followers would truncate to it.
                    return;
                }
                if snapshot {
                    let listed: VecSet<TopicPartition> = records
                        .iter()
                        .filter_map(|r| match r {
                            MetaRecord::Partition { tp, .. } => Some(tp.clone()),
                            MetaRecord::RemoveTopic { .. } => None,
                        })
                        .collect();
                    let gone: Vec<TopicPartition> = self.brokers[i]
                        .parts
                        .keys()
                        .filter(|tp| !listed.contains(*tp))
                        .cloned()
                        .collect();
                    for tp in gone {
                        self.remove_replica(b, &tp);
                    }
                    self.brokers[i]
                        .cluster_meta
                        .retain(|tp, _| listed.contains(tp));
                }
                for r in records {
                    self.apply_meta(b, r);
                }
                let br = &mut self.brokers[i];
                br.metadata_version = br.metadata_version.max(version);
            }
            Message::BrokerRegistrationResponse { broker_epoch, .. } => {
                let br = &mut self.brokers[i];
                br.registered = true;
                br.broker_epoch = broker_epoch;
            }
            Message::BrokerHeartbeatResponse {
                shutdown_ok: true, ..
            } if self.brokers[i].shutting_down => {
                {
                    // Clean shutdown: every log is flushed, then the process exits.
                    let br = &mut self.brokers[i];
                    for log in br.logs.values_mut() {
                        log.flush();
                    }
                    br.process = Process::Stopped;
                    br.forget_memory();
                    self.net.forget_node(NodeId::Broker(b));
                }
            }
            Message::BrokerHeartbeatResponse {
                shutdown_ok: false, ..
            } if self.brokers[i].shutting_down && !self.brokers[i].shutdown_pending => {
                // `BrokerLifecycleManager`: after the first "not yet", the next heartbeat goes
                // out in 50 ms rather than a whole interval, as a controlled shutdown usually
                // completes quickly.
                self.brokers[i].shutdown_pending = true;
                let incarnation = self.brokers[i].incarnation;
                self.schedule_timer(
                    NodeId::Broker(b),
                    50,
                    Timer::ShutdownHeartbeat { incarnation },
                );
            }
            Message::AlterPartitionResponse { tp, result, .. } => {
                if let Some(pm) = self.brokers[i].parts.get_mut(&tp) {
                    if let Some(ls) = pm.leader.as_mut() {
                        ls.pending_isr = None;
                    }
                    if let Ok(st) = result {
                        if st.leader_epoch == pm.state.leader_epoch
                            && st.partition_epoch > pm.state.partition_epoch
                        {
                            pm.state = st;
                        }
                    }
                }
                self.maybe_increment_hw(b, &tp);
            }
            Message::ProduceRequest {
                req,
                acks,
                timeout_ms,
                batches,
            } => self.handle_produce(b, from, req, acks, timeout_ms, batches),
            Message::FetchRequest {
                req,
                replica,
                max_wait_ms,
                partitions,
            } => self.handle_fetch(b, req, replica, max_wait_ms, partitions),
            Message::ConsumerFetchRequest {
                req,
                max_wait_ms,
                min_bytes,
                read_committed,
                partitions,
            } => self.handle_consumer_fetch(
                b,
                from,
                req,
                max_wait_ms,
                min_bytes,
                read_committed,
                partitions,
            ),
            Message::FetchResponse { req, partitions } => {
                if let NodeId::Broker(leader) = from {
                    self.handle_fetch_response(b, leader, req, partitions)
                }
            }
            Message::MetadataRequest { req } => {
                let mut topics: VecMap<String, Vec<Option<(BrokerId, LeaderEpoch)>>> =
                    VecMap::new();
                for (tp, leader) in &self.brokers[i].cluster_meta {
                    let v = topics.entry(String::from(tp.topic())).or_default();
                    let idx = tp.partition as usize;
                    if v.len() <= idx {
                        v.resize(idx + 1, None);
                    }
                    v[idx] = *leader;
                }
                let topics = topics.into_iter().collect();
                self.send(
                    NodeId::Broker(b),
                    from,
                    Message::MetadataResponse { req, topics },
                );
            }
            Message::InitProducerIdRequest { req, .. } => {
                let producer_id = self.allocate_producer_id();
                self.send(
                    NodeId::Broker(b),
                    from,
                    Message::InitProducerIdResponse {
                        req,
                        producer_id,
                        producer_epoch: 0,
                        error: None,
                    },
                );
            }
            _ => {}
        }
    }

    // ---------------------------------------------------------------- metadata

    fn remove_replica(&mut self, b: BrokerId, tp: &TopicPartition) {
        let i = self.bi(b);
        let br = &mut self.brokers[i];
        br.parts.remove(tp);
        br.logs.remove(tp);
        self.fail_delayed_for(b, tp, KafkaError::UnknownTopicOrPartition);
    }

    fn apply_meta(&mut self, b: BrokerId, r: MetaRecord) {
        let i = self.bi(b);
        match r {
            MetaRecord::RemoveTopic { topic } => {
                let tps: Vec<TopicPartition> = self.brokers[i]
                    .parts
                    .keys()
                    .filter(|tp| tp.topic() == topic)
                    .cloned()
                    .collect();
                for tp in tps {
                    self.remove_replica(b, &tp);
                }
                // Logs of a deleted topic are deleted even if the metadata cache had lost them.
                self.brokers[i].logs.retain(|tp, _| tp.topic() != topic);
                self.brokers[i]
                    .cluster_meta
                    .retain(|tp, _| tp.topic() != topic);
            }
            MetaRecord::Partition {
                tp,
                state,
                min_isr,
                compacted,
                log_config,
            } => {
                let leader = state.leader.map(|l| (l, state.leader_epoch));
                self.brokers[i].cluster_meta.insert(tp.clone(), leader);
                if !state.replicas.contains(&b) {
                    if self.brokers[i].parts.contains_key(&tp) {
                        self.remove_replica(b, &tp);
                    }
                    return;
                }
                let now = self.now.0;
                let br = &mut self.brokers[i];
                if let Some(old) = br.parts.get(&tp) {
                    let newer = (state.leader_epoch, state.partition_epoch)
                        >= (old.state.leader_epoch, old.state.partition_epoch);
                    if !newer {
                        return;
                    }
                }
                let log = br.logs.entry(tp.clone()).or_default();
                let was_leader = br.parts.get(&tp).and_then(|p| p.leader.clone());
                let leader = if state.leader == Some(b) {
                    match was_leader {
                        Some(mut ls) if ls.epoch == state.leader_epoch => {
                            // Same leadership; the ISR may have changed. A committed change
                            // ends any pending one.
                            ls.pending_isr = None;
                            for r in &state.replicas {
                                if *r != b && !ls.followers.contains_key(r) {
                                    ls.followers.insert(
                                        *r,
                                        FollowerState {
                                            leo: -1,
                                            last_fetch_ms: 0,
                                            last_fetch_leader_leo: -1,
                                            last_caught_up_ms: 0,
                                        },
                                    );
                                }
                            }
                            Some(ls)
                        }
                        _ => {
                            // Becoming leader: the new epoch starts at our LEO (R14).
                            let start = log.leo();
                            log.assign_epoch(state.leader_epoch, start);
                            let followers = state
                                .replicas
                                .iter()
                                .filter(|r| **r != b)
                                .map(|r| {
                                    let in_sync = state.isr.contains(r);
                                    (
                                        *r,
                                        FollowerState {
                                            leo: -1,
                                            last_fetch_ms: 0,
                                            last_fetch_leader_leo: -1,
                                            last_caught_up_ms: if in_sync { now } else { 0 },
                                        },
                                    )
                                })
                                .collect();
                            Some(LeaderState {
                                epoch: state.leader_epoch,
                                epoch_start_offset: start,
                                followers,
                                pending_isr: None,
                            })
                        }
                    }
                } else {
                    None
                };
                let became_leader = leader.is_some()
                    && br.parts.get(&tp).is_none_or(|p| {
                        p.leader.as_ref().map(|l| l.epoch) != Some(state.leader_epoch)
                    });
                let lost_leadership =
                    leader.is_none() && br.parts.get(&tp).is_some_and(|p| p.leader.is_some());
                let follow = if leader.is_none() { state.leader } else { None };
                br.parts.insert(
                    tp.clone(),
                    Box::new(PartMeta {
                        state,
                        min_isr,
                        compacted,
                        leader,
                    }),
                );
                self.apply_log_config(b, &tp, *log_config);
                if became_leader {
                    self.checker_on_leader(b, &tp);
                    if tp.topic() == super::txn::TXN_TOPIC {
                        self.txn_on_become_leader(b, &tp);
                    }
                }
                if lost_leadership {
                    self.fail_delayed_for(b, &tp, KafkaError::NotLeaderOrFollower);
                    // Fetches parked here for `tp` are answered now, NOT_LEADER_OR_FOLLOWER for
                    // it, not when their wait runs out (`DelayedFetch.tryComplete`, case A).
                    self.complete_parked_fetches(b, &tp);
                    self.complete_parked_consumer_fetches(b, &tp);
                    if tp.topic() == super::coordinator::OFFSETS_TOPIC {
                        self.coordinator_resigned(b, &tp);
                    }
                    self.txn_on_lost_leadership(b, &tp);
                    // What a coordinator here owes for groups or transactions the new
                    // coordinator loaded before this broker heard (`OwedAnswer`).
                    for (to, msg) in self.take_owed(b, &tp) {
                        self.send(NodeId::Broker(b), to, msg);
                    }
                }
                if let Some(l) = follow {
                    if l != b {
                        self.send_fetch_if_idle(b, l);
                    }
                }
                if self.brokers[i].is_leader_of(&tp) {
                    self.arm_isr_check(b);
                    self.maybe_increment_hw(b, &tp);
                }
            }
        }
    }

    fn fail_delayed_for(&mut self, b: BrokerId, tp: &TopicPartition, err: KafkaError) {
        let i = self.bi(b);
        let mut done = Vec::new();
        for d in &mut self.brokers[i].delayed {
            for e in &mut d.entries {
                if &e.0 == tp && !e.2 {
                    e.1 = Err(err);
                    e.2 = true;
                }
            }
            if d.entries.iter().all(|e| e.2) {
                done.push(d.req);
            }
        }
        for req in done {
            if let Some(pos) = self.brokers[i].delayed.iter().position(|d| d.req == req) {
                let d = self.brokers[i].delayed.remove(pos);
                self.respond_produce(b, d);
            }
        }
    }

    fn arm_isr_check(&mut self, b: BrokerId) {
        let i = self.bi(b);
        if self.brokers[i].isr_check_armed {
            return;
        }
        self.brokers[i].isr_check_armed = true;
        let every = (self.broker_config.get_i64("replica.lag.time.max.ms") as u64 / 2).max(1);
        let inc = self.brokers[i].incarnation;
        self.schedule_timer(
            NodeId::Broker(b),
            every,
            Timer::IsrCheck { incarnation: inc },
        );
    }

    // ---------------------------------------------------------------- produce path

    fn handle_produce(
        &mut self,
        b: BrokerId,
        from: NodeId,
        req: u64,
        acks: i16,
        timeout_ms: u64,
        batches: Vec<(TopicPartition, Batch)>,
    ) {
        let i = self.bi(b);
        let now = self.now.0;
        let mut entries = Vec::new();
        let mut appended = Vec::new();
        // R1: only -1, 0 and 1 are valid.
        let acks_ok = matches!(acks, -1..=1);
        // acks=0 gets no answer: the checker is told here where the records went.
        let acks0_records: Vec<alloc::rc::Rc<[super::msg::Rec]>> = if acks == 0 {
            batches.iter().map(|(_, b)| b.records.clone()).collect()
        } else {
            Vec::new()
        };
        for (tp, mut batch) in batches {
            if !acks_ok {
                entries.push((tp, Err(KafkaError::InvalidRequiredAcks), true));
                continue;
            }
            let br = &mut self.brokers[i];
            let Some(pm) = br.parts.get(&tp) else {
                let known = self.controller.topics.contains_key(tp.topic());
                entries.push((
                    tp,
                    Err(if known {
                        KafkaError::NotLeaderOrFollower
                    } else {
                        KafkaError::UnknownTopicOrPartition
                    }),
                    true,
                ));
                continue;
            };
            let Some(ls) = pm.leader.as_ref() else {
                entries.push((tp, Err(KafkaError::NotLeaderOrFollower), true));
                continue;
            };
            // C6: a compacted topic cannot accept a record without a key.
            if pm.compacted && batch.records.iter().any(|r| r.key.is_none()) {
                entries.push((tp, Err(KafkaError::InvalidRecord), true));
                continue;
            }
            // A batch larger than the topic's max.message.bytes is refused whole
            // (UnifiedLog.analyzeAndValidateRecords: RecordTooLargeException, which is
            // MESSAGE_TOO_LARGE on the wire). The size is this simulation's batch size model.
            let topic_cfg = self.controller.topics.get(tp.topic()).map(|t| &t.config);
            let max_bytes = topic_cfg.map_or(i64::MAX, |c| c.max_message_bytes());
            if batch.size_bytes() as i64 > max_bytes {
                entries.push((tp, Err(KafkaError::MessageTooLarge), true));
                continue;
            }
            // message.timestamp.type=LogAppendTime: the broker stamps every record with its
            // own clock at append, replacing the producer's create time.
            if topic_cfg
                .is_some_and(|c| c.overrides.get("message.timestamp.type") == "LogAppendTime")
            {
                let stamped: Vec<super::msg::Rec> = batch
                    .records
                    .iter()
                    .map(|r| super::msg::Rec {
                        timestamp: now,
                        ..r.clone()
                    })
                    .collect();
                batch.records = stamped.into();
                batch.max_timestamp = now;
            }
            // R2/R3: checked before the append, only for acks=-1, against the ISR.
            if acks == -1 && pm.state.isr.len() < pm.effective_min_isr() {
                entries.push((tp, Err(KafkaError::NotEnoughReplicas), true));
                continue;
            }
            let epoch = ls.epoch;
            let log = br.logs.entry(tp.clone()).or_default();
            match log.check_sequence(&batch) {
                Err(e) => {
                    entries.push((tp, Err(e), true));
                    continue;
                }
                Ok(SeqCheck::Duplicate(off)) => {
                    // I3: an exact resend is answered with the original offset; nothing is
                    // appended. For acks=-1 it still waits for the HW to pass it.
                    let required = off + batch.records.len() as Offset;
                    entries.push((tp, Ok((off, required)), false));
                    continue;
                }
                Ok(SeqCheck::Append) => {}
            }
            batch.base_offset = log.leo();
            batch.leader_epoch = epoch;
            let _ = now;
            let required = batch.next_offset();
            let base = batch.base_offset;
            self.checker_on_append(b, &tp, &batch);
            let log = self.brokers[i]
                .logs
                .get_mut(&tp)
                .expect("log exists: created above");
            log.append(batch);
            entries.push((tp.clone(), Ok((base, required)), false));
            appended.push(tp);
        }
        for tp in &appended {
            self.complete_parked_fetches(b, tp);
            self.maybe_increment_hw(b, tp);
        }
        if acks == 0 && acks_ok {
            // acks=0: the broker sends no response at all. Records refused here are lost
            // although the producer reported success.
            for (e, records) in entries.iter().zip(acks0_records) {
                let base = e.1.ok().map(|(base, _)| base);
                self.checker_on_ack(&e.0, base, &records);
            }
            return;
        }
        let mut d = DelayedProduce {
            req,
            client: from,
            entries,
        };
        if acks != -1 || !acks_ok {
            for e in &mut d.entries {
                if let Ok((base, _)) = e.1 {
                    e.1 = Ok((base, base));
                }
                e.2 = true;
            }
            self.respond_produce(b, d);
            return;
        }
        self.check_delayed(b, &mut d);
        if d.entries.iter().all(|e| e.2) {
            self.respond_produce(b, d);
        } else {
            // R5: acks=-1 waits in the produce purgatory.
            self.brokers[i].delayed.push(d);
            self.schedule_timer(NodeId::Broker(b), timeout_ms, Timer::DelayedProduce { req });
        }
    }

    /// R4: an entry completes once the HW reaches its last offset + 1.
    fn check_delayed(&self, b: BrokerId, d: &mut DelayedProduce) {
        let br = &self.brokers[self.bi(b)];
        for e in &mut d.entries {
            if e.2 {
                continue;
            }
            let Ok((base, required)) = e.1 else { continue };
            let Some(pm) = br.parts.get(&e.0) else {
                e.1 = Err(KafkaError::NotLeaderOrFollower);
                e.2 = true;
                continue;
            };
            if pm.leader.is_none() {
                e.1 = Err(KafkaError::NotLeaderOrFollower);
                e.2 = true;
                continue;
            }
            let hw = br.logs.get(&e.0).map_or(0, |l| l.hw);
            if hw >= required {
                e.1 = if pm.effective_min_isr() <= pm.maximal_isr().len() {
                    Ok((base, required))
                } else {
                    Err(KafkaError::NotEnoughReplicasAfterAppend)
                };
                e.2 = true;
            }
        }
    }

    fn try_complete_delayed(&mut self, b: BrokerId, tp: &TopicPartition) {
        let i = self.bi(b);
        if self.brokers[i].delayed.is_empty() {
            return;
        }
        let mut delayed = core::mem::take(&mut self.brokers[i].delayed);
        let mut done = Vec::new();
        for d in &mut delayed {
            if d.entries.iter().any(|e| &e.0 == tp && !e.2) {
                self.check_delayed(b, d);
            }
        }
        delayed.retain(|d| {
            if d.entries.iter().all(|e| e.2) {
                done.push(d.clone());
                false
            } else {
                true
            }
        });
        // Anything added meanwhile (nothing is, but keep it exact) goes after.
        let added = core::mem::take(&mut self.brokers[i].delayed);
        delayed.extend(added);
        self.brokers[i].delayed = delayed;
        for d in done {
            self.respond_produce(b, d);
        }
    }

    fn respond_produce(&mut self, b: BrokerId, d: DelayedProduce) {
        let results = d
            .entries
            .into_iter()
            .map(|(tp, r, _)| ProduceResult {
                tp,
                result: r.map(|(base, _)| base),
            })
            .collect();
        self.send(
            NodeId::Broker(b),
            d.client,
            Message::ProduceResponse {
                req: d.req,
                results,
            },
        );
    }

    /// R6/R7: HW = min LEO over the leader and the maximal ISR, only while the ISR is at or
    /// above the effective minimum. The HW never goes down on the leader.
    pub(crate) fn maybe_increment_hw(&mut self, b: BrokerId, tp: &TopicPartition) {
        let i = self.bi(b);
        let br = &mut self.brokers[i];
        let Some(pm) = br.parts.get(tp) else { return };
        let Some(ls) = pm.leader.as_ref() else { return };
        let Some(log) = br.logs.get(tp) else { return };
        let leo = log.leo();
        let mut new_hw = leo;
        for r in pm.maximal_isr() {
            if *r == b {
                continue;
            }
            let f_leo = ls.followers.get(r).map_or(-1, |f| f.leo);
            new_hw = new_hw.min(f_leo);
        }
        if pm.state.isr.len() < pm.effective_min_isr() {
            return; // R7 (KAFKA-15583, 3.7+): the HW is frozen under min ISR.
        }
        if new_hw > log.hw {
            if let Some(log) = br.logs.get_mut(tp) {
                log.hw = new_hw;
            }
            self.try_complete_delayed(b, tp);
            // Consumers waiting for data, and offset commits waiting for replication.
            self.on_hw_advanced(b, tp);
        }
    }

    // ---------------------------------------------------------------- ISR maintenance

    /// R9: the leader's periodic check; out-of-sync followers leave the ISR (R11).
    fn isr_expiration(&mut self, b: BrokerId) {
        let i = self.bi(b);
        let lag = self.broker_config.get_i64("replica.lag.time.max.ms") as u64;
        let now = self.now.0;
        let mut shrinks = Vec::new();
        let mut leads_any = false;
        for (tp, pm) in &self.brokers[i].parts {
            let Some(ls) = pm.leader.as_ref() else {
                continue;
            };
            leads_any = true;
            if ls.pending_isr.is_some() {
                continue;
            }
            let leo = self.brokers[i].logs.get(tp).map_or(0, |l| l.leo());
            let out: Vec<BrokerId> = pm
                .state
                .isr
                .iter()
                .copied()
                .filter(|r| *r != b)
                .filter(|r| {
                    let f = ls.followers.get(r);
                    let caught_up = f.is_some_and(|f| {
                        f.leo == leo || now.saturating_sub(f.last_caught_up_ms) <= lag
                    });
                    !caught_up
                })
                .collect();
            if !out.is_empty() {
                let new_isr: Vec<BrokerId> = pm
                    .state
                    .isr
                    .iter()
                    .copied()
                    .filter(|r| !out.contains(r))
                    .collect();
                shrinks.push((tp.clone(), new_isr));
            }
        }
        for (tp, new_isr) in shrinks {
            // R11: the maximal ISR stays the old set until the controller commits.
            let old = self.brokers[i].parts[&tp].state.isr.clone();
            self.send_alter_partition(b, &tp, new_isr, old);
        }
        if leads_any {
            self.arm_isr_check(b);
        }
    }

    fn send_alter_partition(
        &mut self,
        b: BrokerId,
        tp: &TopicPartition,
        new_isr: Vec<BrokerId>,
        maximal: Vec<BrokerId>,
    ) {
        let Some(active) = self.controller.active else {
            return;
        };
        let i = self.bi(b);
        let req = self.next_req();
        let br = &mut self.brokers[i];
        let Some(pm) = br.parts.get_mut(tp) else {
            return;
        };
        let Some(ls) = pm.leader.as_mut() else { return };
        ls.pending_isr = Some(maximal);
        let msg = Message::AlterPartitionRequest {
            req,
            broker: b,
            broker_epoch: br.broker_epoch,
            tp: tp.clone(),
            leader_epoch: pm.state.leader_epoch,
            partition_epoch: pm.state.partition_epoch,
            new_isr,
        };
        self.send(NodeId::Broker(b), NodeId::Controller(active), msg);
    }

    // ---------------------------------------------------------------- fetch path (leader)

    fn handle_fetch(
        &mut self,
        b: BrokerId,
        req: u64,
        replica: BrokerId,
        max_wait_ms: u64,
        partitions: Vec<FetchPartition>,
    ) {
        let now = self.now.0;
        let i = self.bi(b);
        let mut expand = Vec::new();
        // Update what the leader knows of the follower first (R9), then answer.
        for fp in &partitions {
            let br = &mut self.brokers[i];
            let Some(pm) = br.parts.get_mut(&fp.tp) else {
                continue;
            };
            let Some(ls) = pm.leader.as_mut() else {
                continue;
            };
            if fp.current_leader_epoch != ls.epoch {
                continue;
            }
            let Some(log) = br.logs.get(&fp.tp) else {
                continue;
            };
            if let Some(e) = fp.last_fetched_epoch {
                let (ee, eo) = log.end_offset_for(e);
                if ee == -1 || ee < e || eo < fp.fetch_offset {
                    continue; // diverging: no state update
                }
            }
            let leader_leo = log.leo();
            if fp.fetch_offset > leader_leo || fp.fetch_offset < log.log_start {
                continue;
            }
            let f = ls.followers.entry(replica).or_insert(FollowerState {
                leo: -1,
                last_fetch_ms: 0,
                last_fetch_leader_leo: -1,
                last_caught_up_ms: 0,
            });
            f.last_caught_up_ms = if fp.fetch_offset >= leader_leo {
                now
            } else if fp.fetch_offset >= f.last_fetch_leader_leo {
                f.last_fetch_ms
            } else {
                f.last_caught_up_ms
            };
            f.leo = fp.fetch_offset;
            f.last_fetch_leader_leo = leader_leo;
            f.last_fetch_ms = now;
            // R10: join the ISR once caught up to the HW and to this epoch's start.
            let f_leo = f.leo;
            if !pm.state.isr.contains(&replica)
                && ls.pending_isr.is_none()
                && f_leo >= log.hw
                && f_leo >= ls.epoch_start_offset
                && pm.state.replicas.contains(&replica)
            {
                let mut maximal = pm.state.isr.clone();
                maximal.push(replica);
                expand.push((fp.tp.clone(), maximal));
            }
        }
        for (tp, maximal) in expand {
            let ordered: Vec<BrokerId> = self.brokers[i].parts[&tp]
                .state
                .replicas
                .iter()
                .copied()
                .filter(|r| maximal.contains(r))
                .collect();
            self.send_alter_partition(b, &tp, ordered.clone(), ordered);
        }
        for fp in &partitions {
            self.maybe_increment_hw(b, &fp.tp);
        }
        let parked = ParkedFetch {
            req,
            from: replica,
            partitions,
        };
        let (resp, has_news) = self.build_fetch_response(b, &parked);
        if has_news || max_wait_ms == 0 {
            self.send(
                NodeId::Broker(b),
                NodeId::Broker(replica),
                Message::FetchResponse {
                    req,
                    partitions: resp,
                },
            );
        } else {
            let i = self.bi(b);
            self.brokers[i].parked.push(parked);
            self.schedule_timer(NodeId::Broker(b), max_wait_ms, Timer::FetchWait { req });
        }
    }

    /// The answer to a fetch, and whether it carries anything (data, an error, a divergence).
    fn build_fetch_response(
        &self,
        b: BrokerId,
        p: &ParkedFetch,
    ) -> (Vec<FetchPartitionData>, bool) {
        let br = &self.brokers[self.bi(b)];
        let mut news = false;
        let mut out = Vec::new();
        for fp in &p.partitions {
            let mut d = FetchPartitionData {
                tp: fp.tp.clone(),
                error: None,
                high_watermark: -1,
                log_start_offset: -1,
                diverging_epoch: None,
                batches: Vec::new(),
                aborted_transactions: Vec::new(),
                last_stable_offset: -1,
            };
            let pm = br.parts.get(&fp.tp);
            let ls = pm.and_then(|p| p.leader.as_ref());
            let log = br.logs.get(&fp.tp);
            match (ls, log) {
                (Some(ls), Some(log)) => {
                    d.high_watermark = log.hw;
                    d.log_start_offset = log.log_start;
                    if fp.current_leader_epoch < ls.epoch {
                        d.error = Some(KafkaError::FencedLeaderEpoch);
                    } else if fp.current_leader_epoch > ls.epoch {
                        d.error = Some(KafkaError::UnknownLeaderEpoch);
                    } else {
                        let mut diverged = false;
                        if let Some(e) = fp.last_fetched_epoch {
                            let (ee, eo) = log.end_offset_for(e);
                            // R15: diverging when the epoch ends earlier here, or is older.
                            if ee == -1 {
                                d.diverging_epoch = Some((e, log.leo().min(fp.fetch_offset)));
                                diverged = true;
                            } else if ee < e || eo < fp.fetch_offset {
                                d.diverging_epoch = Some((ee, eo));
                                diverged = true;
                            }
                        }
                        if !diverged {
                            if fp.fetch_offset < log.log_start || fp.fetch_offset > log.leo() {
                                d.error = Some(KafkaError::OffsetOutOfRange);
                            } else {
                                d.batches = log.read_from(fp.fetch_offset, REPLICA_FETCH_MAX_BYTES);
                            }
                        }
                    }
                }
                _ => d.error = Some(KafkaError::NotLeaderOrFollower),
            }
            news |= d.error.is_some() || d.diverging_epoch.is_some() || !d.batches.is_empty();
            out.push(d);
        }
        (out, news)
    }

    fn answer_fetch(&mut self, b: BrokerId, p: ParkedFetch, _early: bool) {
        let (resp, _) = self.build_fetch_response(b, &p);
        self.send(
            NodeId::Broker(b),
            NodeId::Broker(p.from),
            Message::FetchResponse {
                req: p.req,
                partitions: resp,
            },
        );
    }

    /// New data on `tp`: parked fetches that include it are answered now.
    pub(crate) fn complete_parked_fetches(&mut self, b: BrokerId, tp: &TopicPartition) {
        let i = self.bi(b);
        if self.brokers[i].parked.is_empty() {
            return;
        }
        let parked = core::mem::take(&mut self.brokers[i].parked);
        let mut keep = Vec::new();
        for p in parked {
            if p.partitions.iter().any(|fp| &fp.tp == tp) {
                self.answer_fetch(b, p, true);
            } else {
                keep.push(p);
            }
        }
        let i = self.bi(b);
        self.brokers[i].parked = keep;
    }

    // ---------------------------------------------------------------- fetch path (follower)

    fn send_fetch_if_idle(&mut self, b: BrokerId, leader: BrokerId) {
        let i = self.bi(b);
        if matches!(self.brokers[i].fetch_inflight.get(&leader), Some(Some(_))) {
            return;
        }
        self.send_fetch(b, leader);
    }

    fn send_fetch(&mut self, b: BrokerId, leader: BrokerId) {
        let i = self.bi(b);
        if !self.brokers[i].is_running() {
            return;
        }
        let br = &self.brokers[i];
        let partitions: Vec<FetchPartition> = br
            .parts
            .iter()
            .filter(|(_, pm)| pm.leader.is_none() && pm.state.leader == Some(leader))
            .map(|(tp, pm)| {
                let log = br.logs.get(tp);
                FetchPartition {
                    tp: tp.clone(),
                    fetch_offset: log.map_or(0, |l| l.leo()),
                    last_fetched_epoch: log.and_then(|l| l.latest_epoch()),
                    current_leader_epoch: pm.state.leader_epoch,
                }
            })
            .collect();
        if partitions.is_empty() {
            self.brokers[i].fetch_inflight.remove(&leader);
            return;
        }
        let req = self.next_req();
        let max_wait_ms = self.broker_config.get_i64("replica.fetch.wait.max.ms") as u64;
        self.brokers[i].fetch_inflight.insert(leader, Some(req));
        self.send(
            NodeId::Broker(b),
            NodeId::Broker(leader),
            Message::FetchRequest {
                req,
                replica: b,
                max_wait_ms,
                partitions,
            },
        );
        // If no answer comes (a dead leader, a dropped message), fetch again later.
        // The timer is cancelled when the answer arrives in time.
        let inc = self.brokers[i].incarnation;
        let backoff = self.broker_config.get_i64("replica.fetch.backoff.ms") as u64;
        let rtt = 4
            * (self.spec.latency_ms
                + self
                    .net
                    .extra_latency(NodeId::Broker(b), NodeId::Broker(leader)));
        let wait =
            (max_wait_ms + backoff + rtt).min(REPLICA_SOCKET_TIMEOUT_MS.max(max_wait_ms + rtt));
        self.schedule_timer(
            NodeId::Broker(b),
            wait,
            Timer::FetchBackoff {
                leader,
                incarnation: inc,
                req,
            },
        );
    }

    fn handle_fetch_response(
        &mut self,
        b: BrokerId,
        leader: BrokerId,
        req: u64,
        partitions: Vec<FetchPartitionData>,
    ) {
        let i = self.bi(b);
        if self.brokers[i].fetch_inflight.get(&leader) != Some(&Some(req)) {
            return; // an answer to a fetch we gave up on
        }
        self.brokers[i].fetch_inflight.insert(leader, None);
        let mut any_ok = false;
        for pd in partitions {
            let br = &mut self.brokers[i];
            let Some(pm) = br.parts.get(&pd.tp) else {
                continue;
            };
            if pm.leader.is_some() || pm.state.leader != Some(leader) {
                continue;
            }
            if pd.error == Some(KafkaError::OffsetOutOfRange) {
                // Retention moved the leader's log start past our LEO: start over there
                // (`truncateFullyAndStartAt`, as Kafka's follower does), then fetch again.
                if let Some(log) = br.logs.get_mut(&pd.tp) {
                    if pd.log_start_offset > log.leo() {
                        log.truncate_fully_and_start_at(pd.log_start_offset);
                        any_ok = true;
                    }
                }
                continue;
            }
            if pd.error.is_some() {
                continue;
            }
            any_ok = true;
            let log = br.logs.entry(pd.tp.clone()).or_default();
            if let Some((e, end)) = pd.diverging_epoch {
                // R15: truncate to the smaller of the leader's end for that epoch and ours.
                let (_, mine) = log.end_offset_for(e);
                let to = if mine < 0 { end } else { end.min(mine) };
                let removed = log.truncate_to(to);
                if removed > 0 {
                    self.checker.dirty = true;
                }
                continue;
            }
            for batch in pd.batches {
                let leo = log.leo();
                if batch.next_offset() <= leo {
                    continue;
                }
                if batch.base_offset < leo {
                    break; // overlaps our log: fetch again from our LEO
                }
                // Above the LEO only where the leader's cleaner removed records (C1).
                log.append(batch);
            }
            log.hw = log.hw.max(pd.high_watermark.min(log.leo()));
            if pd.log_start_offset > log.log_start && pd.log_start_offset <= log.leo() {
                log.log_start = pd.log_start_offset;
            }
        }
        if any_ok {
            self.send_fetch(b, leader);
        } else {
            // Every partition failed (a stale leader, an epoch not yet known here): back off
            // for `replica.fetch.backoff.ms` while the metadata catches up.
            let inc = self.brokers[i].incarnation;
            let backoff = self.broker_config.get_i64("replica.fetch.backoff.ms") as u64;
            let marker = self.next_req();
            self.brokers[i].fetch_inflight.insert(leader, Some(marker));
            self.schedule_timer(
                NodeId::Broker(b),
                backoff,
                Timer::FetchBackoff {
                    leader,
                    incarnation: inc,
                    req: marker,
                },
            );
        }
    }
}
