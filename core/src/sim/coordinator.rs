//! The group coordinator (classic protocol) and the broker side of consumers: `FindCoordinator`,
//! `JoinGroup`, `SyncGroup`, `Heartbeat`, `LeaveGroup`, `OffsetCommit`, `OffsetFetch`, and the
//! consumer's `Fetch` (read up to the HW only, R6; long-polled with `fetch.min.bytes` /
//! `fetch.max.wait.ms`).
//!
//! Facts: G1 (states and their valid previous states, checked on every transition), G2
//! (heartbeat answers by state, validation first), G3 (`initNextGeneration`: generation + 1,
//! CompletingRebalance if there are members, else Empty; the first member to join leads; the
//! protocol is chosen by the members' votes), G4 (`MEMBER_ID_REQUIRED` on a first dynamic join;
//! the first rebalance of an Empty group waits `group.initial.rebalance.delay.ms`, extended while
//! members keep arriving, up to the rebalance timeout), G5 (session timeouts within
//! `group.min/max.session.timeout.ms`, else `INVALID_SESSION_TIMEOUT`; `max.poll.interval.ms`
//! is the rebalance timeout), G6 (static members: a known `group.instance.id` that rejoins a
//! Stable group with the same subscription takes its old assignment without a rebalance; an
//! old member id for that instance is `FENCED_INSTANCE_ID`).
//!
//! Where the group lives: the coordinator of group `g` is the leader of partition
//! `abs(javaHashCode(g)) % offsets.topic.num.partitions` of `__consumer_offsets`, a compacted
//! internal topic created when the first `FindCoordinator` arrives. Offset commits and group
//! metadata (generation, members, assignments, written when a generation becomes Stable or the
//! group Empty) are records appended to that partition; a commit is answered once the HW passes
//! it (acks=all, as Kafka's `appendForGroup`). When leadership of the partition moves, the new
//! leader loads the group from its own copy of the log the first time a request for the group
//! reaches it; what was never replicated is gone, as in Kafka.
//!
//! Modelling choices, stated: the topic is created by a direct call to the controller (Kafka's
//! broker sends it a `CreateTopics`); `ListOffsets` is folded into the consumer fetch (offset -2
//! earliest, -1 latest); a group's `SyncGroup` answers do not wait for the group-metadata record
//! to replicate; members that got `MEMBER_ID_REQUIRED` and never came back do not hold up a
//! rebalance.

use crate::collections::{VecMap, VecSet};
use alloc::format;
use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::assignor::MemberSubscription;
use crate::error::KafkaError;
use crate::ids::{BrokerId, NodeId, Offset, TopicPartition};
use crate::view::{GroupView, MemberView, OffsetView, RebalanceView, REBALANCES_SHOWN};

use super::msg::{Batch, FetchPartitionData, JoinGroup, Message, Rec};
use super::{Sim, Timer};

// KIP-848 consumer groups (G8, A13), a child module so that it shares the hosting and the log.
#[path = "consumer_group.rs"]
mod consumer_group;
pub use consumer_group::{parse_remote_assignor, ConsumerGroup, ConsumerGroupState, MemberState};

/// The internal topic holding offsets and group metadata.
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";

/// Largest consumer fetch answer per partition (`max.partition.fetch.bytes`, 1 MiB).
const MAX_PARTITION_FETCH_BYTES: u64 = 1_048_576;

/// Java's `String.hashCode` over UTF-16 code units.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

/// Kafka's `Utils.abs(groupId.hashCode) % n` (`Utils.abs` maps `Integer.MIN_VALUE` to 0).
pub fn partition_for_group(group: &str, n: u32) -> u32 {
    let h = java_string_hash(group);
    let a = if h == i32::MIN { 0 } else { h.unsigned_abs() };
    a % n.max(1)
}

/// Classic group states (G1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

impl GroupState {
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }

    /// G1: the states a group may come from.
    pub fn valid_previous(self) -> &'static [GroupState] {
        use GroupState::*;
        match self {
            Stable => &[CompletingRebalance],
            CompletingRebalance => &[PreparingRebalance],
            PreparingRebalance => &[Stable, CompletingRebalance, Empty],
            Empty => &[PreparingRebalance],
            Dead => &[Stable, PreparingRebalance, CompletingRebalance, Empty, Dead],
        }
    }
}

/// One member as the coordinator knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMember {
    pub member_id: String,
    pub client_id: String,
    pub instance_id: Option<String>,
    pub node: NodeId,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    pub protocols: Vec<String>,
    pub subscription: MemberSubscription,
    pub assignment: Vec<TopicPartition>,
    pub awaiting_join: Option<u64>,
    pub awaiting_sync: Option<u64>,
    /// Session deadline (ms).
    pub deadline: u64,
    /// Join order: the first to join leads (G3).
    pub join_seq: u64,
}

/// Which broker holds the group in memory, and for which leadership of its partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Host {
    pub broker: BrokerId,
    pub incarnation: u32,
    pub epoch: i32,
}

/// An answer a former coordinator owes: a request that waited at `host` (a JoinGroup, a
/// commit, a transaction write, ...) when the new coordinator of `tp` loaded the group or
/// transaction before `host` heard that it lost `tp`. Kafka's coordinators are separate
/// processes, so the old one still answers NOT_COORDINATOR when it hears; here the group's or
/// transaction's state is one value that the new host replaced, so the answer waits in
/// `Sim::owed` until then ([`Sim::take_owed`]). A crash forgets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwedAnswer {
    pub host: Host,
    pub tp: TopicPartition,
    pub to: NodeId,
    pub msg: Message,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingCommit {
    pub req: u64,
    pub to: NodeId,
    /// The HW the commit's records need.
    pub required: Offset,
    pub offsets: Vec<(TopicPartition, Offset)>,
    /// Already answered with an error (`offsets.commit.timeout.ms` passed); the offsets still
    /// count once the HW passes them, as the records are in the log.
    pub answered: bool,
}

/// The leader's SyncGroup assignment, written to the group's offsets partition and waiting for
/// the HW to pass it. Kafka answers SyncGroup from the write's completion
/// (`GroupMetadataManager.classicGroupSyncGroup`'s append future): until then the group stays
/// CompletingRebalance and every member's SyncGroup waits (G3).
/// A ConsumerGroupHeartbeat answer held until the HW passes every record written to the group's
/// partition so far: Kafka's coordinator runtime completes a write operation's response only once
/// the partition's last written offset is committed, so a member never acts on an assignment a
/// failed coordinator could lose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DeferredReply {
    pub required: Offset,
    pub to: NodeId,
    pub msg: Message,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct PendingSync {
    generation: i32,
    required: Offset,
    leader: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct InitialDelay {
    remaining_ms: u64,
    new_joined: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub state: GroupState,
    pub generation: i32,
    pub protocol: Option<String>,
    pub leader: Option<String>,
    pub members: VecMap<String, GroupMember>,
    pub pending_members: VecSet<String>,
    /// Committed offsets (replicated ones only).
    pub offsets: VecMap<TopicPartition, Offset>,
    pub host: Option<Host>,
    timer_token: u64,
    initial_delay: Option<InitialDelay>,
    pending_commits: Vec<PendingCommit>,
    pending_sync: Option<PendingSync>,
    pub(crate) deferred: Vec<DeferredReply>,
    next_join_seq: u64,
    /// Owner (client id) of each partition in the last Stable generation.
    last_owners: VecMap<TopicPartition, String>,
    /// Set when the group is a KIP-848 consumer group; the classic fields above then stay
    /// Empty, except the offsets and the hosting.
    pub consumer_group: Option<alloc::boxed::Box<ConsumerGroup>>,
}

impl Group {
    fn new(id: &str) -> Self {
        Group {
            id: id.to_string(),
            state: GroupState::Empty,
            generation: 0,
            protocol: None,
            leader: None,
            members: VecMap::new(),
            pending_members: VecSet::new(),
            offsets: VecMap::new(),
            host: None,
            timer_token: 0,
            initial_delay: None,
            pending_commits: Vec::new(),
            pending_sync: None,
            deferred: Vec::new(),
            next_join_seq: 0,
            last_owners: VecMap::new(),
            consumer_group: None,
        }
    }

    fn transition(&mut self, to: GroupState) {
        debug_assert!(
            to.valid_previous().contains(&self.state),
            "G1: {} -> {} is not a valid transition",
            self.state.name(),
            to.name()
        );
        self.state = to;
    }

    fn static_member(&self, instance: &str) -> Option<String> {
        self.members
            .values()
            .find(|m| m.instance_id.as_deref() == Some(instance))
            .map(|m| m.member_id.clone())
    }

    /// `ClassicGroup.validateMember` (G2): the instance id's mapping is checked before the
    /// member id, so a replaced static member (its old member id is gone) is told
    /// FENCED_INSTANCE_ID, which is fatal for it, not UNKNOWN_MEMBER_ID, which would make it
    /// rejoin and replace its replacement in turn.
    fn validate_member(&self, member_id: &str, instance_id: Option<&str>) -> Option<KafkaError> {
        if let Some(inst) = instance_id {
            match self.static_member(inst) {
                None => return Some(KafkaError::UnknownMemberId),
                Some(id) if id != member_id => return Some(KafkaError::FencedInstanceId),
                Some(_) => {}
            }
        }
        if self.members.contains_key(member_id) {
            None
        } else {
            Some(KafkaError::UnknownMemberId)
        }
    }

    fn max_rebalance_timeout(&self) -> u64 {
        self.members
            .values()
            .map(|m| m.rebalance_timeout_ms)
            .max()
            .unwrap_or(300_000)
    }

    /// Eager or cooperative: cooperative only when every member's every assignor is.
    pub fn rebalance_protocol(&self) -> &'static str {
        let coop = !self.members.is_empty()
            && self
                .members
                .values()
                .all(|m| m.protocols.iter().all(|p| p == "cooperative-sticky"));
        if coop {
            "cooperative"
        } else {
            "eager"
        }
    }
}

/// What a `__consumer_offsets` record says (kept beside the log, by record id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OffsetsRecord {
    Commit {
        group: String,
        tp: TopicPartition,
        offset: Offset,
    },
    Group {
        group: String,
        generation: i32,
        protocol: Option<String>,
        leader: Option<String>,
        members: Vec<GroupMember>,
    },
    /// A consumer group's state (G8), one snapshot per change.
    ConsumerGroup {
        group: String,
        snapshot: ConsumerGroup,
    },
}

/// A consumer fetch waiting in the broker's fetch purgatory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParkedConsumerFetch {
    pub req: u64,
    pub client: NodeId,
    pub min_bytes: u64,
    pub read_committed: bool,
    pub partitions: Vec<(TopicPartition, Offset)>,
}

pub(crate) fn is_group_message(m: &Message) -> bool {
    matches!(
        m,
        Message::FindCoordinatorRequest { .. }
            | Message::JoinGroupRequest(_)
            | Message::SyncGroupRequest { .. }
            | Message::HeartbeatRequest { .. }
            | Message::LeaveGroupRequest { .. }
            | Message::OffsetCommitRequest { .. }
            | Message::OffsetFetchRequest { .. }
            | Message::ConsumerGroupHeartbeatRequest(_)
    )
}

fn join_error(req: u64, e: KafkaError, member_id: String) -> Message {
    Message::JoinGroupResponse {
        req,
        error: Some(e),
        generation: -1,
        protocol: None,
        leader: String::new(),
        member_id,
        members: Vec::new(),
        skip_assignment: false,
    }
}

/// What a coordinator that unloads group `g` owes the requests waiting there: NOT_COORDINATOR
/// for members waiting in JoinGroup or SyncGroup, commits waiting on their write, and deferred
/// consumer-group heartbeats (`CoordinatorRuntime.unload`, `GroupMetadataManager.onUnloaded`).
/// Takes them out of `g`.
fn unload_answers(g: &mut Group) -> Vec<(NodeId, Message)> {
    let e = KafkaError::NotCoordinator;
    let mut answers: Vec<(NodeId, Message)> = Vec::new();
    for m in g.members.values_mut() {
        if let Some(req) = m.awaiting_join.take() {
            answers.push((m.node, join_error(req, e, m.member_id.clone())));
        }
        if let Some(req) = m.awaiting_sync.take() {
            answers.push((
                m.node,
                Message::SyncGroupResponse {
                    req,
                    error: Some(e),
                    assignment: Vec::new(),
                },
            ));
        }
    }
    for c in g.pending_commits.iter_mut().filter(|c| !c.answered) {
        c.answered = true;
        answers.push((
            c.to,
            Message::OffsetCommitResponse {
                req: c.req,
                error: Some(e),
            },
        ));
    }
    for d in core::mem::take(&mut g.deferred) {
        if let Some(msg) = write_failed(d.msg, e) {
            answers.push((d.to, msg));
        }
    }
    answers
}

/// A deferred answer whose write failed (timed out, or the coordinator resigned): the same
/// response with `error` and nothing it would have handed out. Only ConsumerGroupHeartbeat
/// answers are deferred ([`Sim::reply_when_committed`]).
fn write_failed(msg: Message, error: KafkaError) -> Option<Message> {
    match msg {
        Message::ConsumerGroupHeartbeatResponse {
            req,
            member_id,
            member_epoch,
            heartbeat_interval_ms,
            ..
        } => Some(Message::ConsumerGroupHeartbeatResponse {
            req,
            error: Some(error),
            member_id,
            member_epoch,
            heartbeat_interval_ms,
            assignment: None,
        }),
        _ => None,
    }
}

impl Sim {
    // ------------------------------------------------------------------ hosting

    pub(crate) fn offsets_tp(&self, group: &str) -> Option<TopicPartition> {
        let n = self.topic_partition_count(OFFSETS_TOPIC)?;
        Some(TopicPartition::new(
            OFFSETS_TOPIC,
            partition_for_group(group, n),
        ))
    }

    /// The process `host` names is still running (it may have lost the partition since).
    fn host_is_running(&self, host: &Host) -> bool {
        self.broker_index(host.broker).is_some_and(|i| {
            self.brokers[i].is_running() && self.brokers[i].incarnation == host.incarnation
        })
    }

    fn host_is_current(&self, host: &Host, group: &str) -> bool {
        let Some(tp) = self.offsets_tp(group) else {
            return false;
        };
        let Some(i) = self.broker_index(host.broker) else {
            return false;
        };
        let br = &self.brokers[i];
        br.is_running()
            && br.incarnation == host.incarnation
            && br
                .parts
                .get(&tp)
                .and_then(|p| p.leader.as_ref())
                .is_some_and(|l| l.epoch == host.epoch)
    }

    /// Makes broker `b` the host of `group` if it leads the group's offsets partition,
    /// loading the group from its log when it was hosted elsewhere (or nowhere).
    pub(crate) fn host_group(&mut self, b: BrokerId, group: &str) -> Result<(), KafkaError> {
        let Some(tp) = self.offsets_tp(group) else {
            return Err(KafkaError::CoordinatorNotAvailable);
        };
        let i = self.broker_index(b).ok_or(KafkaError::NotCoordinator)?;
        let br = &self.brokers[i];
        let Some(ls) = br.parts.get(&tp).and_then(|p| p.leader.as_ref()) else {
            return Err(KafkaError::NotCoordinator);
        };
        let host = Host {
            broker: b,
            incarnation: br.incarnation,
            epoch: ls.epoch,
        };
        if self.groups.get(group).is_some_and(|g| g.host == Some(host)) {
            return Ok(());
        }
        self.load_group(group, host, &tp);
        Ok(())
    }

    /// Rebuilds a group from the host's copy of its offsets partition.
    fn load_group(&mut self, group: &str, host: Host, tp: &TopicPartition) {
        let i = self.broker_index(host.broker).expect("validated");
        let mut g = Group::new(group);
        let mut owed = None;
        if let Some(old) = self.groups.get_mut(group) {
            g.next_join_seq = old.next_join_seq;
            g.timer_token = old.timer_token + 1;
            g.last_owners = old.last_owners.clone();
            // Loaded here before the old host heard it lost the partition: it still owes
            // what waited there an answer.
            if let Some(h) = old.host.filter(|h| h.broker != host.broker) {
                owed = Some((h, unload_answers(old)));
            }
        }
        if let Some((h, answers)) = owed {
            self.owe(h, tp, answers);
        }
        g.host = Some(host);
        let mut snapshot = None;
        let mut consumer_snapshot = None;
        if let Some(log) = self.brokers[i].logs.get(tp) {
            for batch in &log.batches {
                // Transactional offset commits count once their transaction committed.
                if !super::txn::batch_is_committed(log, batch) {
                    continue;
                }
                for r in batch.records.iter() {
                    match self.offsets_store.get(&r.rid) {
                        Some(OffsetsRecord::Commit {
                            group: gid,
                            tp,
                            offset,
                        }) if gid == group => {
                            g.offsets.insert(tp.clone(), *offset);
                        }
                        Some(rec @ OffsetsRecord::Group { group: gid, .. }) if gid == group => {
                            snapshot = Some(rec.clone());
                            consumer_snapshot = None;
                        }
                        Some(OffsetsRecord::ConsumerGroup {
                            group: gid,
                            snapshot: cg,
                        }) if gid == group => {
                            consumer_snapshot = Some(alloc::boxed::Box::new(cg.clone()));
                            snapshot = None;
                        }
                        _ => {}
                    }
                }
            }
        }
        let now = self.now.0;
        if let Some(OffsetsRecord::Group {
            generation,
            protocol,
            leader,
            members,
            ..
        }) = snapshot
        {
            g.generation = generation;
            if !members.is_empty() {
                g.protocol = protocol;
                g.leader = leader;
                g.state = GroupState::Stable;
                for mut m in members {
                    m.awaiting_join = None;
                    m.awaiting_sync = None;
                    m.deadline = now + m.session_timeout_ms;
                    g.members.insert(m.member_id.clone(), m);
                }
            }
        }
        let expiries: Vec<(String, u64)> = g
            .members
            .values()
            .map(|m| (m.member_id.clone(), m.deadline))
            .collect();
        self.groups.insert(group.to_string(), g);
        for (m, d) in expiries {
            self.schedule_member_expiry(group, &m, d);
        }
        if let Some(cg) = consumer_snapshot {
            self.restore_consumer_group(group, cg);
        }
    }

    fn schedule_member_expiry(&mut self, group: &str, member: &str, deadline: u64) {
        let Some(host) = self.groups.get(group).and_then(|g| g.host) else {
            return;
        };
        let after = deadline.saturating_sub(self.now.0);
        self.schedule_timer(
            NodeId::Broker(host.broker),
            after,
            Timer::MemberExpiry {
                group: group.to_string(),
                member: member.to_string(),
                deadline,
            },
        );
    }

    /// Refreshes a member's session (a heartbeat, a join, a sync).
    fn touch_member(&mut self, group: &str, member: &str) {
        let now = self.now.0;
        let Some(m) = self
            .groups
            .get_mut(group)
            .and_then(|g| g.members.get_mut(member))
        else {
            return;
        };
        m.deadline = now + m.session_timeout_ms;
        let d = m.deadline;
        self.schedule_member_expiry(group, member, d);
    }

    fn set_group_deadline(&mut self, group: &str, after_ms: u64) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        g.timer_token += 1;
        let token = g.timer_token;
        let Some(host) = g.host else { return };
        self.schedule_timer(
            NodeId::Broker(host.broker),
            after_ms,
            Timer::GroupDeadline {
                group: group.to_string(),
                token,
            },
        );
    }

    pub(crate) fn group_timer_live(&self, b: BrokerId, t: &Timer) -> bool {
        let (group, ok): (&str, &dyn Fn(&Group) -> bool) = match t {
            Timer::GroupDeadline { group, token } => {
                (group, &move |g: &Group| g.timer_token == *token)
            }
            Timer::OffsetsWriteTimeout { group, required } => (group, &move |g: &Group| {
                g.deferred.iter().any(|d| d.required == *required)
                    || g.pending_sync
                        .as_ref()
                        .is_some_and(|p| p.required == *required)
                    || g.pending_commits
                        .iter()
                        .any(|c| c.required == *required && !c.answered)
            }),
            Timer::MemberExpiry {
                group,
                member,
                deadline,
            } => (group, &move |g: &Group| {
                g.members
                    .get(member)
                    .is_some_and(|m| m.deadline == *deadline)
                    || Sim::consumer_member_expiry_live(g, member, *deadline)
            }),
            _ => return false,
        };
        let Some(g) = self.groups.get(group) else {
            return false;
        };
        match g.host {
            Some(h) if h.broker == b && self.host_is_current(&h, group) => ok(g),
            _ => false,
        }
    }

    pub(crate) fn group_timer(&mut self, _b: BrokerId, t: Timer) {
        match t {
            Timer::GroupDeadline { group, .. } => self.group_deadline(&group),
            Timer::OffsetsWriteTimeout { group, required } => {
                self.offsets_write_timed_out(&group, required)
            }
            Timer::MemberExpiry { group, member, .. } => {
                let Some(m) = self.groups.get(&group).and_then(|g| g.members.get(&member)) else {
                    self.consumer_member_expired(&group, &member);
                    return;
                };
                // A member inside a rebalance is kept alive: the rebalance timeout rules it.
                if m.awaiting_join.is_some() || m.awaiting_sync.is_some() {
                    return;
                }
                let cause = format!(
                    "member {member} left: session timeout ({} ms) expired",
                    m.session_timeout_ms
                );
                self.remove_member(&group, &member, cause);
            }
            _ => {}
        }
    }

    fn group_deadline(&mut self, group: &str) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        match g.state {
            GroupState::PreparingRebalance => {
                if let Some(d) = g.initial_delay.as_mut() {
                    let initial = self
                        .broker_config
                        .get_i64("group.initial.rebalance.delay.ms")
                        .max(0) as u64;
                    if d.new_joined && d.remaining_ms > 0 && initial > 0 {
                        // G4: members keep arriving; wait once more, up to the rebalance timeout.
                        let delay = initial.min(d.remaining_ms);
                        d.remaining_ms -= delay;
                        d.new_joined = false;
                        self.set_group_deadline(group, delay);
                        return;
                    }
                    g.initial_delay = None;
                }
                self.complete_join(group);
            }
            GroupState::CompletingRebalance => {
                // Sync timeout: members that never sent SyncGroup are removed.
                let missing: Vec<String> = g
                    .members
                    .values()
                    .filter(|m| m.awaiting_sync.is_none())
                    .map(|m| m.member_id.clone())
                    .collect();
                // Every member has sent SyncGroup: the leader's assignment is being written,
                // and the write's completion or timeout decides (`expirePendingSync`).
                if missing.is_empty() {
                    return;
                }
                for m in &missing {
                    g.members.remove(m);
                    if g.leader.as_deref() == Some(m.as_str()) {
                        g.leader = None;
                    }
                }
                self.prepare_rebalance(
                    group,
                    "members failed to send SyncGroup in time".to_string(),
                );
                self.check_join_complete(group);
            }
            _ => {}
        }
    }

    // ------------------------------------------------------------------ rebalance steps

    fn prepare_rebalance(&mut self, group: &str, cause: String) {
        let now = self.now.0;
        let initial = self
            .broker_config
            .get_i64("group.initial.rebalance.delay.ms")
            .max(0) as u64;
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        let mut sync_errors = Vec::new();
        match g.state {
            GroupState::PreparingRebalance | GroupState::Dead => return,
            GroupState::CompletingRebalance => {
                for m in g.members.values_mut() {
                    if let Some(req) = m.awaiting_sync.take() {
                        sync_errors.push((m.node, req));
                    }
                }
            }
            _ => {}
        }
        let was_empty = g.state == GroupState::Empty;
        g.transition(GroupState::PreparingRebalance);
        let timeout = g.max_rebalance_timeout();
        let host = g.host.map(|h| h.broker);
        let list = self.rebalances.entry(group.to_string()).or_default();
        list.push(RebalanceView {
            cause,
            generation: 0,
            started_ms: now,
            completed_ms: None,
            partitions_moved: 0,
            stopped_ms: Vec::new(),
        });
        if list.len() > REBALANCES_SHOWN {
            list.remove(0);
        }
        if let Some(hb) = host {
            for (node, req) in sync_errors {
                self.send(
                    NodeId::Broker(hb),
                    node,
                    Message::SyncGroupResponse {
                        req,
                        error: Some(KafkaError::RebalanceInProgress),
                        assignment: Vec::new(),
                    },
                );
            }
        }
        let g = self.groups.get_mut(group).expect("exists");
        if was_empty && initial > 0 {
            g.initial_delay = Some(InitialDelay {
                remaining_ms: timeout.saturating_sub(initial),
                new_joined: false,
            });
            self.set_group_deadline(group, initial);
        } else {
            g.initial_delay = None;
            self.set_group_deadline(group, timeout);
        }
    }

    fn check_join_complete(&mut self, group: &str) {
        let Some(g) = self.groups.get(group) else {
            return;
        };
        if g.state == GroupState::PreparingRebalance
            && g.initial_delay.is_none()
            && g.members.values().all(|m| m.awaiting_join.is_some())
        {
            self.complete_join(group);
        }
    }

    /// G3: `initNextGeneration` and the JoinGroup answers.
    fn complete_join(&mut self, group: &str) {
        let now = self.now.0;
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        if g.state != GroupState::PreparingRebalance {
            return;
        }
        g.members.retain(|_, m| m.awaiting_join.is_some());
        if g.leader
            .as_ref()
            .is_some_and(|l| !g.members.contains_key(l))
        {
            g.leader = None;
        }
        g.generation += 1;
        g.initial_delay = None;
        let generation = g.generation;
        if g.members.is_empty() {
            g.transition(GroupState::Empty);
            g.protocol = None;
            g.leader = None;
            g.timer_token += 1;
            self.finish_rebalance(group, generation, VecMap::new());
            self.persist_group(group);
            return;
        }
        // The protocol: each member votes for its first choice among those all support.
        let mut order: Vec<GroupMember> = g.members.values().cloned().collect();
        crate::sort::sort_by_key(&mut order, |m| m.join_seq);
        let candidates: Vec<String> = order[0]
            .protocols
            .iter()
            .filter(|p| order.iter().all(|m| m.protocols.contains(p)))
            .cloned()
            .collect();
        let protocol = if candidates.is_empty() {
            order[0].protocols.first().cloned()
        } else {
            let mut best: Option<(usize, &String)> = None;
            for c in &candidates {
                let votes = order
                    .iter()
                    .filter(|m| m.protocols.iter().find(|p| candidates.contains(p)) == Some(c))
                    .count();
                if best.is_none_or(|(v, _)| votes > v) {
                    best = Some((votes, c));
                }
            }
            best.map(|(_, c)| c.clone())
        };
        let leader = g
            .leader
            .clone()
            .unwrap_or_else(|| order[0].member_id.clone());
        g.protocol = protocol.clone();
        g.leader = Some(leader.clone());
        g.transition(GroupState::CompletingRebalance);
        let subs: Vec<MemberSubscription> = order.iter().map(|m| m.subscription.clone()).collect();
        let mut replies = Vec::new();
        for m in g.members.values_mut() {
            let req = m.awaiting_join.take().expect("all members joined");
            m.deadline = now + m.session_timeout_ms;
            let members = if m.member_id == leader {
                subs.clone()
            } else {
                Vec::new()
            };
            replies.push((
                m.node,
                m.member_id.clone(),
                m.deadline,
                Message::JoinGroupResponse {
                    req,
                    error: None,
                    generation,
                    protocol: protocol.clone(),
                    leader: leader.clone(),
                    member_id: m.member_id.clone(),
                    members,
                    skip_assignment: false,
                },
            ));
        }
        let timeout = g.max_rebalance_timeout();
        let host = g.host.map(|h| h.broker);
        if let Some(hb) = host {
            for (node, id, deadline, msg) in replies {
                self.send(NodeId::Broker(hb), node, msg);
                self.schedule_member_expiry(group, &id, deadline);
            }
        }
        self.set_group_deadline(group, timeout);
    }

    fn finish_rebalance(
        &mut self,
        group: &str,
        generation: i32,
        owners: VecMap<TopicPartition, String>,
    ) {
        let now = self.now.0;
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        let moved = owners
            .iter()
            .filter(|(tp, c)| g.last_owners.get(*tp).is_some_and(|o| o != *c))
            .count() as u32;
        // The last member to own each partition, kept across generations that leave it
        // unassigned: cooperative round one assigns a moving partition to nobody, and round two
        // hands it to its new owner, which is where it counts as moved (A6).
        g.last_owners.extend(owners);
        if let Some(r) = self
            .rebalances
            .get_mut(group)
            .and_then(|l| l.last_mut())
            .filter(|r| r.completed_ms.is_none())
        {
            r.generation = generation;
            r.completed_ms = Some(now);
            r.partitions_moved = moved;
        }
    }

    /// Removes a member (left, expired, fenced) and rebalances what remains.
    fn remove_member(&mut self, group: &str, member: &str, cause: String) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        if g.members.remove(member).is_none() {
            return;
        }
        if g.leader.as_deref() == Some(member) {
            g.leader = None;
        }
        match g.state {
            GroupState::Stable | GroupState::CompletingRebalance => {
                self.prepare_rebalance(group, cause);
                self.check_join_complete(group);
            }
            GroupState::PreparingRebalance => self.check_join_complete(group),
            _ => {}
        }
    }

    // ------------------------------------------------------------------ the log

    /// Appends records to the group's offsets partition on host `b`; returns the HW they need.
    fn append_offsets_records(
        &mut self,
        b: BrokerId,
        group: &str,
        recs: Vec<(String, Option<String>, OffsetsRecord)>,
    ) -> Option<Offset> {
        let tp = self.offsets_tp(group)?;
        let i = self.broker_index(b)?;
        let epoch = self.brokers[i].parts.get(&tp)?.leader.as_ref()?.epoch;
        let now = self.now.0;
        let mut records = Vec::new();
        for (key, value, rec) in recs {
            let rid = self.next_rid;
            self.next_rid += 1;
            self.offsets_store.insert(rid, rec);
            records.push(Rec {
                key: Some(Rc::from(key.as_str())),
                value: value.map(|v| Rc::from(v.as_str())),
                timestamp: now,
                rid,
                origin: u32::MAX,
            });
        }
        let log = self.brokers[i].logs.entry(tp.clone()).or_default();
        let batch = Batch {
            base_offset: log.leo(),
            leader_epoch: epoch,
            producer_id: -1,
            producer_epoch: -1,
            base_sequence: -1,
            max_timestamp: now,
            records: records.into(),
            attempt: 1,
            transactional: false,
            control: None,
            codec: super::msg::Codec::None,
        };
        let required = batch.next_offset();
        log.append(batch);
        self.complete_parked_fetches(b, &tp);
        self.maybe_increment_hw(b, &tp);
        Some(required)
    }

    /// Writes the group's metadata (generation, members, assignments) to its partition;
    /// returns the HW the record needs, or `None` when the host no longer leads the partition.
    fn persist_group(&mut self, group: &str) -> Option<Offset> {
        let g = self.groups.get(group)?;
        let host = g.host?;
        let rec = OffsetsRecord::Group {
            group: group.to_string(),
            generation: g.generation,
            protocol: g.protocol.clone(),
            leader: g.leader.clone(),
            members: g.members.values().cloned().collect(),
        };
        let value = format!(
            "generation={} protocol={} members={}",
            g.generation,
            g.protocol.as_deref().unwrap_or("-"),
            g.members.len()
        );
        self.append_offsets_records(
            host.broker,
            group,
            vec![(format!("group:{group}"), Some(value), rec)],
        )
    }

    /// Schedules the `offsets.commit.timeout.ms` check of a write to `group`'s partition.
    fn schedule_offsets_write_timeout(&mut self, b: BrokerId, group: &str, required: Offset) {
        let after = self
            .broker_config
            .get_i64("offsets.commit.timeout.ms")
            .max(1) as u64;
        self.schedule_timer(
            NodeId::Broker(b),
            after,
            Timer::OffsetsWriteTimeout {
                group: group.to_string(),
                required,
            },
        );
    }

    /// Broker `b` stopped leading `tp`, a partition of `__consumer_offsets`, while running: it
    /// unloads the groups it hosted there and answers what they held with NOT_COORDINATOR, as
    /// Kafka's coordinator does on resignation (`CoordinatorRuntime.unload` cancels the timers
    /// and fails the writes waiting to be committed, commits and consumer-group heartbeats,
    /// with NOT_COORDINATOR; `GroupMetadataManager.onUnloaded` completes the members waiting in
    /// JoinGroup and SyncGroup with it). The members then look up the new coordinator at once
    /// instead of waiting out their request timeout. The new leader loads the group from its
    /// copy of the log on the first request it gets. A broker that crashes answers nothing.
    pub(crate) fn coordinator_resigned(&mut self, b: BrokerId, tp: &TopicPartition) {
        let unloaded: Vec<String> = self
            .groups
            .iter()
            .filter(|(id, g)| {
                g.host.is_some_and(|h| h.broker == b) && self.offsets_tp(id).as_ref() == Some(tp)
            })
            .map(|(id, _)| id.clone())
            .collect();
        for group in unloaded {
            let g = self.groups.get_mut(&group).expect("listed");
            let answers = unload_answers(g);
            // Unloaded: its timers die with the token, and the next host loads it afresh.
            g.pending_sync = None;
            g.host = None;
            g.timer_token += 1;
            for (to, msg) in answers {
                self.send(NodeId::Broker(b), to, msg);
            }
        }
    }

    /// Records `answers` as owed by the coordinator `host` of `tp` ([`OwedAnswer`]). A process
    /// that is no longer running owes nothing: neither these answers nor what it owed before.
    pub(crate) fn owe(&mut self, host: Host, tp: &TopicPartition, answers: Vec<(NodeId, Message)>) {
        if answers.is_empty() || !self.host_is_running(&host) {
            return;
        }
        let owed = core::mem::take(&mut self.owed);
        self.owed = owed
            .into_iter()
            .filter(|o| self.host_is_running(&o.host))
            .collect();
        for (to, msg) in answers {
            self.owed.push(OwedAnswer {
                host,
                tp: tp.clone(),
                to,
                msg,
            });
        }
    }

    /// The answers broker `b` owes for `tp`, now that it heard it lost it (those of an earlier
    /// process of `b` are dropped: a crash answers nothing). Called once for every partition a
    /// running broker stops leading, whichever coordinator the answers come from.
    pub(crate) fn take_owed(&mut self, b: BrokerId, tp: &TopicPartition) -> Vec<(NodeId, Message)> {
        if self.owed.is_empty() {
            return Vec::new();
        }
        let incarnation = self.broker_index(b).map(|i| self.brokers[i].incarnation);
        let (owed, kept): (Vec<_>, Vec<_>) = core::mem::take(&mut self.owed)
            .into_iter()
            .partition(|o| o.host.broker == b && &o.tp == tp);
        self.owed = kept;
        owed.into_iter()
            .filter(|o| Some(o.host.incarnation) == incarnation)
            .map(|o| (o.to, o.msg))
            .collect()
    }

    /// A write to `group`'s partition waited `offsets.commit.timeout.ms`: REQUEST_TIMED_OUT,
    /// which the coordinator answers as COORDINATOR_NOT_AVAILABLE
    /// (`appendGroupMetadataErrorToResponseError`).
    fn offsets_write_timed_out(&mut self, group: &str, required: Offset) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        let Some(host) = g.host else { return };
        let mut late = Vec::new();
        for c in g.pending_commits.iter_mut() {
            if c.required == required && !c.answered {
                c.answered = true;
                late.push((c.to, c.req));
            }
        }
        for (to, req) in late {
            self.send(
                NodeId::Broker(host.broker),
                to,
                Message::OffsetCommitResponse {
                    req,
                    error: Some(KafkaError::CoordinatorNotAvailable),
                },
            );
        }
        let g = self.groups.get_mut(group).expect("exists");
        let (late, keep): (Vec<DeferredReply>, Vec<DeferredReply>) =
            core::mem::take(&mut g.deferred)
                .into_iter()
                .partition(|d| d.required == required);
        g.deferred = keep;
        for d in late {
            if let Some(msg) = write_failed(d.msg, KafkaError::CoordinatorNotAvailable) {
                self.send(NodeId::Broker(host.broker), d.to, msg);
            }
        }
        let g = self.groups.get_mut(group).expect("exists");
        if g.pending_sync
            .as_ref()
            .is_some_and(|p| p.required == required)
        {
            self.sync_write_failed(group, KafkaError::CoordinatorNotAvailable);
        }
    }

    /// The leader's assignment could not be stored: every waiting member gets `error`, the
    /// assignment is dropped and the group rebalances (`resetAndPropagateAssignmentWithError`,
    /// then `maybePrepareRebalanceOrCompleteJoin`).
    fn sync_write_failed(&mut self, group: &str, error: KafkaError) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        let Some(p) = g.pending_sync.take() else {
            return;
        };
        if g.state != GroupState::CompletingRebalance || g.generation != p.generation {
            return;
        }
        let Some(host) = g.host else { return };
        let mut waiting = Vec::new();
        for m in g.members.values_mut() {
            m.assignment.clear();
            if let Some(r) = m.awaiting_sync.take() {
                waiting.push((m.node, r));
            }
        }
        for (node, req) in waiting {
            self.send(
                NodeId::Broker(host.broker),
                node,
                Message::SyncGroupResponse {
                    req,
                    error: Some(error),
                    assignment: Vec::new(),
                },
            );
        }
        let cause = format!(
            "Error {} when storing group assignment during SyncGroup (member: {})",
            error.name(),
            p.leader
        );
        self.prepare_rebalance(group, cause);
        self.check_join_complete(group);
    }

    /// The HW passed the leader's stored assignment: the group is Stable and every member that
    /// sent SyncGroup gets its partitions (`setAndPropagateAssignment`).
    fn complete_stored_sync(&mut self, b: BrokerId, group: &str) {
        let Some(hw) = self.offsets_hw(b, group) else {
            return;
        };
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        if g.pending_sync.as_ref().is_none_or(|p| p.required > hw) {
            return;
        }
        let p = g.pending_sync.take().expect("checked");
        if g.state != GroupState::CompletingRebalance || g.generation != p.generation {
            return;
        }
        let mut owners = VecMap::new();
        for m in g.members.values() {
            for tp in &m.assignment {
                owners.insert(tp.clone(), m.client_id.clone());
            }
        }
        g.transition(GroupState::Stable);
        g.timer_token += 1;
        let mut replies = Vec::new();
        for m in g.members.values_mut() {
            if let Some(r) = m.awaiting_sync.take() {
                replies.push((m.node, m.member_id.clone(), r, m.assignment.clone()));
            }
        }
        self.finish_rebalance(group, p.generation, owners);
        for (node, id, r, assignment) in replies {
            self.send(
                NodeId::Broker(b),
                node,
                Message::SyncGroupResponse {
                    req: r,
                    error: None,
                    assignment,
                },
            );
            self.touch_member(group, &id);
        }
    }

    /// Consumer fetches parked at `b` that include `tp` are answered if they can be now: enough
    /// bytes, or an error for one of their partitions (Kafka's `DelayedFetch.tryComplete`: the
    /// broker no longer leads it, or its epoch moved).
    pub(crate) fn complete_parked_consumer_fetches(&mut self, b: BrokerId, tp: &TopicPartition) {
        let Some(i) = self.broker_index(b) else {
            return;
        };
        if self.brokers[i]
            .consumer_parked
            .iter()
            .any(|p| p.partitions.iter().any(|(t, _)| t == tp))
        {
            let parked = core::mem::take(&mut self.brokers[i].consumer_parked);
            let mut keep = Vec::new();
            for p in parked {
                if p.partitions.iter().any(|(t, _)| t == tp) {
                    let (resp, bytes, errors) = self.build_consumer_fetch(b, &p);
                    if errors || bytes >= p.min_bytes {
                        self.send(
                            NodeId::Broker(b),
                            p.client,
                            Message::FetchResponse {
                                req: p.req,
                                partitions: resp,
                            },
                        );
                        continue;
                    }
                }
                keep.push(p);
            }
            let added = core::mem::take(&mut self.brokers[i].consumer_parked);
            keep.extend(added);
            self.brokers[i].consumer_parked = keep;
        }
    }

    /// The HW of `tp` rose on `b`: parked consumer fetches and offset commits may complete.
    pub(crate) fn on_hw_advanced(&mut self, b: BrokerId, tp: &TopicPartition) {
        if self.broker_index(b).is_none() {
            return;
        }
        self.complete_parked_consumer_fetches(b, tp);
        self.txn_on_hw_advanced(b, tp);
        if tp.topic() != OFFSETS_TOPIC {
            return;
        }
        let groups: Vec<String> = self
            .groups
            .iter()
            .filter(|(_, g)| {
                g.host.is_some_and(|h| h.broker == b)
                    && (!g.pending_commits.is_empty()
                        || g.pending_sync.is_some()
                        || !g.deferred.is_empty())
            })
            .map(|(k, _)| k.clone())
            .collect();
        for gid in groups {
            if self.offsets_tp(&gid).as_ref() == Some(tp) {
                self.answer_replicated_commits(b, &gid);
                self.complete_stored_sync(b, &gid);
                self.answer_deferred(b, &gid);
            }
        }
    }

    // ------------------------------------------------------------------ requests

    pub(crate) fn coordinator_receive(&mut self, b: BrokerId, from: NodeId, msg: Message) {
        let me = NodeId::Broker(b);
        match msg {
            Message::FindCoordinatorRequest { req, group } => {
                let (error, coordinator) = self.find_coordinator(b, &group);
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
            Message::JoinGroupRequest(j) => self.handle_join(b, from, &j),
            Message::ConsumerGroupHeartbeatRequest(h) => {
                self.handle_consumer_group_heartbeat(b, from, &h)
            }
            Message::SyncGroupRequest {
                req,
                group,
                member_id,
                instance_id,
                generation,
                assignments,
            } => self.handle_sync(
                b,
                from,
                req,
                &group,
                &member_id,
                instance_id.as_deref(),
                generation,
                assignments,
            ),
            Message::HeartbeatRequest {
                req,
                group,
                member_id,
                instance_id,
                generation,
            } => {
                let error = self.handle_heartbeat(
                    b,
                    &group,
                    &member_id,
                    instance_id.as_deref(),
                    generation,
                );
                self.send(me, from, Message::HeartbeatResponse { req, error });
            }
            Message::LeaveGroupRequest {
                req,
                group,
                member_id,
                instance_id,
            } => {
                let error = match self.host_group(b, &group) {
                    Err(e) => Some(e),
                    Ok(()) => {
                        let g = &self.groups[&group];
                        let fenced = instance_id
                            .as_deref()
                            .and_then(|i| g.static_member(i))
                            .is_some_and(|id| id != member_id);
                        if fenced {
                            Some(KafkaError::FencedInstanceId)
                        } else if !g.members.contains_key(&member_id) {
                            Some(KafkaError::UnknownMemberId)
                        } else {
                            let client = g.members[&member_id].client_id.clone();
                            self.remove_member(
                                &group,
                                &member_id,
                                format!(
                                    "member {member_id} ({client}) left the group (LeaveGroup)"
                                ),
                            );
                            None
                        }
                    }
                };
                self.send(me, from, Message::LeaveGroupResponse { req, error });
            }
            Message::OffsetCommitRequest {
                req,
                group,
                member_id,
                generation,
                offsets,
            } => {
                if let Some(e) =
                    self.handle_commit(b, from, req, &group, &member_id, generation, offsets)
                {
                    self.send(
                        me,
                        from,
                        Message::OffsetCommitResponse {
                            req,
                            error: Some(e),
                        },
                    );
                }
            }
            Message::OffsetFetchRequest {
                req,
                group,
                partitions,
            } => {
                let (error, offsets) = match self.host_group(b, &group) {
                    Err(e) => (Some(e), Vec::new()),
                    Ok(()) => {
                        let g = &self.groups[&group];
                        let offs = partitions
                            .into_iter()
                            .map(|tp| {
                                let o = g.offsets.get(&tp).copied().unwrap_or(-1);
                                (tp, o)
                            })
                            .collect();
                        (None, offs)
                    }
                };
                self.send(
                    me,
                    from,
                    Message::OffsetFetchResponse {
                        req,
                        error,
                        offsets,
                    },
                );
            }
            _ => {}
        }
    }

    /// Kafka creates `__consumer_offsets` the first time a coordinator is looked up.
    pub(crate) fn ensure_offsets_topic(&mut self) {
        self.ensure_internal_topic(
            OFFSETS_TOPIC,
            "offsets.topic.num.partitions",
            "offsets.topic.replication.factor",
            None,
        );
    }

    /// Creates a compacted internal topic (`__consumer_offsets`, `__transaction_state`) on
    /// first use, sized by its broker configs; the replication factor is capped by the live
    /// brokers and the min ISR (when the topic has its own) by the replication factor.
    pub(crate) fn ensure_internal_topic(
        &mut self,
        name: &str,
        partitions_key: &str,
        replication_key: &str,
        min_isr_key: Option<&str>,
    ) {
        if self.controller.topics.contains_key(name) {
            return;
        }
        let live = self
            .controller
            .brokers
            .values()
            .filter(|r| !r.fenced && !r.shutting_down)
            .count() as u32;
        if live == 0 {
            return;
        }
        let n = self.broker_config.get_i64(partitions_key).max(1) as u32;
        let rf = (self.broker_config.get_i64(replication_key).max(1) as u32).min(live);
        let mut configs = alloc::vec![("cleanup.policy".to_string(), "compact".to_string())];
        if let Some(key) = min_isr_key {
            let min_isr = (self.broker_config.get_i64(key).max(1) as u32).min(rf);
            configs.push(("min.insync.replicas".to_string(), min_isr.to_string()));
        }
        let _ = self.create_topic(name, Some(n), Some(rf), None, &configs);
    }

    fn find_coordinator(
        &mut self,
        b: BrokerId,
        group: &str,
    ) -> (Option<KafkaError>, Option<BrokerId>) {
        let Some(tp) = self.offsets_tp(group) else {
            self.ensure_offsets_topic();
            return (Some(KafkaError::CoordinatorNotAvailable), None);
        };
        let i = self.broker_index(b).expect("delivered to a broker");
        // Answered from this broker's metadata cache.
        match self.brokers[i].parts.get(&tp).and_then(|p| p.state.leader) {
            Some(l) => (None, Some(l)),
            None => {
                // This broker may not replicate the partition: ask the controller's view.
                match self.controller.partition(&tp).and_then(|p| p.leader) {
                    Some(l) if self.brokers[i].metadata_version > 0 => (None, Some(l)),
                    _ => (Some(KafkaError::CoordinatorNotAvailable), None),
                }
            }
        }
    }

    fn handle_join(&mut self, b: BrokerId, from: NodeId, j: &JoinGroup) {
        let me = NodeId::Broker(b);
        let req = j.req;
        let member_id = j.subscription.member_id.clone();
        let min = self.broker_config.get_i64("group.min.session.timeout.ms") as u64;
        let max = self.broker_config.get_i64("group.max.session.timeout.ms") as u64;
        if j.session_timeout_ms < min || j.session_timeout_ms > max {
            self.send(
                me,
                from,
                join_error(req, KafkaError::InvalidSessionTimeout, member_id),
            );
            return;
        }
        if let Err(e) = self.host_group(b, &j.group) {
            self.send(me, from, join_error(req, e, member_id));
            return;
        }
        let group = j.group.as_str();
        let now = self.now.0;
        let g = self.groups.get_mut(group).expect("hosted");
        if let Some(cg) = &g.consumer_group {
            // A consumer group (KIP-848) with members takes no classic member; an empty one
            // becomes a classic group again.
            if !cg.members.is_empty() {
                self.send(
                    me,
                    from,
                    join_error(req, KafkaError::InconsistentGroupProtocol, member_id),
                );
                return;
            }
            g.consumer_group = None;
        }
        if g.state == GroupState::Dead {
            self.send(
                me,
                from,
                join_error(req, KafkaError::CoordinatorNotAvailable, member_id),
            );
            return;
        }
        let instance = j.subscription.group_instance_id.clone();
        let new_member = |id: String, seq: u64| GroupMember {
            member_id: id.clone(),
            client_id: j.client_id.clone(),
            instance_id: instance.clone(),
            node: from,
            session_timeout_ms: j.session_timeout_ms,
            rebalance_timeout_ms: j.rebalance_timeout_ms,
            protocols: j.protocols.clone(),
            subscription: MemberSubscription {
                member_id: id,
                ..j.subscription.clone()
            },
            assignment: Vec::new(),
            awaiting_join: Some(req),
            awaiting_sync: None,
            deadline: now + j.session_timeout_ms,
            join_seq: seq,
        };
        if member_id.is_empty() {
            // ClassicGroup.generateMemberId: a static member's id starts with its instance id.
            let prefix = instance.as_deref().unwrap_or(j.client_id.as_str());
            let new_id = format!("{prefix}-{}", self.uuid());
            let g = self.groups.get_mut(group).expect("hosted");
            if let Some(inst) = instance.clone() {
                if let Some(old_id) = g.static_member(&inst) {
                    // G6: a static member back under a new member id takes the old one's place.
                    let mut m = g.members.remove(&old_id).expect("found");
                    let changed = m.subscription.topics != j.subscription.topics
                        || m.protocols != j.protocols;
                    m.member_id = new_id.clone();
                    m.subscription = MemberSubscription {
                        member_id: new_id.clone(),
                        owned: m.subscription.owned.clone(),
                        generation: m.subscription.generation,
                        ..j.subscription.clone()
                    };
                    m.node = from;
                    m.protocols = j.protocols.clone();
                    m.session_timeout_ms = j.session_timeout_ms;
                    m.rebalance_timeout_ms = j.rebalance_timeout_ms;
                    m.deadline = now + j.session_timeout_ms;
                    m.awaiting_sync = None;
                    m.awaiting_join = None;
                    let was_leader = g.leader.as_deref() == Some(old_id.as_str());
                    if was_leader {
                        g.leader = Some(new_id.clone());
                    }
                    g.members.insert(new_id.clone(), m);
                    let state = g.state;
                    if state == GroupState::Stable && !changed {
                        // No rebalance: it syncs to get its old assignment (KIP-345, KIP-814).
                        let msg = Message::JoinGroupResponse {
                            req,
                            error: None,
                            generation: g.generation,
                            protocol: g.protocol.clone(),
                            leader: g.leader.clone().unwrap_or_default(),
                            member_id: new_id.clone(),
                            members: Vec::new(),
                            skip_assignment: was_leader,
                        };
                        self.send(me, from, msg);
                        self.touch_member(group, &new_id);
                        self.persist_group(group);
                    } else {
                        let g = self.groups.get_mut(group).expect("hosted");
                        g.members.get_mut(&new_id).expect("inserted").awaiting_join = Some(req);
                        self.prepare_rebalance(
                            group,
                            format!("static member {inst} rejoined as {new_id}"),
                        );
                        self.check_join_complete(group);
                    }
                    return;
                }
                // A new static member joins directly (no MEMBER_ID_REQUIRED round).
                let seq = g.next_join_seq;
                g.next_join_seq += 1;
                g.members
                    .insert(new_id.clone(), new_member(new_id.clone(), seq));
                self.member_joined(group, format!("static member {inst} ({new_id}) joined"));
                return;
            }
            // G4 (KIP-394): a dynamic member first gets its id, then joins with it.
            g.pending_members.insert(new_id.clone());
            self.send(
                me,
                from,
                join_error(req, KafkaError::MemberIdRequired, new_id),
            );
            return;
        }
        let g = self.groups.get_mut(group).expect("hosted");
        if let Some(inst) = &instance {
            if g.static_member(inst).is_some_and(|id| id != member_id) {
                self.send(
                    me,
                    from,
                    join_error(req, KafkaError::FencedInstanceId, member_id),
                );
                return;
            }
        }
        if g.pending_members.remove(&member_id) {
            let seq = g.next_join_seq;
            g.next_join_seq += 1;
            g.members
                .insert(member_id.clone(), new_member(member_id.clone(), seq));
            self.member_joined(group, format!("new member {member_id} joined"));
            return;
        }
        let Some(m) = g.members.get_mut(&member_id) else {
            self.send(
                me,
                from,
                join_error(req, KafkaError::UnknownMemberId, member_id),
            );
            return;
        };
        let changed = m.subscription.topics != j.subscription.topics
            || m.subscription.owned != j.subscription.owned
            || m.protocols != j.protocols;
        m.subscription = j.subscription.clone();
        m.protocols = j.protocols.clone();
        m.node = from;
        m.deadline = now + m.session_timeout_ms;
        let is_leader = g.leader.as_deref() == Some(member_id.as_str());
        match g.state {
            GroupState::PreparingRebalance => {
                m.awaiting_join = Some(req);
                self.check_join_complete(group);
            }
            GroupState::CompletingRebalance | GroupState::Stable
                if !changed && (!is_leader || g.state != GroupState::Stable) =>
            {
                // Nothing new: the member gets the current generation's answer again.
                let members = if is_leader {
                    let mut v: Vec<&GroupMember> = g.members.values().collect();
                    crate::sort::sort_by_key(&mut v, |m| m.join_seq);
                    v.into_iter().map(|m| m.subscription.clone()).collect()
                } else {
                    Vec::new()
                };
                let msg = Message::JoinGroupResponse {
                    req,
                    error: None,
                    generation: g.generation,
                    protocol: g.protocol.clone(),
                    leader: g.leader.clone().unwrap_or_default(),
                    member_id: member_id.clone(),
                    members,
                    skip_assignment: false,
                };
                self.send(me, from, msg);
            }
            GroupState::CompletingRebalance | GroupState::Stable => {
                m.awaiting_join = Some(req);
                let cause = if changed {
                    format!(
                        "member {member_id} rejoined with a new subscription or owned partitions"
                    )
                } else {
                    format!("leader {member_id} rejoined")
                };
                self.prepare_rebalance(group, cause);
            }
            GroupState::Empty | GroupState::Dead => {
                self.send(
                    me,
                    from,
                    join_error(req, KafkaError::UnknownMemberId, member_id),
                );
            }
        }
    }

    /// A new member is in: start (or extend) a rebalance.
    fn member_joined(&mut self, group: &str, cause: String) {
        let g = self.groups.get_mut(group).expect("hosted");
        match g.state {
            GroupState::PreparingRebalance => {
                if let Some(d) = g.initial_delay.as_mut() {
                    d.new_joined = true;
                }
                self.check_join_complete(group);
            }
            _ => {
                self.prepare_rebalance(group, cause);
                self.check_join_complete(group);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn handle_sync(
        &mut self,
        b: BrokerId,
        from: NodeId,
        req: u64,
        group: &str,
        member_id: &str,
        instance_id: Option<&str>,
        generation: i32,
        assignments: Vec<(String, Vec<TopicPartition>)>,
    ) {
        let me = NodeId::Broker(b);
        let reply = |e: KafkaError| Message::SyncGroupResponse {
            req,
            error: Some(e),
            assignment: Vec::new(),
        };
        if let Err(e) = self.host_group(b, group) {
            self.send(me, from, reply(e));
            return;
        }
        let g = self.groups.get_mut(group).expect("hosted");
        let err = if g.state == GroupState::Dead {
            Some(KafkaError::CoordinatorNotAvailable)
        } else if let Some(e) = g.validate_member(member_id, instance_id) {
            Some(e)
        } else if generation != g.generation {
            Some(KafkaError::IllegalGeneration)
        } else if g.state == GroupState::PreparingRebalance {
            Some(KafkaError::RebalanceInProgress)
        } else {
            None
        };
        if let Some(e) = err {
            self.send(me, from, reply(e));
            return;
        }
        match g.state {
            GroupState::Stable => {
                let assignment = g.members[member_id].assignment.clone();
                self.send(
                    me,
                    from,
                    Message::SyncGroupResponse {
                        req,
                        error: None,
                        assignment,
                    },
                );
                self.touch_member(group, member_id);
            }
            GroupState::CompletingRebalance => {
                let m = g.members.get_mut(member_id).expect("checked");
                m.awaiting_sync = Some(req);
                m.node = from;
                let gen = g.generation;
                let storing = g.pending_sync.as_ref().is_some_and(|p| p.generation == gen);
                if g.leader.as_deref() != Some(member_id) || storing {
                    return;
                }
                let given: VecMap<String, Vec<TopicPartition>> = assignments.into_iter().collect();
                for m in g.members.values_mut() {
                    m.assignment = given.get(&m.member_id).cloned().unwrap_or_default();
                }
                // The assignment is answered only once it is replicated: a coordinator that
                // fails before then must not hand the same generation out twice.
                let Some(required) = self.persist_group(group) else {
                    let g = self.groups.get_mut(group).expect("hosted");
                    g.pending_sync = Some(PendingSync {
                        generation: gen,
                        required: Offset::MAX,
                        leader: member_id.to_string(),
                    });
                    self.sync_write_failed(group, KafkaError::NotCoordinator);
                    return;
                };
                let g = self.groups.get_mut(group).expect("hosted");
                g.pending_sync = Some(PendingSync {
                    generation: gen,
                    required,
                    leader: member_id.to_string(),
                });
                self.schedule_offsets_write_timeout(b, group, required);
                // A single-replica ISR: the HW has already passed the record.
                self.complete_stored_sync(b, group);
            }
            _ => self.send(me, from, reply(KafkaError::UnknownMemberId)),
        }
    }

    /// G2: validation first, then the answer by state.
    pub(crate) fn handle_heartbeat(
        &mut self,
        b: BrokerId,
        group: &str,
        member_id: &str,
        instance_id: Option<&str>,
        generation: i32,
    ) -> Option<KafkaError> {
        if let Err(e) = self.host_group(b, group) {
            return Some(e);
        }
        let g = &self.groups[group];
        if g.state == GroupState::Dead {
            return Some(KafkaError::CoordinatorNotAvailable);
        }
        if let Some(e) = g.validate_member(member_id, instance_id) {
            return Some(e);
        }
        if generation != g.generation {
            return Some(KafkaError::IllegalGeneration);
        }
        let state = g.state;
        self.touch_member(group, member_id);
        match state {
            GroupState::Empty => Some(KafkaError::UnknownMemberId),
            GroupState::PreparingRebalance => Some(KafkaError::RebalanceInProgress),
            _ => None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn handle_commit(
        &mut self,
        b: BrokerId,
        from: NodeId,
        req: u64,
        group: &str,
        member_id: &str,
        generation: i32,
        offsets: Vec<(TopicPartition, Offset)>,
    ) -> Option<KafkaError> {
        if let Err(e) = self.host_group(b, group) {
            return Some(e);
        }
        let g = &self.groups[group];
        if g.consumer_group.is_some() {
            if let Some(e) = Sim::consumer_group_commit_error(g, member_id, generation) {
                return Some(e);
            }
        } else if generation < 0 && member_id.is_empty() {
            if g.state != GroupState::Empty {
                return Some(KafkaError::UnknownMemberId);
            }
        } else if !g.members.contains_key(member_id) {
            return Some(KafkaError::UnknownMemberId);
        } else if generation != g.generation {
            return Some(KafkaError::IllegalGeneration);
        } else if g.state == GroupState::CompletingRebalance {
            return Some(KafkaError::RebalanceInProgress);
        }
        let recs = offsets
            .iter()
            .map(|(tp, o)| {
                (
                    format!("offset:{group}:{tp}"),
                    Some(format!("offset={o}")),
                    OffsetsRecord::Commit {
                        group: group.to_string(),
                        tp: tp.clone(),
                        offset: *o,
                    },
                )
            })
            .collect();
        self.groups
            .get_mut(group)
            .expect("hosted")
            .pending_commits
            .push(PendingCommit {
                req,
                to: from,
                required: Offset::MAX,
                offsets,
                answered: false,
            });
        let Some(required) = self.append_offsets_records(b, group, recs) else {
            let g = self.groups.get_mut(group).expect("hosted");
            g.pending_commits.retain(|c| c.req != req);
            return Some(KafkaError::NotCoordinator);
        };
        let g = self.groups.get_mut(group).expect("hosted");
        if let Some(c) = g.pending_commits.iter_mut().find(|c| c.req == req) {
            c.required = required;
        }
        self.schedule_offsets_write_timeout(b, group, required);
        // A single-replica ISR: the HW has already passed the records.
        self.answer_replicated_commits(b, group);
        None
    }

    /// The HW and log end of `group`'s offsets partition on broker `b`.
    fn offsets_log_ends(&self, b: BrokerId, group: &str) -> Option<(Offset, Offset)> {
        let tp = self.offsets_tp(group)?;
        let log = self.brokers[self.broker_index(b)?].logs.get(&tp)?;
        Some((log.hw, log.leo()))
    }

    /// The HW of `group`'s offsets partition on broker `b` (0 before anything is written).
    fn offsets_hw(&self, b: BrokerId, group: &str) -> Option<Offset> {
        let tp = self.offsets_tp(group)?;
        let i = self.broker_index(b)?;
        Some(self.brokers[i].logs.get(&tp).map_or(0, |l| l.hw))
    }

    /// Sends `msg` from the coordinator `b` of `group` once the HW of the group's partition has
    /// reached its log end (everything written so far is committed), at once if it has.
    pub(crate) fn reply_when_committed(
        &mut self,
        b: BrokerId,
        group: &str,
        to: NodeId,
        msg: Message,
    ) {
        let hosted_here = self
            .groups
            .get(group)
            .is_some_and(|g| g.host.is_some_and(|h| h.broker == b));
        let pending = self
            .offsets_log_ends(b, group)
            .filter(|(hw, leo)| hosted_here && hw < leo);
        let Some((_, leo)) = pending else {
            self.send(NodeId::Broker(b), to, msg);
            return;
        };
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        let first = !g.deferred.iter().any(|d| d.required == leo);
        g.deferred.push(DeferredReply {
            required: leo,
            to,
            msg,
        });
        if first {
            self.schedule_offsets_write_timeout(b, group, leo);
        }
    }

    /// Sends the deferred answers of `group` whose records the HW has passed.
    fn answer_deferred(&mut self, b: BrokerId, group: &str) {
        let Some(hw) = self.offsets_hw(b, group) else {
            return;
        };
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        let (done, wait): (Vec<DeferredReply>, Vec<DeferredReply>) =
            core::mem::take(&mut g.deferred)
                .into_iter()
                .partition(|d| d.required <= hw);
        g.deferred = wait;
        for d in done {
            self.send(NodeId::Broker(b), d.to, d.msg);
        }
    }

    /// Answers the commits of `group` whose records the HW has passed.
    fn answer_replicated_commits(&mut self, b: BrokerId, group: &str) {
        let Some(hw) = self.offsets_hw(b, group) else {
            return;
        };
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        let (done, wait): (Vec<PendingCommit>, Vec<PendingCommit>) =
            core::mem::take(&mut g.pending_commits)
                .into_iter()
                .partition(|c| c.required <= hw);
        g.pending_commits = wait;
        for c in done {
            let g = self.groups.get_mut(group).expect("exists");
            for (tp, o) in &c.offsets {
                g.offsets.insert(tp.clone(), *o);
            }
            if c.answered {
                continue;
            }
            self.send(
                NodeId::Broker(b),
                c.to,
                Message::OffsetCommitResponse {
                    req: c.req,
                    error: None,
                },
            );
        }
    }

    /// A member id's uuid part, drawn from the seed (`UUID.randomUUID()` format).
    fn uuid(&mut self) -> String {
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        let hex = |v: u64, digits: usize| -> String {
            let s = format!("{v:016x}");
            s[16 - digits..].to_string()
        };
        let ver = (a & 0xffff_ffff_ffff_0fff) | 0x4000;
        let var = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        format!(
            "{}-{}-{}-{}-{}",
            hex(ver >> 32, 8),
            hex((ver >> 16) & 0xffff, 4),
            hex(ver & 0xffff, 4),
            hex(var >> 48, 4),
            hex(var & 0xffff_ffff_ffff, 12)
        )
    }

    // ------------------------------------------------------------------ consumer fetch

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn handle_consumer_fetch(
        &mut self,
        b: BrokerId,
        from: NodeId,
        req: u64,
        max_wait_ms: u64,
        min_bytes: u64,
        read_committed: bool,
        partitions: Vec<(TopicPartition, Offset)>,
    ) {
        let p = ParkedConsumerFetch {
            req,
            client: from,
            min_bytes,
            read_committed,
            partitions,
        };
        let (resp, bytes, errors) = self.build_consumer_fetch(b, &p);
        if errors || bytes >= min_bytes || max_wait_ms == 0 {
            self.send(
                NodeId::Broker(b),
                from,
                Message::FetchResponse {
                    req,
                    partitions: resp,
                },
            );
        } else {
            let i = self.broker_index(b).expect("validated");
            self.brokers[i].consumer_parked.push(p);
            self.schedule_timer(
                NodeId::Broker(b),
                max_wait_ms,
                Timer::ConsumerFetchWait { req },
            );
        }
    }

    pub(crate) fn consumer_fetch_expired(&mut self, b: BrokerId, req: u64) {
        let i = self.broker_index(b).expect("validated");
        let Some(pos) = self.brokers[i]
            .consumer_parked
            .iter()
            .position(|p| p.req == req)
        else {
            return;
        };
        let p = self.brokers[i].consumer_parked.remove(pos);
        let (resp, _, _) = self.build_consumer_fetch(b, &p);
        self.send(
            NodeId::Broker(b),
            p.client,
            Message::FetchResponse {
                req,
                partitions: resp,
            },
        );
    }

    /// R6 / I7: a consumer reads from the leader, up to the HW (the LSO under read_committed,
    /// which equals the HW while there are no transactions). Returns the answer, its size, and
    /// whether any partition carries an error.
    fn build_consumer_fetch(
        &self,
        b: BrokerId,
        p: &ParkedConsumerFetch,
    ) -> (Vec<FetchPartitionData>, u64, bool) {
        let br = &self.brokers[self.broker_index(b).expect("validated")];
        let mut out = Vec::new();
        let mut bytes = 0;
        let mut errors = false;
        for (tp, off) in &p.partitions {
            let mut d = FetchPartitionData {
                tp: tp.clone(),
                error: None,
                high_watermark: -1,
                log_start_offset: -1,
                diverging_epoch: None,
                batches: Vec::new(),
                aborted_transactions: Vec::new(),
                last_stable_offset: -1,
            };
            let leads = br.parts.get(tp).is_some_and(|pm| pm.leader.is_some());
            match br.logs.get(tp) {
                Some(log) if leads => {
                    // I7: read_committed reads up to the LSO, read_uncommitted to the HW.
                    let limit = if p.read_committed { log.lso() } else { log.hw };
                    d.high_watermark = log.hw;
                    d.last_stable_offset = log.lso();
                    d.log_start_offset = log.log_start;
                    let start = match *off {
                        -2 => log.log_start,
                        -1 => limit,
                        o => o,
                    };
                    if start < log.log_start || start > log.leo() {
                        d.error = Some(KafkaError::OffsetOutOfRange);
                    } else if start < limit {
                        let mut size = 0;
                        for batch in log.read_from(start, MAX_PARTITION_FETCH_BYTES) {
                            if batch.base_offset >= limit {
                                break;
                            }
                            let batch = if batch.next_offset() > limit {
                                let keep = (limit - batch.base_offset) as usize;
                                let recs: Vec<Rec> = batch.records[..keep].to_vec();
                                Batch {
                                    records: recs.into(),
                                    ..batch
                                }
                            } else {
                                batch
                            };
                            size += batch.size_bytes();
                            d.batches.push(batch);
                        }
                        bytes += size;
                        if p.read_committed {
                            d.aborted_transactions = log.aborted_between(start, limit);
                        }
                    }
                }
                _ => {
                    d.error = Some(if self.controller.topics.contains_key(tp.topic()) {
                        KafkaError::NotLeaderOrFollower
                    } else {
                        KafkaError::UnknownTopicOrPartition
                    })
                }
            }
            errors |= d.error.is_some();
            out.push(d);
        }
        (out, bytes, errors)
    }

    // ------------------------------------------------------------------ admin and views

    pub(crate) fn reset_offsets(
        &mut self,
        group: &str,
        topic: &str,
        to: super::ResetTo,
    ) -> Result<super::Outcome, crate::CommandError> {
        use crate::CommandError;
        if group.is_empty() {
            return Err(CommandError::arg("group", "a group id is required"));
        }
        let Some(n) = self.topic_partition_count(topic) else {
            return Err(super::kafka_err(
                KafkaError::UnknownTopicOrPartition,
                format!("Topic {topic} does not exist"),
            ));
        };
        let Some(otp) = self.offsets_tp(group) else {
            return Err(super::kafka_err(
                KafkaError::CoordinatorNotAvailable,
                "the group coordinator is not available yet (__consumer_offsets does not exist)",
            ));
        };
        let Some(leader) = self.controller.partition(&otp).and_then(|p| p.leader) else {
            return Err(super::kafka_err(
                KafkaError::CoordinatorNotAvailable,
                "the group coordinator is not available",
            ));
        };
        if let Some(g) = self.groups.get(group) {
            if g.state_name() != "Empty" && g.state_name() != "Dead" {
                return Err(CommandError::arg(
                    "group",
                    format!(
                        "Assignments can only be reset if the group '{group}' is inactive, but the current state is {}.",
                        g.state_name()
                    ),
                ));
            }
        }
        self.host_group(leader, group).map_err(|e| {
            super::kafka_err(e, "the group coordinator is not ready yet; try again")
        })?;
        let mut offsets = Vec::new();
        for p in 0..n {
            let tp = TopicPartition::new(topic, p);
            let (start, hw) = self
                .controller
                .partition(&tp)
                .and_then(|ps| ps.leader)
                .and_then(|l| self.broker_index(l))
                .and_then(|i| self.brokers[i].logs.get(&tp))
                .map_or((0, 0), |l| (l.log_start, l.hw));
            let o = match to {
                super::ResetTo::Earliest => start,
                super::ResetTo::Latest => hw,
                super::ResetTo::Offset(o) => o.clamp(start, hw),
            };
            offsets.push((tp, o));
        }
        let recs = offsets
            .iter()
            .map(|(tp, o)| {
                (
                    format!("offset:{group}:{tp}"),
                    Some(format!("offset={o}")),
                    OffsetsRecord::Commit {
                        group: group.to_string(),
                        tp: tp.clone(),
                        offset: *o,
                    },
                )
            })
            .collect();
        self.append_offsets_records(leader, group, recs);
        let g = self.groups.get_mut(group).expect("hosted");
        let mut lines = vec![format!(
            "{:<20} {:<20} {:<10} {}",
            "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"
        )];
        for (tp, o) in offsets {
            lines.push(format!(
                "{:<20} {:<20} {:<10} {}",
                group, tp.topic, tp.partition, o
            ));
            g.offsets.insert(tp, o);
        }
        Ok(super::Outcome { lines })
    }

    /// The partitions a group's offsets and lag are shown for, topic by topic: every partition
    /// of what its members subscribe to and of what it has committed offsets for.
    fn group_partitions(&self, g: &Group) -> Vec<TopicPartition> {
        let mut topics: VecSet<String> = g
            .members
            .values()
            .flat_map(|m| m.subscription.topics.iter().cloned())
            .collect();
        topics.extend(g.offsets.keys().map(|tp| tp.topic().to_string()));
        if let Some(cg) = &g.consumer_group {
            topics.extend(cg.members.values().flat_map(|m| m.topics.iter().cloned()));
        }
        let mut partitions = Vec::new();
        for t in topics {
            let n = self.topic_partition_count(&t).unwrap_or(0);
            partitions.extend((0..n).map(|p| TopicPartition::new(t.as_str(), p)));
        }
        partitions
    }

    /// The leader's log of a partition, if it has a live leader.
    fn leader_log(&self, tp: &TopicPartition) -> Option<&super::log::Log> {
        self.controller
            .partition(tp)
            .and_then(|ps| ps.leader)
            .and_then(|l| self.broker_index(l))
            .and_then(|i| self.brokers[i].logs.get(tp).map(|l| &**l))
    }

    /// Records below a group's committed offsets (in the leaders' logs, from the log start)
    /// that no member of the group ever processed: at-most-once losses and offsets reset
    /// forward. `None` if no such group. Computed on demand (`expect group … skipped=N`), not
    /// in the view: it reads every such record, so its cost grows with the run, and the view
    /// is built on every drawn frame.
    pub fn group_skipped(&self, group: &str) -> Option<u64> {
        let g = self.groups.get(group)?;
        let processed = self.checker.processed.get(&g.id);
        let mut skipped = 0;
        for tp in self.group_partitions(g) {
            let committed = g.offsets.get(&tp).copied().unwrap_or(-1);
            let Some(log) = self.leader_log(&tp).filter(|_| committed > 0) else {
                continue;
            };
            for batch in log.batches_from(log.log_start) {
                for (j, r) in batch.records.iter().enumerate() {
                    let o = batch.base_offset + j as i64;
                    if o < committed
                        && o >= log.log_start
                        && !processed.is_some_and(|m| m.contains_key(&u128::from(r.rid)))
                    {
                        skipped += 1;
                    }
                }
                if batch.next_offset() >= committed {
                    break;
                }
            }
        }
        Some(skipped)
    }

    pub(crate) fn group_views(&self) -> Vec<GroupView> {
        self.groups
            .values()
            .map(|g| {
                let coordinator = self
                    .offsets_tp(&g.id)
                    .and_then(|tp| self.controller.partition(&tp).and_then(|p| p.leader));
                let mut offsets = Vec::new();
                let mut total_lag = 0;
                for tp in self.group_partitions(g) {
                    let log = self.leader_log(&tp);
                    let hw = log.map_or(0, |l| l.hw);
                    let committed = g.offsets.get(&tp).copied().unwrap_or(-1);
                    let lag = if committed >= 0 {
                        (hw - committed).max(0)
                    } else {
                        hw - log.map_or(0, |l| l.log_start)
                    };
                    total_lag += lag;
                    offsets.push(OffsetView {
                        tp,
                        committed,
                        log_end: hw,
                        lag,
                    });
                }
                let duplicates = self.checker.duplicates.get(&g.id).copied().unwrap_or(0);
                let mut members: Vec<MemberView> = g
                    .members
                    .values()
                    .map(|m| MemberView {
                        member_id: m.member_id.clone(),
                        client_id: m.client_id.clone(),
                        instance_id: m.instance_id.clone(),
                        assigned: m.assignment.clone(),
                        is_leader: g.leader.as_deref() == Some(m.member_id.as_str()),
                        state: if m.awaiting_join.is_some() {
                            "awaiting-join"
                        } else if m.awaiting_sync.is_some() {
                            "awaiting-sync"
                        } else {
                            "stable"
                        },
                        session_deadline_ms: m.deadline,
                        member_epoch: None,
                        target_assignment: Vec::new(),
                        pending_revocation: Vec::new(),
                    })
                    .collect();
                members.extend(Sim::consumer_group_members(g));
                let epochs = Sim::consumer_group_epochs(g);
                crate::sort::sort_by(&mut members, |a, b| {
                    a.client_id
                        .cmp(&b.client_id)
                        .then(a.member_id.cmp(&b.member_id))
                });
                GroupView {
                    group_id: g.id.clone(),
                    group_type: if epochs.is_some() {
                        "consumer"
                    } else {
                        "classic"
                    },
                    state: g.state_name(),
                    generation: epochs.map_or(g.generation, |e| e.0),
                    group_epoch: epochs.map(|e| e.0),
                    assignment_epoch: epochs.map(|e| e.1),
                    protocol: epochs.map_or_else(|| g.protocol.clone(), |e| Some(e.2.to_string())),
                    rebalance_protocol: if epochs.is_some() {
                        "consumer"
                    } else {
                        g.rebalance_protocol()
                    },
                    leader: g.leader.clone(),
                    coordinator,
                    offsets_partition: self.offsets_tp(&g.id).map_or(0, |tp| tp.partition),
                    members,
                    offsets,
                    total_lag,
                    duplicates,
                    rebalances: self.rebalances.get(&g.id).cloned().unwrap_or_default(),
                }
            })
            .collect()
    }
}
