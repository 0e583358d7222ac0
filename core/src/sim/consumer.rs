//! The consumer client (classic group protocol): coordinator discovery, JoinGroup / SyncGroup
//! (the group leader runs the client-side assignor), the heartbeat thread, the poll loop with a
//! simulated per-record processing time, fetching up to the HW, commits (auto, sync, async) and
//! `auto.offset.reset`.
//!
//! Facts: A1–A8 (through [`crate::assignor`]: the leader assigns; `partition.assignment.strategy`
//! defaults to `range,cooperative-sticky`, which is eager because `range` is), G2 (heartbeat
//! errors: REBALANCE_IN_PROGRESS rejoins, ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID reset and
//! rejoin, FENCED_INSTANCE_ID is fatal), G4 (MEMBER_ID_REQUIRED then rejoin with the id), G5
//! (defaults), G6 (when `max.poll.interval.ms` expires a dynamic member sends LeaveGroup; a static
//! member does not), G7 (eager: revoke everything before JoinGroup; cooperative: keep owned
//! partitions, revoke after SyncGroup only what moved, then rejoin for the second round), R6
//! (records come from below the HW only).
//!
//! The application, modelled: `poll()` returns up to `max.poll.records` buffered records; the
//! application spends `playground.processing.ms` on each, then polls again. A record counts as
//! consumed when its processing completes. `playground.commit` says what the application commits
//! besides auto-commit: `sync`/`async` after processing (at-least-once), `sync-before-processing`
//! (at-most-once). A paused application does not call `poll()`; the heartbeat thread goes on.
//! Joining happens inside `poll()`, as in Kafka, so a busy application delays its own rejoin.
//!
//! Simplifications, stated: metadata is merged from several brokers' answers (each broker here
//! answers for the partitions it hosts); the leader reads partition counts from the cluster's
//! committed metadata; a request to a broker whose process is down fails after one round trip
//! (a refused connection) instead of waiting for `request.timeout.ms`.
//!
//! `group.protocol=consumer` (KIP-848, G8) replaces JoinGroup/SyncGroup/Heartbeat with the
//! `ConsumerGroupHeartbeat` loop of `consumer_group_client.rs`; the poll loop, fetching and
//! commits (with the member epoch as generation) are shared.

use crate::collections::{VecMap, VecSet};
use alloc::collections::VecDeque;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::assignor::{self, AssignorName, GroupSubscription, MemberSubscription, TopicMeta};
use crate::config::ConfigMap;
use crate::error::{CommandError, KafkaError};
use crate::ids::{BrokerId, ClientId, LeaderEpoch, NodeId, Offset, TopicPartition};
use crate::time::Millis;
use crate::view::ConsumerView;

use super::msg::{FetchPartitionData, JoinGroup, Message};
use super::{kafka_err, limits, Outcome, Sim, Timer};

// The KIP-848 client (G8, A13), a child module so that it shares the consumer's internals.
#[path = "consumer_group_client.rs"]
mod kip848;

/// Consumers' `ClientId`s start here; producers' are below.
pub const CONSUMER_CLIENT_BASE: u32 = 1_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Not in the group (never joined, or left).
    Unjoined,
    Joining,
    Syncing,
    Stable,
    /// `close()` in progress: committing, then LeaveGroup.
    Closing,
    Closed,
    /// Killed.
    Dead,
    /// FENCED_INSTANCE_ID: another instance with our `group.instance.id` took over.
    Fenced,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Unjoined => "unjoined",
            Phase::Joining => "joining",
            Phase::Syncing => "syncing",
            Phase::Stable => "stable",
            Phase::Closing => "closing",
            Phase::Closed => "closed",
            Phase::Dead => "dead",
            Phase::Fenced => "fenced",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CommitMode {
    None,
    Sync,
    Async,
    SyncBefore,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Req {
    FindCoordinator,
    Metadata,
    Join,
    Sync,
    Heartbeat,
    /// KIP-848 `ConsumerGroupHeartbeat`.
    GroupHeartbeat,
    Leave,
    Commit {
        offsets: Vec<(TopicPartition, Offset)>,
    },
    OffsetFetch,
    Fetch {
        broker: BrokerId,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consumer {
    pub client_id: String,
    pub group: String,
    pub topics: Vec<String>,
    pub config: ConfigMap,
    pub instance_id: Option<String>,
    assignors: Vec<AssignorName>,
    cooperative: bool,
    session_timeout_ms: u64,
    heartbeat_interval_ms: u64,
    max_poll_interval_ms: u64,
    max_poll_records: usize,
    fetch_min_bytes: u64,
    fetch_max_wait_ms: u64,
    auto_commit: bool,
    auto_commit_interval_ms: u64,
    reset: &'static str,
    read_committed: bool,
    rack: Option<String>,
    processing_ms: u64,
    commit_mode: CommitMode,
    retry_backoff_ms: u64,
    request_timeout_ms: u64,
    pub phase: Phase,
    pub coordinator: Option<BrokerId>,
    bootstrap: u32,
    pub member_id: String,
    pub generation: i32,
    /// Assigned and not revoked.
    pub owned: Vec<TopicPartition>,
    /// Next offset to hand to the application.
    pub positions: VecMap<TopicPartition, Offset>,
    pub committed: VecMap<TopicPartition, Offset>,
    /// Next offset to fetch (ahead of the position by what is buffered).
    fetch_offsets: VecMap<TopicPartition, Offset>,
    /// Partitions whose position comes from `auto.offset.reset` (-2 earliest, -1 latest).
    resets: VecMap<TopicPartition, Offset>,
    /// Partitions waiting for their committed offset.
    awaiting_offsets: VecSet<TopicPartition>,
    metadata: VecMap<TopicPartition, (BrokerId, LeaderEpoch)>,
    metadata_stale: bool,
    inflight: VecMap<u64, Req>,
    buffer: VecDeque<(TopicPartition, Offset, u64)>,
    /// Records handed to the application and being processed.
    processing: Option<Vec<(TopicPartition, Offset, u64)>>,
    /// The application is inside `poll()` waiting for records (so it is polling).
    waiting_in_poll: bool,
    pub paused_until: Option<Millis>,
    last_poll: Millis,
    last_auto_commit: Millis,
    poll_token: u64,
    poll_at: Option<Millis>,
    hb_token: u64,
    /// A rejoin is needed (heartbeat error, cooperative second round, poll timeout).
    rejoin: bool,
    /// Eager/cooperative onJoinPrepare: JoinGroup waits for this commit.
    join_after_commit: Option<u64>,
    /// The application waits for this commitSync.
    sync_commit_wait: Option<u64>,
    /// Since when the consumer has consumed nothing because of a rebalance.
    stopped_since: Option<Millis>,
    pub consumed: u64,
    pub duplicates: u64,
    pub commits_ok: u64,
    pub commits_failed: u64,
    pub last_error: Option<String>,
    /// The records this consumer's application processed, in order, for a client that prints
    /// them (`kafka-console-consumer`); `None` for the others, which only count.
    pub(crate) echo: Option<Vec<(TopicPartition, Offset)>>,
    /// The eager `StickyAssignor`'s memory: the last assignment and its generation, saved in
    /// `onAssignment` and sent as the subscription's user data on the next join (A5), since
    /// an eager member has revoked everything (and reports no owned partitions) by then.
    sticky_memory: Option<(Vec<TopicPartition>, i32)>,
    /// `group.protocol=consumer` (KIP-848): its settings; `None` for the classic protocol.
    kip848: Option<kip848::Kip848>,
}

impl Consumer {
    pub fn is_alive(&self) -> bool {
        !matches!(self.phase, Phase::Closed | Phase::Dead | Phase::Fenced)
    }

    fn commits(&self) -> bool {
        self.auto_commit || self.commit_mode != CommitMode::None
    }

    pub(crate) fn timer_live(&self, t: &Timer) -> bool {
        if !self.is_alive() {
            return false;
        }
        match t {
            Timer::ConsumerPoll { token } => *token == self.poll_token,
            Timer::ConsumerHeartbeat { token } => *token == self.hb_token,
            Timer::RequestTimeout { req } => self.inflight.contains_key(req),
            _ => false,
        }
    }

    fn has(&self, r: &Req) -> bool {
        self.inflight.values().any(|x| x == r)
    }
}

fn parse_assignors(v: &str) -> Result<Vec<AssignorName>, CommandError> {
    let mut out = Vec::new();
    for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match AssignorName::parse(part) {
            Some(a) if !a.is_server_side() => {
                if !out.contains(&a) {
                    out.push(a)
                }
            }
            _ => {
                return Err(CommandError::InvalidConfigValue {
                    key: "partition.assignment.strategy".to_string(),
                    value: part.to_string(),
                    reason: "Class could not be found: the client-side assignors are range, roundrobin, sticky and cooperative-sticky (or their Java class names)".to_string(),
                })
            }
        }
    }
    if out.is_empty() {
        return Err(CommandError::InvalidConfigValue {
            key: "partition.assignment.strategy".to_string(),
            value: v.to_string(),
            reason: "the list must not be empty".to_string(),
        });
    }
    Ok(out)
}

impl Sim {
    /// Starts keeping the records `client_id`'s application processes, in order (what
    /// `kafka-console-consumer` prints). False if there is no such consumer.
    pub fn echo_consumer(&mut self, client_id: &str) -> bool {
        match self.consumer_index(client_id) {
            Some(ci) => {
                self.consumers[ci].echo.get_or_insert_with(Vec::new);
                true
            }
            None => false,
        }
    }

    /// The records `client_id` processed since [`Sim::echo_consumer`] was called for it.
    pub fn consumer_echo(&self, client_id: &str) -> &[(TopicPartition, Offset)] {
        self.consumer_index(client_id)
            .and_then(|ci| self.consumers[ci].echo.as_deref())
            .unwrap_or(&[])
    }

    pub(crate) fn consumer_index(&self, name: &str) -> Option<usize> {
        self.consumers.iter().rposition(|c| c.client_id == name)
    }

    fn consumer_node(ci: usize) -> NodeId {
        NodeId::Client(ClientId(CONSUMER_CLIENT_BASE + ci as u32))
    }

    fn live_consumer(&self, name: &str) -> Result<usize, CommandError> {
        self.consumer_index(name)
            .filter(|i| self.consumers[*i].is_alive())
            .ok_or_else(|| {
                CommandError::arg(
                    "consumer",
                    format!("no running consumer named '{name}' (add one with: consumer add {name} group=… topics=…)"),
                )
            })
    }

    // ------------------------------------------------------------------ commands

    pub(crate) fn add_consumer(
        &mut self,
        client_id: &str,
        group: &str,
        topics: &[String],
        configs: &[(String, String)],
    ) -> Result<Outcome, CommandError> {
        if client_id.is_empty() {
            return Err(CommandError::arg("client.id", "a consumer needs a name"));
        }
        if self.producer_index(client_id).is_some()
            || self
                .consumer_index(client_id)
                .is_some_and(|i| self.consumers[i].is_alive())
        {
            return Err(CommandError::arg(
                "client.id",
                format!("a client named '{client_id}' already exists"),
            ));
        }
        let clients = self.producers.len() + self.consumers.len();
        if clients >= limits::MAX_CLIENTS {
            return Err(CommandError::LimitExceeded {
                what: "clients",
                limit: limits::MAX_CLIENTS as u64,
                asked: clients as u64 + 1,
            });
        }
        let mut config = ConfigMap::new("consumer");
        for (k, v) in configs {
            config.set(k, v)?;
        }
        let group = if group.is_empty() {
            config.get("group.id").to_string()
        } else {
            group.to_string()
        };
        if group.is_empty() {
            return Err(CommandError::arg(
                "group.id",
                "a consumer in this playground belongs to a group: give group=<id>",
            ));
        }
        let kip848 = kip848::kip848_config(&config)?;
        let mixed = self
            .consumers
            .iter()
            .any(|c| c.is_alive() && c.group == group && c.kip848.is_some() != kip848.is_some());
        if mixed {
            return Err(CommandError::NotSupported(format!(
                "group.protocol: group '{group}' already has members of the other protocol; a group mixing classic and consumer members (KIP-848 online migration) is not simulated"
            )));
        }
        if topics.is_empty() {
            return Err(CommandError::arg(
                "topics",
                "subscribe to at least one topic",
            ));
        }
        for t in topics {
            if self.topic_partition_count(t).is_none() || t.starts_with("__") {
                return Err(kafka_err(
                    KafkaError::UnknownTopicOrPartition,
                    format!("Topic {t} not present in metadata (create it with kafka-topics --create --topic {t})"),
                ));
            }
        }
        let assignors = parse_assignors(config.get("partition.assignment.strategy"))?;
        let session_timeout_ms = config.get_i64("session.timeout.ms") as u64;
        let min = self.broker_config.get_i64("group.min.session.timeout.ms") as u64;
        let max = self.broker_config.get_i64("group.max.session.timeout.ms") as u64;
        if session_timeout_ms < min || session_timeout_ms > max {
            return Err(kafka_err(
                KafkaError::InvalidSessionTimeout,
                format!("session.timeout.ms={session_timeout_ms} is outside the broker's range [group.min.session.timeout.ms={min}, group.max.session.timeout.ms={max}]"),
            ));
        }
        let heartbeat_interval_ms = config.get_i64("heartbeat.interval.ms") as u64;
        if heartbeat_interval_ms >= session_timeout_ms {
            return Err(CommandError::InvalidConfigValue {
                key: "heartbeat.interval.ms".to_string(),
                value: heartbeat_interval_ms.to_string(),
                reason: "heartbeat.interval.ms must be lower than session.timeout.ms".to_string(),
            });
        }
        let text = |k: &str| Some(config.get(k).to_string()).filter(|s| !s.is_empty());
        let commit_mode = match config.get("playground.commit") {
            "sync" => CommitMode::Sync,
            "async" => CommitMode::Async,
            "sync-before-processing" => CommitMode::SyncBefore,
            _ => CommitMode::None,
        };
        let reset = match config.get("auto.offset.reset") {
            "earliest" => "earliest",
            "none" => "none",
            _ => "latest",
        };
        let now = self.now;
        let c = Consumer {
            client_id: client_id.to_string(),
            group,
            topics: topics.to_vec(),
            instance_id: text("group.instance.id"),
            cooperative: assignors
                .iter()
                .all(|a| *a == AssignorName::CooperativeSticky),
            assignors,
            session_timeout_ms,
            heartbeat_interval_ms: heartbeat_interval_ms.max(1),
            max_poll_interval_ms: config.get_i64("max.poll.interval.ms") as u64,
            max_poll_records: config.get_i64("max.poll.records").max(1) as usize,
            fetch_min_bytes: config.get_i64("fetch.min.bytes") as u64,
            fetch_max_wait_ms: config.get_i64("fetch.max.wait.ms") as u64,
            auto_commit: config.get_bool("enable.auto.commit"),
            auto_commit_interval_ms: config.get_i64("auto.commit.interval.ms") as u64,
            reset,
            read_committed: config.get("isolation.level") == "read_committed",
            rack: text("client.rack"),
            processing_ms: config.get_i64("playground.processing.ms") as u64,
            commit_mode,
            retry_backoff_ms: config.get_i64("retry.backoff.ms") as u64,
            request_timeout_ms: config.get_i64("request.timeout.ms").max(1) as u64,
            config,
            phase: Phase::Unjoined,
            coordinator: None,
            bootstrap: self.rng.below(self.brokers.len() as u32),
            member_id: String::new(),
            generation: -1,
            owned: Vec::new(),
            positions: VecMap::new(),
            committed: VecMap::new(),
            fetch_offsets: VecMap::new(),
            resets: VecMap::new(),
            awaiting_offsets: VecSet::new(),
            metadata: VecMap::new(),
            metadata_stale: true,
            inflight: VecMap::new(),
            buffer: VecDeque::new(),
            processing: None,
            echo: None,
            sticky_memory: None,
            waiting_in_poll: false,
            paused_until: None,
            last_poll: now,
            last_auto_commit: now,
            poll_token: 0,
            poll_at: None,
            hb_token: 0,
            rejoin: true,
            join_after_commit: None,
            sync_commit_wait: None,
            stopped_since: None,
            consumed: 0,
            duplicates: 0,
            commits_ok: 0,
            commits_failed: 0,
            last_error: None,
            kip848,
        };
        self.consumers.push(c);
        let ci = self.consumers.len() - 1;
        // The application's first poll() starts everything.
        self.schedule_poll(ci, 0);
        Ok(Outcome::none())
    }

    pub(crate) fn remove_consumer(&mut self, name: &str) -> Result<Outcome, CommandError> {
        let ci = self.live_consumer(name)?;
        if self.consumers[ci].phase == Phase::Closing {
            return Err(CommandError::arg(
                "consumer",
                format!("{name} is already closing"),
            ));
        }
        self.consumers[ci].phase = Phase::Closing;
        // close(): commit what was consumed (auto-commit), then LeaveGroup.
        let commit = if self.consumers[ci].auto_commit {
            self.commit_positions(ci, true)
        } else {
            None
        };
        if let Some(req) = commit {
            self.consumers[ci].join_after_commit = Some(req);
            return Ok(Outcome::line(format!(
                "{name}: closing (committing, then LeaveGroup)"
            )));
        }
        self.finish_close(ci);
        Ok(Outcome::line(format!("{name}: closed")))
    }

    fn finish_close(&mut self, ci: usize) {
        let c = self.consumers[ci].clone();
        if c.kip848.is_some() {
            // G8: the consumer protocol leaves with epoch -1 (-2 for a static member).
            self.kip848_leave(ci);
        } else if c.instance_id.is_none() && !c.member_id.is_empty() {
            // G6: a static member does not send LeaveGroup; its session timeout removes it.
            if let Some(coord) = c.coordinator {
                let req = self.next_req();
                let msg = Message::LeaveGroupRequest {
                    req,
                    group: c.group.clone(),
                    member_id: c.member_id.clone(),
                    instance_id: None,
                };
                self.send(Self::consumer_node(ci), NodeId::Broker(coord), msg);
            }
        }
        let c = &mut self.consumers[ci];
        c.phase = Phase::Closed;
        c.owned.clear();
        c.buffer.clear();
        c.processing = None;
        c.inflight.clear();
    }

    pub(crate) fn kill_consumer(&mut self, name: &str) -> Result<Outcome, CommandError> {
        let ci = self.live_consumer(name)?;
        let c = &mut self.consumers[ci];
        c.phase = Phase::Dead;
        c.processing = None;
        c.buffer.clear();
        c.inflight.clear();
        self.net.forget_node(Self::consumer_node(ci));
        Ok(Outcome::line(format!("consumer {name} killed")))
    }

    pub(crate) fn pause_consumer(
        &mut self,
        name: &str,
        for_ms: u64,
    ) -> Result<Outcome, CommandError> {
        let ci = self.live_consumer(name)?;
        if for_ms == 0 || for_ms > 24 * 3_600_000 {
            return Err(CommandError::arg(
                "for",
                "a pause lasts between 1ms and 24h",
            ));
        }
        let now = self.now;
        let c = &mut self.consumers[ci];
        let until = now + for_ms;
        c.paused_until = Some(c.paused_until.map_or(until, |u| u.max(until)));
        if c.waiting_in_poll {
            // It was inside poll(): that poll returns; the next one comes after the pause.
            c.waiting_in_poll = false;
            c.last_poll = now;
        }
        if c.processing.is_none() {
            self.schedule_poll(ci, for_ms);
        }
        Ok(Outcome::none())
    }

    // ------------------------------------------------------------------ timers

    fn schedule_poll(&mut self, ci: usize, after: u64) {
        let at = self.now + after;
        let c = &mut self.consumers[ci];
        if c.poll_at.is_some_and(|t| t <= at && t >= self.now) && after > 0 {
            return;
        }
        c.poll_token += 1;
        c.poll_at = Some(at);
        let token = c.poll_token;
        self.schedule_timer(
            Self::consumer_node(ci),
            after,
            Timer::ConsumerPoll { token },
        );
    }

    fn schedule_heartbeat(&mut self, ci: usize, after: u64) {
        let c = &mut self.consumers[ci];
        c.hb_token += 1;
        let token = c.hb_token;
        self.schedule_timer(
            Self::consumer_node(ci),
            after,
            Timer::ConsumerHeartbeat { token },
        );
    }

    pub(crate) fn consumer_timer(&mut self, ci: usize, t: Timer) {
        match t {
            Timer::ConsumerPoll { .. } => {
                self.consumers[ci].poll_at = None;
                self.consumer_poll(ci);
            }
            Timer::ConsumerHeartbeat { .. } => self.heartbeat_thread(ci),
            Timer::RequestTimeout { req } => {
                let Some(r) = self.consumers[ci].inflight.remove(&req) else {
                    return;
                };
                self.request_failed(ci, req, r);
            }
            _ => {}
        }
        self.consumer_tick(ci);
    }

    fn request_failed(&mut self, ci: usize, req: u64, r: Req) {
        let c = &mut self.consumers[ci];
        match r {
            Req::FindCoordinator | Req::Metadata => c.bootstrap += 1,
            Req::Fetch { .. } => c.metadata_stale = true,
            Req::Join | Req::Sync => {
                c.coordinator = None;
                c.rejoin = true;
                if c.phase != Phase::Closing {
                    c.phase = Phase::Unjoined;
                }
            }
            Req::Heartbeat | Req::GroupHeartbeat | Req::OffsetFetch | Req::Leave => {
                c.coordinator = None
            }
            Req::Commit { .. } => {
                c.coordinator = None;
                self.commit_done(ci, req, Some(KafkaError::RequestTimedOut), Vec::new());
            }
        }
    }

    /// Sends a request with its timeout (a refused connection fails after one round trip).
    fn consumer_request(&mut self, ci: usize, to: BrokerId, msg: Message, kind: Req) {
        let req = msg.req();
        let me = Self::consumer_node(ci);
        let mut timeout = match kind {
            Req::Join => self.consumers[ci].max_poll_interval_ms + 5_000,
            Req::Fetch { .. } => {
                self.consumers[ci].fetch_max_wait_ms + self.consumers[ci].request_timeout_ms
            }
            _ => self.consumers[ci].request_timeout_ms,
        };
        let down = self.broker_index(to).is_none_or(|i| {
            !self.brokers[i].is_running()
                && self.brokers[i].process != super::broker::Process::PoweredOff
        });
        if down {
            timeout = timeout.min(2 * self.spec().latency_ms + 1);
        }
        self.consumers[ci].inflight.insert(req, kind);
        self.send(me, NodeId::Broker(to), msg);
        self.schedule_timer(me, timeout, Timer::RequestTimeout { req });
    }

    // ------------------------------------------------------------------ the background

    /// What the client does on its own after every event: metadata, coordinator, fetches.
    fn consumer_tick(&mut self, ci: usize) {
        if !matches!(
            self.consumers[ci].phase,
            Phase::Unjoined | Phase::Joining | Phase::Syncing | Phase::Stable
        ) {
            return;
        }
        let n = self.brokers.len() as u32;
        // Metadata: until every subscribed partition's leader is known.
        let missing = {
            let c = &self.consumers[ci];
            let known = c.metadata.keys().as_slice();
            c.topics.iter().any(|t| {
                let count = self.topic_partition_count(t).unwrap_or(0);
                // The keys are unique and sorted by (topic, partition), so every partition of `t`
                // is known when the keys from (t, 0) up to (t, count) number `count`: two binary
                // searches. (Building a key per partition to look it up, on every consumer event,
                // was a sixth of the simulation's time in a 100x frame of the large cluster;
                // comparing each key of the topic after one search was still 2% natively.)
                let lo = known.partition_point(|k| k.topic() < t.as_str());
                let hi = known.partition_point(|k| (k.topic(), k.partition) < (t.as_str(), count));
                hi - lo < count as usize
            })
        };
        if (missing || self.consumers[ci].metadata_stale) && !self.consumers[ci].has(&Req::Metadata)
        {
            let req = self.next_req();
            let b = BrokerId(self.consumers[ci].bootstrap % n + 1);
            self.consumers[ci].bootstrap += 1;
            self.consumer_request(ci, b, Message::MetadataRequest { req }, Req::Metadata);
        }
        // The coordinator.
        if self.consumers[ci].coordinator.is_none()
            && !self.consumers[ci].has(&Req::FindCoordinator)
        {
            let req = self.next_req();
            let b = BrokerId(self.consumers[ci].bootstrap % n + 1);
            let group = self.consumers[ci].group.clone();
            self.consumer_request(
                ci,
                b,
                Message::FindCoordinatorRequest { req, group },
                Req::FindCoordinator,
            );
        }
        let Some(coord) = self.consumers[ci].coordinator else {
            return;
        };
        // Committed offsets of newly assigned partitions.
        if !self.consumers[ci].awaiting_offsets.is_empty()
            && !self.consumers[ci].has(&Req::OffsetFetch)
        {
            let req = self.next_req();
            let c = &self.consumers[ci];
            let msg = Message::OffsetFetchRequest {
                req,
                group: c.group.clone(),
                partitions: c.awaiting_offsets.iter().cloned().collect(),
            };
            self.consumer_request(ci, coord, msg, Req::OffsetFetch);
        }
        self.send_fetches(ci);
    }

    fn send_fetches(&mut self, ci: usize) {
        let c = &self.consumers[ci];
        // One fetch in flight per leader: the partitions led by a broker that already has one
        // wait for its answer. Known before the partitions are gathered, so that a tick (every
        // consumer event) copies no partition key it then throws away.
        let busy: VecSet<BrokerId> = c
            .inflight
            .values()
            .filter_map(|r| match r {
                Req::Fetch { broker } => Some(*broker),
                _ => None,
            })
            .collect();
        let buffered: VecSet<&TopicPartition> = c.buffer.iter().map(|r| &r.0).collect();
        let mut by_leader: VecMap<BrokerId, Vec<(TopicPartition, Offset)>> = VecMap::new();
        for tp in &c.owned {
            if buffered.contains(tp) || c.awaiting_offsets.contains(tp) {
                continue;
            }
            let off = match (c.resets.get(tp), c.fetch_offsets.get(tp)) {
                (Some(r), _) => *r,
                (None, Some(o)) => *o,
                (None, None) => continue,
            };
            let Some((leader, _)) = c.metadata.get(tp) else {
                continue;
            };
            if busy.contains(leader) {
                continue;
            }
            by_leader
                .entry(*leader)
                .or_default()
                .push((tp.clone(), off));
        }
        for (leader, partitions) in by_leader {
            let req = self.next_req();
            let c = &self.consumers[ci];
            let msg = Message::ConsumerFetchRequest {
                req,
                max_wait_ms: c.fetch_max_wait_ms,
                min_bytes: c.fetch_min_bytes,
                read_committed: c.read_committed,
                partitions,
            };
            self.consumer_request(ci, leader, msg, Req::Fetch { broker: leader });
        }
    }

    /// The heartbeat thread: heartbeats while in a generation, and the poll-interval check.
    fn heartbeat_thread(&mut self, ci: usize) {
        if self.consumers[ci].kip848.is_some() {
            return self.kip848_heartbeat_thread(ci);
        }
        let now = self.now;
        let c = &self.consumers[ci];
        if !matches!(c.phase, Phase::Stable | Phase::Syncing | Phase::Joining) {
            return;
        }
        let polling = c.waiting_in_poll;
        if !polling && now - c.last_poll > c.max_poll_interval_ms && c.phase == Phase::Stable {
            // G6: the poll timer expired. A dynamic member leaves; a static one just stops.
            let msg = format!(
                "consumer poll timeout has expired: the time between poll() calls exceeded max.poll.interval.ms={}",
                c.max_poll_interval_ms
            );
            let coordinator = c.coordinator;
            if c.instance_id.is_none() {
                if let Some(coord) = coordinator {
                    let req = self.next_req();
                    let c = &self.consumers[ci];
                    let leave = Message::LeaveGroupRequest {
                        req,
                        group: c.group.clone(),
                        member_id: c.member_id.clone(),
                        instance_id: None,
                    };
                    self.consumer_request(ci, coord, leave, Req::Leave);
                }
                self.consumers[ci].member_id.clear();
            }
            self.lose_partitions(ci);
            let c = &mut self.consumers[ci];
            c.generation = -1;
            c.phase = Phase::Unjoined;
            c.rejoin = true;
            c.last_error = Some(msg);
            return;
        }
        if c.phase == Phase::Stable && !c.has(&Req::Heartbeat) {
            if let Some(coord) = c.coordinator {
                let req = self.next_req();
                let c = &self.consumers[ci];
                let msg = Message::HeartbeatRequest {
                    req,
                    group: c.group.clone(),
                    member_id: c.member_id.clone(),
                    instance_id: c.instance_id.clone(),
                    generation: c.generation,
                };
                self.consumer_request(ci, coord, msg, Req::Heartbeat);
            }
        }
        let every = self.consumers[ci].heartbeat_interval_ms;
        self.schedule_heartbeat(ci, every);
    }

    /// Partitions lost without a commit (poll timeout, fenced generation).
    fn lose_partitions(&mut self, ci: usize) {
        let now = self.now;
        let c = &mut self.consumers[ci];
        if !c.owned.is_empty() && c.stopped_since.is_none() {
            c.stopped_since = Some(now);
        }
        c.owned.clear();
        c.positions.clear();
        c.fetch_offsets.clear();
        c.resets.clear();
        c.awaiting_offsets.clear();
        c.buffer.clear();
    }

    // ------------------------------------------------------------------ the application

    /// The application calls `poll()`.
    fn consumer_poll(&mut self, ci: usize) {
        let now = self.now;
        if !matches!(
            self.consumers[ci].phase,
            Phase::Unjoined | Phase::Joining | Phase::Syncing | Phase::Stable
        ) {
            return;
        }
        // The records handed out by the previous poll are processed now.
        if let Some(batch) = self.consumers[ci].processing.take() {
            let rids: Vec<u64> = batch.iter().map(|r| r.2).collect();
            if let Some(echo) = self.consumers[ci].echo.as_mut() {
                echo.extend(batch.iter().map(|r| (r.0.clone(), r.1)));
            }
            let group = self.consumers[ci].group.clone();
            let dup = self.checker_on_processed(&group, &rids);
            let c = &mut self.consumers[ci];
            c.consumed += rids.len() as u64;
            c.duplicates += dup;
            match c.commit_mode {
                CommitMode::Sync => {
                    if let Some(req) = self.commit_positions(ci, false) {
                        self.consumers[ci].sync_commit_wait = Some(req);
                        return;
                    }
                }
                CommitMode::Async => {
                    self.commit_positions(ci, false);
                }
                _ => {}
            }
        }
        if self.consumers[ci].sync_commit_wait.is_some() {
            return;
        }
        if let Some(until) = self.consumers[ci].paused_until {
            if until > now {
                self.schedule_poll(ci, until - now);
                return;
            }
            self.consumers[ci].paused_until = None;
        }
        self.consumers[ci].last_poll = now;
        self.consumers[ci].waiting_in_poll = false;
        // Joining happens inside poll().
        let c = &self.consumers[ci];
        if c.rejoin
            && c.coordinator.is_some()
            && !matches!(c.phase, Phase::Joining | Phase::Syncing)
            && c.join_after_commit.is_none()
        {
            if c.kip848.is_some() {
                self.kip848_join(ci);
            } else {
                self.start_join(ci);
            }
        }
        // Auto-commit of what earlier polls returned.
        let c = &self.consumers[ci];
        if c.auto_commit
            && c.phase == Phase::Stable
            && now - c.last_auto_commit >= c.auto_commit_interval_ms
        {
            self.consumers[ci].last_auto_commit = now;
            self.commit_positions(ci, false);
        }
        // Hand out up to max.poll.records, in offset order per partition.
        let c = &mut self.consumers[ci];
        let mut out = Vec::new();
        let mut keep = VecDeque::new();
        while let Some((tp, off, rid)) = c.buffer.pop_front() {
            if !c.owned.contains(&tp) {
                continue;
            }
            let pos = c.positions.get(&tp).copied();
            if out.len() >= c.max_poll_records || pos != Some(off) {
                if pos.is_some_and(|p| off >= p) {
                    keep.push_back((tp, off, rid));
                }
                continue;
            }
            c.positions.insert(tp.clone(), off + 1);
            if rid != super::txn::SKIPPED_RID {
                out.push((tp, off, rid));
            }
        }
        c.buffer = keep;
        if out.is_empty() {
            c.waiting_in_poll = true;
            if c.auto_commit
                && c.phase == Phase::Stable
                && c.positions
                    .iter()
                    .any(|(tp, p)| c.committed.get(tp) != Some(p))
            {
                let due = c.last_auto_commit + c.auto_commit_interval_ms;
                self.schedule_poll(ci, due - now);
            }
            return;
        }
        let n = out.len() as u64;
        let sync_before = c.commit_mode == CommitMode::SyncBefore;
        let ms = c.processing_ms * n;
        c.processing = Some(out);
        if sync_before {
            // At-most-once: the positions are committed before the records are processed.
            self.commit_positions(ci, false);
        }
        self.schedule_poll(ci, ms);
    }

    /// Sends an OffsetCommit of the current positions; returns its request id.
    fn commit_positions(&mut self, ci: usize, before_join: bool) -> Option<u64> {
        let c = &self.consumers[ci];
        let coord = c.coordinator?;
        if c.generation < 0 {
            return None;
        }
        let offsets: Vec<(TopicPartition, Offset)> = c
            .positions
            .iter()
            .filter(|(tp, p)| c.owned.contains(tp) && c.committed.get(*tp) != Some(*p))
            .map(|(tp, p)| (tp.clone(), *p))
            .collect();
        if offsets.is_empty() {
            return None;
        }
        let _ = before_join;
        let req = self.next_req();
        let c = &self.consumers[ci];
        let msg = Message::OffsetCommitRequest {
            req,
            group: c.group.clone(),
            member_id: c.member_id.clone(),
            generation: c.generation,
            offsets: offsets.clone(),
        };
        self.consumer_request(ci, coord, msg, Req::Commit { offsets });
        Some(req)
    }

    fn commit_done(
        &mut self,
        ci: usize,
        req: u64,
        error: Option<KafkaError>,
        offsets: Vec<(TopicPartition, Offset)>,
    ) {
        let c = &mut self.consumers[ci];
        match error {
            None => {
                c.commits_ok += 1;
                for (tp, o) in offsets {
                    c.committed.insert(tp, o);
                }
            }
            Some(e) => {
                c.commits_failed += 1;
                c.last_error = Some(format!("commit failed: {}", e.name()));
                match e {
                    KafkaError::NotCoordinator | KafkaError::CoordinatorNotAvailable => {
                        c.coordinator = None
                    }
                    KafkaError::RebalanceInProgress
                    | KafkaError::IllegalGeneration
                    | KafkaError::UnknownMemberId => {
                        // KIP-848 members learn about fencing from their heartbeat.
                        c.rejoin |= c.kip848.is_none()
                    }
                    _ => {}
                }
            }
        }
        if c.join_after_commit == Some(req) {
            c.join_after_commit = None;
            if c.phase == Phase::Closing {
                self.finish_close(ci);
                return;
            }
            self.send_join(ci);
        }
        let c = &mut self.consumers[ci];
        if c.sync_commit_wait == Some(req) {
            c.sync_commit_wait = None;
            self.schedule_poll(ci, 0);
        }
    }

    /// onJoinPrepare (G7): commit what was consumed, revoke (eager: everything), then join.
    fn start_join(&mut self, ci: usize) {
        let now = self.now;
        let c = &mut self.consumers[ci];
        c.rejoin = false;
        c.phase = Phase::Joining;
        let commit = if c.auto_commit {
            self.commit_positions(ci, true)
        } else {
            None
        };
        let c = &mut self.consumers[ci];
        if !c.cooperative {
            if !c.owned.is_empty() && c.stopped_since.is_none() {
                c.stopped_since = Some(now);
            }
            c.owned.clear();
            c.buffer.clear();
            c.fetch_offsets.clear();
            c.resets.clear();
            c.awaiting_offsets.clear();
            // positions stay until the commit is sent (they are in the request already).
            c.positions.clear();
        }
        match commit {
            Some(req) => c.join_after_commit = Some(req),
            None => self.send_join(ci),
        }
    }

    fn send_join(&mut self, ci: usize) {
        let Some(coord) = self.consumers[ci].coordinator else {
            let c = &mut self.consumers[ci];
            c.phase = Phase::Unjoined;
            c.rejoin = true;
            return;
        };
        let req = self.next_req();
        let c = &mut self.consumers[ci];
        c.phase = Phase::Joining;
        // Cooperative members report what they own (ownedPartitions); an eager member owns
        // nothing now, but the eager StickyAssignor sends its last assignment and generation in
        // its user data (StickyAssignor.subscriptionUserData), which the assignor reads the same way.
        let eager_sticky = match &c.sticky_memory {
            Some((parts, gen)) if c.assignors.contains(&AssignorName::Sticky) => {
                (parts.clone(), Some(*gen))
            }
            _ => (Vec::new(), None),
        };
        let j = JoinGroup {
            req,
            group: c.group.clone(),
            client_id: c.client_id.clone(),
            session_timeout_ms: c.session_timeout_ms,
            rebalance_timeout_ms: c.max_poll_interval_ms,
            protocols: c.assignors.iter().map(|a| a.as_str().to_string()).collect(),
            subscription: MemberSubscription {
                member_id: c.member_id.clone(),
                group_instance_id: c.instance_id.clone(),
                topics: c.topics.clone(),
                rack: c.rack.clone(),
                owned: if c.cooperative {
                    c.owned.clone()
                } else {
                    eager_sticky.0
                },
                generation: if c.cooperative {
                    (c.generation >= 0).then_some(c.generation)
                } else {
                    eager_sticky.1
                },
            },
        };
        self.consumer_request(ci, coord, Message::JoinGroupRequest(Rc::new(j)), Req::Join);
    }

    // ------------------------------------------------------------------ answers

    pub(crate) fn consumer_receive(&mut self, ci: usize, _from: NodeId, msg: Message) {
        let req = msg.req();
        let Some(kind) = self.consumers[ci].inflight.remove(&req) else {
            return; // an answer to a request given up on
        };
        match msg {
            Message::MetadataResponse { topics, .. } => {
                let c = &mut self.consumers[ci];
                c.metadata_stale = false;
                for (t, parts) in topics {
                    for (p, l) in parts.into_iter().enumerate() {
                        let tp = TopicPartition::new(t.as_str(), p as u32);
                        if let Some((b, e)) = l {
                            let newer = c.metadata.get(&tp).is_none_or(|(_, old)| e >= *old);
                            if newer {
                                c.metadata.insert(tp, (b, e));
                            }
                        }
                    }
                }
            }
            Message::FindCoordinatorResponse {
                error, coordinator, ..
            } => {
                let c = &mut self.consumers[ci];
                match (error, coordinator) {
                    (None, Some(b)) => {
                        c.coordinator = Some(b);
                        if c.waiting_in_poll || c.phase == Phase::Unjoined {
                            self.schedule_poll(ci, 0);
                        }
                    }
                    _ => {
                        // Retry after retry.backoff.ms.
                        c.bootstrap += 1;
                        let backoff = c.retry_backoff_ms;
                        let marker = self.next_req();
                        self.consumers[ci]
                            .inflight
                            .insert(marker, Req::FindCoordinator);
                        self.schedule_timer(
                            Self::consumer_node(ci),
                            backoff.max(1),
                            Timer::RequestTimeout { req: marker },
                        );
                    }
                }
            }
            Message::JoinGroupResponse {
                error,
                generation,
                protocol,
                leader,
                member_id,
                members,
                skip_assignment,
                ..
            } => self.on_join_response(
                ci,
                error,
                generation,
                protocol,
                leader,
                member_id,
                members,
                skip_assignment,
            ),
            Message::SyncGroupResponse {
                error, assignment, ..
            } => self.on_sync_response(ci, error, assignment),
            Message::HeartbeatResponse { error, .. } => {
                let c = &mut self.consumers[ci];
                match error {
                    None => {}
                    Some(KafkaError::RebalanceInProgress) => {
                        c.rejoin = true;
                        if c.waiting_in_poll {
                            self.schedule_poll(ci, 0);
                        }
                    }
                    Some(KafkaError::IllegalGeneration) | Some(KafkaError::UnknownMemberId) => {
                        if error == Some(KafkaError::UnknownMemberId) {
                            c.member_id.clear();
                        }
                        c.generation = -1;
                        c.phase = Phase::Unjoined;
                        c.rejoin = true;
                        let waiting = c.waiting_in_poll;
                        self.lose_partitions(ci);
                        if waiting {
                            self.schedule_poll(ci, 0);
                        }
                    }
                    Some(KafkaError::FencedInstanceId) => self.fenced(ci),
                    Some(_) => c.coordinator = None,
                }
            }
            Message::ConsumerGroupHeartbeatResponse {
                error,
                member_id,
                member_epoch,
                heartbeat_interval_ms,
                assignment,
                ..
            } => self.kip848_on_response(
                ci,
                error,
                member_id,
                member_epoch,
                heartbeat_interval_ms,
                assignment,
            ),
            Message::OffsetCommitResponse { error, .. } => {
                let offsets = match kind {
                    Req::Commit { offsets } => offsets,
                    _ => Vec::new(),
                };
                self.commit_done(ci, req, error, offsets);
            }
            Message::OffsetFetchResponse { error, offsets, .. } => {
                if error.is_some() {
                    self.consumers[ci].coordinator = None;
                } else {
                    for (tp, o) in offsets {
                        let c = &mut self.consumers[ci];
                        if !c.awaiting_offsets.remove(&tp) || !c.owned.contains(&tp) {
                            continue;
                        }
                        if o >= 0 {
                            c.positions.insert(tp.clone(), o);
                            c.fetch_offsets.insert(tp.clone(), o);
                            c.committed.insert(tp, o);
                        } else {
                            self.apply_reset(ci, tp);
                        }
                    }
                }
            }
            Message::FetchResponse { partitions, .. } => self.on_fetch_response(ci, partitions),
            _ => {}
        }
        self.consumer_tick(ci);
    }

    fn fenced(&mut self, ci: usize) {
        let c = &mut self.consumers[ci];
        c.phase = Phase::Fenced;
        c.last_error = Some(
            "FENCED_INSTANCE_ID: another consumer with the same group.instance.id took over"
                .to_string(),
        );
        c.owned.clear();
        c.buffer.clear();
        c.processing = None;
    }

    /// `auto.offset.reset`: no committed offset, or one out of range.
    fn apply_reset(&mut self, ci: usize, tp: TopicPartition) {
        let c = &mut self.consumers[ci];
        c.positions.remove(&tp);
        c.fetch_offsets.remove(&tp);
        match c.reset {
            "earliest" => {
                c.resets.insert(tp, -2);
            }
            "latest" => {
                c.resets.insert(tp, -1);
            }
            _ => {
                c.last_error = Some(format!(
                    "NoOffsetForPartitionException: no committed offset for {tp} and auto.offset.reset=none"
                ));
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_join_response(
        &mut self,
        ci: usize,
        error: Option<KafkaError>,
        generation: i32,
        protocol: Option<String>,
        leader: String,
        member_id: String,
        members: Vec<MemberSubscription>,
        skip_assignment: bool,
    ) {
        let c = &mut self.consumers[ci];
        if c.phase != Phase::Joining {
            return;
        }
        match error {
            Some(KafkaError::MemberIdRequired) => {
                c.member_id = member_id;
                self.send_join(ci);
                return;
            }
            Some(KafkaError::UnknownMemberId) | Some(KafkaError::IllegalGeneration) => {
                c.member_id.clear();
                c.generation = -1;
                self.send_join(ci);
                return;
            }
            Some(KafkaError::RebalanceInProgress) => {
                self.send_join(ci);
                return;
            }
            Some(KafkaError::FencedInstanceId) => {
                self.fenced(ci);
                return;
            }
            Some(KafkaError::InvalidSessionTimeout) => {
                c.phase = Phase::Dead;
                c.last_error = Some("INVALID_SESSION_TIMEOUT".to_string());
                return;
            }
            Some(_) => {
                c.coordinator = None;
                c.phase = Phase::Unjoined;
                c.rejoin = true;
                return;
            }
            None => {}
        }
        c.member_id = member_id.clone();
        c.generation = generation;
        let mut assignments = Vec::new();
        if leader == member_id && !skip_assignment {
            let name = protocol
                .as_deref()
                .and_then(AssignorName::parse)
                .unwrap_or(AssignorName::Range);
            let mut topics = VecMap::new();
            for m in &members {
                for t in &m.topics {
                    if let Some(n) = self.topic_partition_count(t) {
                        topics.insert(t.clone(), TopicMeta::new(n));
                    }
                }
            }
            let any_rack = members.iter().any(|m| m.rack.is_some());
            if any_rack {
                for (t, meta) in topics.iter_mut() {
                    let racks = (0..meta.partitions)
                        .map(|p| {
                            self.controller
                                .partition(&TopicPartition::new(t.as_str(), p))
                                .map_or_else(Vec::new, |ps| {
                                    ps.replicas
                                        .iter()
                                        .filter_map(|b| {
                                            self.broker_index(*b)
                                                .and_then(|i| self.brokers[i].rack.clone())
                                        })
                                        .collect()
                                })
                        })
                        .collect();
                    meta.partition_racks = Some(racks);
                }
            }
            let sub = GroupSubscription { topics, members };
            if let Ok(a) = assignor::assign(name, &sub) {
                assignments = a.into_iter().collect();
            }
        }
        let Some(coord) = self.consumers[ci].coordinator else {
            return;
        };
        let req = self.next_req();
        let c = &mut self.consumers[ci];
        c.phase = Phase::Syncing;
        let msg = Message::SyncGroupRequest {
            req,
            group: c.group.clone(),
            member_id,
            instance_id: c.instance_id.clone(),
            generation,
            assignments,
        };
        self.consumer_request(ci, coord, msg, Req::Sync);
    }

    fn on_sync_response(
        &mut self,
        ci: usize,
        error: Option<KafkaError>,
        assignment: Vec<TopicPartition>,
    ) {
        let now = self.now;
        let c = &mut self.consumers[ci];
        if c.phase != Phase::Syncing {
            return;
        }
        match error {
            None => {}
            Some(KafkaError::RebalanceInProgress) => {
                self.send_join(ci);
                return;
            }
            Some(KafkaError::UnknownMemberId) | Some(KafkaError::IllegalGeneration) => {
                c.member_id.clear();
                c.generation = -1;
                self.lose_partitions(ci);
                self.send_join(ci);
                return;
            }
            Some(KafkaError::FencedInstanceId) => {
                self.fenced(ci);
                return;
            }
            Some(_) => {
                c.coordinator = None;
                c.phase = Phase::Unjoined;
                c.rejoin = true;
                return;
            }
        }
        let (group, gen, client) = (c.group.clone(), c.generation, c.client_id.clone());
        self.checker_on_assignment(&group, gen, &client, &assignment);
        let c = &mut self.consumers[ci];
        let revoked: Vec<TopicPartition> = c
            .owned
            .iter()
            .filter(|tp| !assignment.contains(tp))
            .cloned()
            .collect();
        let added: Vec<TopicPartition> = assignment
            .iter()
            .filter(|tp| !c.owned.contains(tp))
            .cloned()
            .collect();
        for tp in &revoked {
            c.positions.remove(tp);
            c.fetch_offsets.remove(tp);
            c.resets.remove(tp);
        }
        c.buffer.retain(|r| !revoked.contains(&r.0));
        for tp in &added {
            c.awaiting_offsets.insert(tp.clone());
        }
        if !c.cooperative {
            c.sticky_memory = Some((assignment.clone(), c.generation));
        }
        c.owned = assignment;
        c.phase = Phase::Stable;
        if !revoked.is_empty() {
            // G7: cooperative revoked what moves; the second round hands it to its new owner.
            c.rejoin = true;
        }
        if !c.owned.is_empty() {
            if let Some(since) = c.stopped_since.take() {
                let ms = now - since;
                if let Some(r) = self.rebalances.get_mut(&group).and_then(|l| l.last_mut()) {
                    r.stopped_ms.push((client, ms));
                }
            }
        }
        let every = self.consumers[ci].heartbeat_interval_ms;
        self.schedule_heartbeat(ci, every);
        self.schedule_poll(ci, 0);
    }

    fn on_fetch_response(&mut self, ci: usize, partitions: Vec<FetchPartitionData>) {
        let client = self.consumers[ci].client_id.clone();
        let mut waking = false;
        for d in partitions {
            let c = &mut self.consumers[ci];
            if !c.owned.contains(&d.tp) {
                continue;
            }
            match d.error {
                Some(KafkaError::OffsetOutOfRange) => {
                    let tp = d.tp.clone();
                    self.apply_reset(ci, tp);
                    continue;
                }
                Some(_) => {
                    c.metadata_stale = true;
                    c.metadata.remove(&d.tp);
                    continue;
                }
                None => {}
            }
            let reset = c.resets.remove(&d.tp);
            let start = match reset {
                Some(-2) => d.log_start_offset,
                // I7: "latest" is the LSO for read_committed.
                Some(_) if c.read_committed => d.last_stable_offset,
                Some(_) => d.high_watermark,
                None => match c.fetch_offsets.get(&d.tp) {
                    Some(o) => *o,
                    None => continue,
                },
            };
            if reset.is_some() {
                c.positions.insert(d.tp.clone(), start);
                c.fetch_offsets.insert(d.tp.clone(), start);
                waking = true;
            }
            let mut next = start;
            let mut max_off = -1;
            // Markers, and aborted records under read_committed, are passed over (their
            // offsets still move the position).
            let mut filter =
                super::txn::AbortedFilter::new(c.read_committed, &d.aborted_transactions);
            let mut committed_read = Vec::new();
            for b in &d.batches {
                let skip = filter.skip(b);
                for (j, r) in b.records.iter().enumerate() {
                    let off = b.base_offset + j as Offset;
                    if off < next || (reset == Some(-1)) {
                        continue;
                    }
                    if off != next {
                        break;
                    }
                    let rid = if skip { super::txn::SKIPPED_RID } else { r.rid };
                    c.buffer.push_back((d.tp.clone(), off, rid));
                    next = off + 1;
                    if !skip {
                        max_off = max_off.max(off);
                        if c.read_committed && b.transactional {
                            committed_read.push((off, r.rid));
                        }
                    }
                }
            }
            if !committed_read.is_empty() {
                self.checker_on_committed_read(&client, &d.tp, &committed_read);
            }
            let c = &mut self.consumers[ci];
            if next > start {
                c.fetch_offsets.insert(d.tp.clone(), next);
                waking = true;
            }
            if max_off >= 0 {
                self.checker_on_consumer_fetch(&client, &d.tp, d.high_watermark, max_off);
            }
        }
        if waking && self.consumers[ci].waiting_in_poll {
            self.schedule_poll(ci, 0);
        }
    }

    // ------------------------------------------------------------------ views

    pub(crate) fn consumer_view(&self, c: &Consumer) -> ConsumerView {
        ConsumerView {
            client_id: c.client_id.clone(),
            group: c.group.clone(),
            member_id: c.member_id.clone(),
            instance_id: c.instance_id.clone(),
            generation: c.generation,
            state: c.phase.name(),
            assigned: c.owned.clone(),
            positions: c
                .owned
                .iter()
                .filter_map(|tp| c.positions.get(tp).map(|p| (tp.clone(), *p)))
                .collect(),
            consumed: c.consumed,
            duplicates: c.duplicates,
            commits_ok: c.commits_ok,
            commits_failed: c.commits_failed,
            paused: c.paused_until.is_some_and(|u| u > self.now),
            coordinator: c.coordinator,
            last_error: c.last_error.clone(),
        }
    }

    /// Why the groups are not settled: a group not Stable, a consumer still joining, records
    /// below the HW not yet processed, positions not yet committed.
    pub(crate) fn groups_unsettled(&self) -> Option<String> {
        for c in &self.consumers {
            // A dynamic member that closed sent LeaveGroup (or its leave heartbeat, G8); until
            // the coordinator has it, the group still counts the member. A static member sends
            // none (G6) and keeps its place until its session times out, so it is not waited for.
            if c.phase == Phase::Closed && c.instance_id.is_none() && !c.member_id.is_empty() {
                let still_member = self.groups.get(&c.group).is_some_and(|g| {
                    g.members.contains_key(&c.member_id)
                        || g.consumer_group
                            .as_ref()
                            .is_some_and(|cg| cg.members.contains_key(&c.member_id))
                });
                if still_member {
                    return Some(format!(
                        "consumer {} closed, but the coordinator has not removed it from group {} yet",
                        c.client_id, c.group
                    ));
                }
            }
            if !c.is_alive() {
                continue;
            }
            let name = &c.client_id;
            if c.phase == Phase::Closing {
                return Some(format!("consumer {name} is closing"));
            }
            if c.paused_until.is_some_and(|u| u > self.now) {
                return Some(format!("consumer {name} is paused"));
            }
            if c.phase != Phase::Stable || c.rejoin {
                return Some(format!(
                    "consumer {name} is {} (not in a stable generation)",
                    c.phase.name()
                ));
            }
            if let Some(g) = self.groups.get(&c.group) {
                if g.state_name() != "Stable" {
                    return Some(format!("group {} is {}", c.group, g.state_name()));
                }
            }
            if c.processing.is_some() || !c.buffer.is_empty() {
                return Some(format!("consumer {name} has records to process"));
            }
            for tp in &c.owned {
                let Some(pos) = c.positions.get(tp) else {
                    if c.reset == "none" {
                        continue;
                    }
                    return Some(format!("consumer {name} has no position for {tp} yet"));
                };
                let hw = self
                    .controller
                    .partition(tp)
                    .and_then(|ps| ps.leader)
                    .and_then(|l| self.broker_index(l))
                    .and_then(|i| self.brokers[i].logs.get(tp))
                    .map_or(0, |l| if c.read_committed { l.lso() } else { l.hw });
                if *pos < hw {
                    return Some(format!(
                        "consumer {name} is at {tp} offset {pos}, the HW is {hw}"
                    ));
                }
                // Auto-commit commits every position; a manual committer only what it processed.
                let owes = if c.auto_commit {
                    c.committed.get(tp) != Some(pos)
                } else {
                    c.commits() && c.committed.get(tp).is_some_and(|o| o != pos)
                };
                if owes {
                    return Some(format!(
                        "consumer {name} has not committed {tp} offset {pos} yet"
                    ));
                }
            }
        }
        None
    }
}
