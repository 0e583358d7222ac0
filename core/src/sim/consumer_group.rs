//! The KIP-848 consumer group on the coordinator: `ConsumerGroupHeartbeat`, the group epoch,
//! the target assignment computed by a server-side assignor, and member reconciliation.
//!
//! Facts: G8 (member epoch 0 joins, -1 leaves, -2 is a static member's temporary leave; an
//! epoch that does not match is `FENCED_MEMBER_EPOCH(110)`, except the previous epoch with owned
//! partitions that are a subset of the assignment, which is a lost response; the coordinator
//! gives the heartbeat interval `group.consumer.heartbeat.interval.ms` and removes a member after
//! `group.consumer.session.timeout.ms`), A9–A12 (through [`crate::assignor`]: `uniform` by
//! default, `range` when members ask for it with `group.remote.assignor`), A13 (Kafka's
//! `CurrentAssignmentBuilder`: `assigned = previous ∩ target`; what must go is revoked first while
//! the member stays at its epoch in `UNREVOKED_PARTITIONS`; once its heartbeat no longer reports
//! them it moves to the target epoch, `STABLE`, or `UNRELEASED_PARTITIONS` while partitions of its
//! target are still owned by another member).
//!
//! The group's state follows Kafka's `ConsumerGroup.maybeUpdateGroupState`: `Empty` without
//! members, `Assigning` while the group epoch is ahead of the target assignment epoch,
//! `Reconciling` while a member is not yet `STABLE` at the target epoch, else `Stable`. There is
//! no JoinGroup/SyncGroup round and no group-wide barrier: each member moves on its own
//! heartbeats, and only the partitions that change owner stop being consumed.
//!
//! Modelling choices, stated: a group is either classic or consumer (no online migration
//! between protocols: a `ConsumerGroupHeartbeat` for a classic group with members is
//! `GROUP_ID_NOT_FOUND`, a `JoinGroup` for a consumer group with members is
//! `INCONSISTENT_GROUP_PROTOCOL`); the coordinator gives a new member its id (`<client.id>-<uuid>`,
//! as Kafka 3.7; Kafka 4.x clients make their own); the target assignment is computed during the
//! next heartbeat after the group epoch moved, as Kafka does without its assignment interval;
//! the rebalance timeout of a member that does not revoke is not modelled; the server-side
//! assignors ignore racks; the group's state is written to `__consumer_offsets` as one snapshot
//! record per change (Kafka writes member, target and current-assignment records).

use crate::collections::{VecMap, VecSet};
use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::assignor::{self, AssignorName, GroupSubscription, MemberSubscription, TopicMeta};
use crate::error::KafkaError;
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::sim::msg::{ConsumerGroupHeartbeat, Message};
use crate::sim::Sim;
use crate::view::{MemberView, RebalanceView, REBALANCES_SHOWN};

use super::{Group, GroupState, OffsetsRecord};

/// `ConsumerGroup.ConsumerGroupState` (Kafka's `GroupState` for consumer groups).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsumerGroupState {
    Empty,
    Assigning,
    Reconciling,
    Stable,
    Dead,
}

impl ConsumerGroupState {
    pub fn name(self) -> &'static str {
        match self {
            Self::Empty => "Empty",
            Self::Assigning => "Assigning",
            Self::Reconciling => "Reconciling",
            Self::Stable => "Stable",
            Self::Dead => "Dead",
        }
    }
}

/// A member's reconciliation state (Kafka's `MemberState`, A13).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberState {
    Stable,
    UnrevokedPartitions,
    UnreleasedPartitions,
}

impl MemberState {
    pub fn name(self) -> &'static str {
        match self {
            Self::Stable => "STABLE",
            Self::UnrevokedPartitions => "UNREVOKED_PARTITIONS",
            Self::UnreleasedPartitions => "UNRELEASED_PARTITIONS",
        }
    }
}

/// Member epoch of a join (G8).
pub const JOIN_EPOCH: i32 = 0;
/// Member epoch of a leave (G8).
pub const LEAVE_EPOCH: i32 = -1;
/// Member epoch of a static member's leave (G8): it keeps its place until its session expires.
pub const STATIC_LEAVE_EPOCH: i32 = -2;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerMember {
    pub member_id: String,
    pub client_id: String,
    pub instance_id: Option<String>,
    pub node: NodeId,
    pub rack: Option<String>,
    pub topics: Vec<String>,
    pub server_assignor: Option<String>,
    pub member_epoch: i32,
    pub previous_epoch: i32,
    pub state: MemberState,
    /// What the member may own now (A13: previous ∩ target, plus what was free to give).
    pub assigned: VecSet<TopicPartition>,
    /// What it must revoke before it moves to the target epoch.
    pub pending_revocation: VecSet<TopicPartition>,
    pub session_timeout_ms: u64,
    pub deadline: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerGroup {
    pub state: ConsumerGroupState,
    /// Bumped when a member joins, leaves or changes its subscription.
    pub group_epoch: i32,
    /// The group epoch the target assignment was computed for.
    pub assignment_epoch: i32,
    pub members: VecMap<String, ConsumerMember>,
    /// The target assignment, per member id.
    pub target: VecMap<String, VecSet<TopicPartition>>,
    /// The server-side assignor of the last target assignment.
    pub assignor: AssignorName,
}

impl ConsumerGroup {
    fn new() -> Self {
        ConsumerGroup {
            state: ConsumerGroupState::Empty,
            group_epoch: 0,
            assignment_epoch: 0,
            members: VecMap::new(),
            target: VecMap::new(),
            assignor: AssignorName::ServerUniform,
        }
    }

    /// Kafka's `ConsumerGroup.maybeUpdateGroupState`.
    fn update_state(&mut self) {
        self.state =
            if self.members.is_empty() {
                ConsumerGroupState::Empty
            } else if self.group_epoch > self.assignment_epoch {
                ConsumerGroupState::Assigning
            } else if self.members.values().any(|m| {
                !(m.state == MemberState::Stable && m.member_epoch == self.assignment_epoch)
            }) {
                ConsumerGroupState::Reconciling
            } else {
                ConsumerGroupState::Stable
            };
    }

    /// Whether a member other than `except` owns `tp` (assigned or still revoking): Kafka's
    /// `currentPartitionEpoch(tp) != -1`.
    fn owned_by_other(&self, tp: &TopicPartition, except: &str) -> bool {
        self.members.values().any(|m| {
            m.member_id != except && (m.assigned.contains(tp) || m.pending_revocation.contains(tp))
        })
    }

    /// The assignor the members ask for most (Kafka's `computePreferredServerAssignor`); the
    /// broker's default, `uniform`, when none asks (A10).
    fn preferred_assignor(&self) -> AssignorName {
        let mut counts: VecMap<AssignorName, usize> = VecMap::new();
        for m in self.members.values() {
            if let Some(a) = m.server_assignor.as_deref().and_then(parse_remote_assignor) {
                *counts.entry(a).or_default() += 1;
            }
        }
        let mut best = (AssignorName::ServerUniform, 0);
        for (a, n) in counts {
            if n > best.1 {
                best = (a, n);
            }
        }
        best.0
    }

    /// A13: one step of Kafka's `CurrentAssignmentBuilder` for member `id`, given the
    /// partitions its heartbeat reports owning.
    fn reconcile(&mut self, id: &str, owned: &[TopicPartition]) {
        let Some(m) = self.members.get(id) else {
            return;
        };
        if m.member_epoch < 0 {
            return;
        }
        let owns_revoked =
            |pending: &VecSet<TopicPartition>| owned.iter().any(|tp| pending.contains(tp));
        match m.state {
            MemberState::Stable if m.member_epoch == self.assignment_epoch => return,
            MemberState::UnrevokedPartitions if owns_revoked(&m.pending_revocation) => return,
            _ => {}
        }
        let target = self.target.get(id).cloned().unwrap_or_default();
        let subscribed: VecSet<&str> = m.topics.iter().map(String::as_str).collect();
        let target: VecSet<TopicPartition> = target
            .into_iter()
            .filter(|tp| subscribed.contains(tp.topic()))
            .collect();
        let assigned: VecSet<TopicPartition> = m.assigned.intersection(&target).cloned().collect();
        let revoke: VecSet<TopicPartition> = m.assigned.difference(&assigned).cloned().collect();
        let mut unreleased = false;
        let mut to_assign = VecSet::new();
        for tp in target.difference(&assigned) {
            if self.owned_by_other(tp, id) && !m.pending_revocation.contains(tp) {
                unreleased = true;
            } else {
                to_assign.insert(tp.clone());
            }
        }
        let epoch = self.assignment_epoch;
        let m = self.members.get_mut(id).expect("checked");
        if !revoke.is_empty() && owns_revoked(&revoke) {
            // Revoke first: the member keeps its epoch until it no longer reports them.
            m.state = MemberState::UnrevokedPartitions;
            m.assigned = assigned;
            m.pending_revocation = revoke;
            return;
        }
        let mut assigned = assigned;
        assigned.extend(to_assign);
        m.state = if unreleased {
            MemberState::UnreleasedPartitions
        } else {
            MemberState::Stable
        };
        if m.member_epoch != epoch {
            m.previous_epoch = m.member_epoch;
            m.member_epoch = epoch;
        }
        m.assigned = assigned;
        m.pending_revocation.clear();
    }
}

/// `group.remote.assignor` values Kafka's broker knows by default (`group.consumer.assignors`:
/// uniform, range). The server-side `range` is this project's [`AssignorName::ServerRange`].
pub fn parse_remote_assignor(s: &str) -> Option<AssignorName> {
    match s.trim() {
        "uniform" | "org.apache.kafka.coordinator.group.assignor.UniformAssignor" => {
            Some(AssignorName::ServerUniform)
        }
        "range" | "org.apache.kafka.coordinator.group.assignor.RangeAssignor" => {
            Some(AssignorName::ServerRange)
        }
        _ => None,
    }
}

/// The name Kafka prints for a server-side assignor (`uniform`, `range`).
fn remote_name(a: AssignorName) -> &'static str {
    match a {
        AssignorName::ServerRange => "range",
        _ => "uniform",
    }
}

impl Group {
    /// The group's state by its type: classic (G1) or consumer.
    pub fn state_name(&self) -> &'static str {
        match &self.consumer_group {
            Some(cg) => cg.state.name(),
            None => self.state.name(),
        }
    }
}

struct Reply {
    error: Option<KafkaError>,
    member_id: String,
    member_epoch: i32,
    assignment: Option<Vec<TopicPartition>>,
}

impl Reply {
    fn error(e: KafkaError, member_id: &str, epoch: i32) -> Self {
        Reply {
            error: Some(e),
            member_id: member_id.to_string(),
            member_epoch: epoch,
            assignment: None,
        }
    }
}

impl Sim {
    fn consumer_heartbeat_interval_ms(&self) -> u64 {
        self.broker_config
            .get_i64("group.consumer.heartbeat.interval.ms")
            .max(1) as u64
    }

    pub(crate) fn handle_consumer_group_heartbeat(
        &mut self,
        b: BrokerId,
        from: NodeId,
        h: &ConsumerGroupHeartbeat,
    ) {
        let reply = self.consumer_group_heartbeat(b, from, h);
        let msg = Message::ConsumerGroupHeartbeatResponse {
            req: h.req,
            error: reply.error,
            member_id: reply.member_id,
            member_epoch: reply.member_epoch,
            heartbeat_interval_ms: self.consumer_heartbeat_interval_ms(),
            assignment: reply.assignment,
        };
        // An error from validation changed nothing and is answered at once; any other answer
        // reflects the group's state, and waits until what was written of it is committed.
        if reply.error.is_some() {
            self.send(NodeId::Broker(b), from, msg);
        } else {
            self.reply_when_committed(b, &h.group, from, msg);
        }
    }

    fn consumer_group_heartbeat(
        &mut self,
        b: BrokerId,
        from: NodeId,
        h: &ConsumerGroupHeartbeat,
    ) -> Reply {
        let group = h.group.as_str();
        if let Err(e) = self.host_group(b, group) {
            return Reply::error(e, &h.member_id, h.member_epoch);
        }
        let g = self.groups.get_mut(group).expect("hosted");
        if g.consumer_group.is_none() {
            if !g.members.is_empty() || g.state != GroupState::Empty {
                return Reply::error(KafkaError::GroupIdNotFound, &h.member_id, h.member_epoch);
            }
            g.consumer_group = Some(Box::new(ConsumerGroup::new()));
        }
        let before = g.consumer_group.clone();
        let reply = match h.member_epoch {
            LEAVE_EPOCH | STATIC_LEAVE_EPOCH => self.consumer_member_leave(group, h),
            JOIN_EPOCH => self.consumer_member_join(group, from, h),
            _ => self.consumer_member_heartbeat(group, from, h),
        };
        let changed = self.groups.get(group).map(|g| &g.consumer_group) != Some(&before);
        if changed {
            self.after_consumer_group_change(group);
        }
        reply
    }

    fn consumer_member_leave(&mut self, group: &str, h: &ConsumerGroupHeartbeat) -> Reply {
        let g = self.groups.get_mut(group).expect("hosted");
        let cg = g.consumer_group.as_mut().expect("consumer group");
        let Some(m) = cg.members.get_mut(&h.member_id) else {
            return Reply::error(KafkaError::UnknownMemberId, &h.member_id, h.member_epoch);
        };
        if h.member_epoch == STATIC_LEAVE_EPOCH && m.instance_id.is_some() {
            // A static member going away for a while keeps its place and its partitions.
            m.previous_epoch = m.member_epoch;
            m.member_epoch = STATIC_LEAVE_EPOCH;
            let id = h.member_id.clone();
            self.touch_consumer_member(group, &id);
        } else {
            let client = m.client_id.clone();
            self.remove_consumer_member(
                group,
                &h.member_id,
                format!(
                    "member {} ({client}) left the group (epoch -1)",
                    h.member_id
                ),
            );
        }
        Reply {
            error: None,
            member_id: h.member_id.clone(),
            member_epoch: h.member_epoch,
            assignment: None,
        }
    }

    fn consumer_member_join(
        &mut self,
        group: &str,
        from: NodeId,
        h: &ConsumerGroupHeartbeat,
    ) -> Reply {
        let now = self.now.0;
        let session = self
            .broker_config
            .get_i64("group.consumer.session.timeout.ms")
            .max(1) as u64;
        let new_id = if h.member_id.is_empty() {
            format!("{}-{}", h.client_id, self.uuid())
        } else {
            h.member_id.clone()
        };
        let g = self.groups.get_mut(group).expect("hosted");
        let cg = g.consumer_group.as_mut().expect("consumer group");
        let mut cause = format!("member {new_id} ({}) joined", h.client_id);
        let mut inherited = None;
        if let Some(inst) = &h.instance_id {
            let old = cg
                .members
                .values()
                .find(|m| m.instance_id.as_deref() == Some(inst.as_str()))
                .map(|m| (m.member_id.clone(), m.member_epoch));
            match old {
                Some((_, e)) if e != STATIC_LEAVE_EPOCH => {
                    return Reply::error(
                        KafkaError::UnreleasedInstanceId,
                        &h.member_id,
                        h.member_epoch,
                    );
                }
                Some((old_id, _)) => {
                    // The static member is back: the new member id takes over its epoch and
                    // its partitions, without a new group epoch when nothing else changed.
                    inherited = cg.members.remove(&old_id);
                    if let Some(t) = cg.target.remove(&old_id) {
                        cg.target.insert(new_id.clone(), t);
                    }
                    cause = format!("static member {inst} rejoined as {new_id}");
                }
                None => {}
            }
        }
        if inherited.is_none() {
            // A member id the group knows, back with epoch 0 (it was fenced, or restarted):
            // it starts again from nothing.
            if cg.members.remove(&new_id).is_some() {
                cause = format!("member {new_id} rejoined with epoch 0");
            }
            cg.target.remove(&new_id);
        }
        let bump = match &inherited {
            Some(old) => {
                old.topics != h.subscribed_topics || old.server_assignor != h.server_assignor
            }
            None => true,
        };
        let mut m = ConsumerMember {
            member_id: new_id.clone(),
            client_id: h.client_id.clone(),
            instance_id: h.instance_id.clone(),
            node: from,
            rack: h.rack.clone(),
            topics: h.subscribed_topics.clone(),
            server_assignor: h.server_assignor.clone(),
            member_epoch: 0,
            previous_epoch: -1,
            state: MemberState::Stable,
            assigned: VecSet::new(),
            pending_revocation: VecSet::new(),
            session_timeout_ms: session,
            deadline: now + session,
        };
        if let Some(old) = inherited {
            m.member_epoch = old_epoch_before_leave(&old);
            m.previous_epoch = old.previous_epoch;
            m.state = old.state;
            m.assigned = old.assigned;
            m.pending_revocation = old.pending_revocation;
        }
        cg.members.insert(new_id.clone(), m);
        if bump {
            cg.group_epoch += 1;
            self.open_rebalance(group, cause);
        }
        self.touch_consumer_member(group, &new_id);
        self.finish_consumer_heartbeat(group, &new_id, &[], true)
    }

    fn consumer_member_heartbeat(
        &mut self,
        group: &str,
        from: NodeId,
        h: &ConsumerGroupHeartbeat,
    ) -> Reply {
        let g = self.groups.get_mut(group).expect("hosted");
        let cg = g.consumer_group.as_mut().expect("consumer group");
        let Some(m) = cg.members.get_mut(&h.member_id) else {
            return Reply::error(KafkaError::UnknownMemberId, &h.member_id, h.member_epoch);
        };
        // G8: `throwIfConsumerGroupMemberEpochIsInvalid`.
        let fenced = if h.member_epoch > m.member_epoch {
            true
        } else if h.member_epoch < m.member_epoch {
            h.member_epoch != m.previous_epoch || !h.owned.iter().all(|tp| m.assigned.contains(tp))
        } else {
            false
        };
        if fenced {
            return Reply::error(KafkaError::FencedMemberEpoch, &h.member_id, h.member_epoch);
        }
        m.node = from;
        m.rack = h.rack.clone();
        let changed = m.topics != h.subscribed_topics || m.server_assignor != h.server_assignor;
        if changed {
            m.topics = h.subscribed_topics.clone();
            m.server_assignor = h.server_assignor.clone();
            cg.group_epoch += 1;
            let cause = format!("member {} changed its subscription", h.member_id);
            self.open_rebalance(group, cause);
        }
        let id = h.member_id.clone();
        self.touch_consumer_member(group, &id);
        self.finish_consumer_heartbeat(group, &id, &h.owned, false)
    }

    /// The end of every accepted heartbeat: a new target assignment if the group epoch moved,
    /// this member's reconciliation step, and the answer.
    fn finish_consumer_heartbeat(
        &mut self,
        group: &str,
        member_id: &str,
        owned: &[TopicPartition],
        joined: bool,
    ) -> Reply {
        self.maybe_compute_target(group);
        let g = self.groups.get_mut(group).expect("hosted");
        let cg = g.consumer_group.as_mut().expect("consumer group");
        cg.reconcile(member_id, owned);
        let m = &cg.members[member_id];
        let owned_set: VecSet<&TopicPartition> = owned.iter().collect();
        let assigned_set: VecSet<&TopicPartition> = m.assigned.iter().collect();
        let assignment =
            (joined || owned_set != assigned_set).then(|| m.assigned.iter().cloned().collect());
        Reply {
            error: None,
            member_id: member_id.to_string(),
            member_epoch: m.member_epoch,
            assignment,
        }
    }

    /// Computes the target assignment when the group epoch is ahead of it.
    fn maybe_compute_target(&mut self, group: &str) {
        let Some(cg) = self
            .groups
            .get(group)
            .and_then(|g| g.consumer_group.as_ref())
        else {
            return;
        };
        if cg.group_epoch <= cg.assignment_epoch {
            return;
        }
        let name = cg.preferred_assignor();
        let mut topics = VecMap::new();
        let mut members = Vec::new();
        for m in cg.members.values() {
            let subscribed: Vec<String> = m
                .topics
                .iter()
                .filter(|t| self.topic_partition_count(t).is_some())
                .cloned()
                .collect();
            for t in &subscribed {
                if let Some(n) = self.topic_partition_count(t) {
                    topics.insert(t.clone(), TopicMeta::new(n));
                }
            }
            members.push(MemberSubscription {
                member_id: m.member_id.clone(),
                group_instance_id: m.instance_id.clone(),
                topics: subscribed,
                rack: None,
                // The current target is the assignors' "previous assignment" (stickiness).
                owned: cg
                    .target
                    .get(&m.member_id)
                    .map(|t| t.iter().cloned().collect())
                    .unwrap_or_default(),
                generation: None,
            });
        }
        let epoch = cg.group_epoch;
        let result = assignor::assign(name, &GroupSubscription { topics, members });
        let g = self.groups.get_mut(group).expect("hosted");
        let cg = g.consumer_group.as_mut().expect("consumer group");
        if let Ok(a) = result {
            cg.target = cg
                .members
                .keys()
                .map(|id| {
                    let tps = a
                        .get(id)
                        .map(|v| v.iter().cloned().collect())
                        .unwrap_or_default();
                    (id.clone(), tps)
                })
                .collect();
        }
        cg.assignor = name;
        cg.assignment_epoch = epoch;
    }

    fn touch_consumer_member(&mut self, group: &str, member: &str) {
        let now = self.now.0;
        let Some(m) = self
            .groups
            .get_mut(group)
            .and_then(|g| g.consumer_group.as_mut())
            .and_then(|cg| cg.members.get_mut(member))
        else {
            return;
        };
        m.deadline = now + m.session_timeout_ms;
        let d = m.deadline;
        self.schedule_member_expiry(group, member, d);
    }

    /// Removes a member (left, or its session expired): its partitions are free at once, and
    /// the group epoch moves so that the next heartbeat computes a new target assignment.
    fn remove_consumer_member(&mut self, group: &str, member: &str, cause: String) {
        let Some(cg) = self
            .groups
            .get_mut(group)
            .and_then(|g| g.consumer_group.as_mut())
        else {
            return;
        };
        if cg.members.remove(member).is_none() {
            return;
        }
        cg.target.remove(member);
        cg.group_epoch += 1;
        self.open_rebalance(group, cause);
    }

    /// The session of a consumer-protocol member expired (`group.consumer.session.timeout.ms`).
    pub(crate) fn consumer_member_expired(&mut self, group: &str, member: &str) {
        let Some(m) = self
            .groups
            .get(group)
            .and_then(|g| g.consumer_group.as_ref())
            .and_then(|cg| cg.members.get(member))
        else {
            return;
        };
        let cause = format!(
            "member {member} ({}) left: session timeout ({} ms) expired",
            m.client_id, m.session_timeout_ms
        );
        self.remove_consumer_member(group, member, cause);
        self.after_consumer_group_change(group);
    }

    /// Whether `MemberExpiry` for `member` at `deadline` is still due.
    pub(crate) fn consumer_member_expiry_live(g: &Group, member: &str, deadline: u64) -> bool {
        g.consumer_group
            .as_ref()
            .and_then(|cg| cg.members.get(member))
            .is_some_and(|m| m.deadline == deadline)
    }

    /// A rebalance starts when the group epoch moves and none is open (metrics, as classic).
    fn open_rebalance(&mut self, group: &str, cause: String) {
        let now = self.now.0;
        let list = self.rebalances.entry(group.to_string()).or_default();
        if list.last().is_some_and(|r| r.completed_ms.is_none()) {
            return;
        }
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
    }

    /// After a change: the group state, the rebalance that completes when it is Stable again,
    /// and the snapshot record in `__consumer_offsets`.
    fn after_consumer_group_change(&mut self, group: &str) {
        let now = self.now.0;
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        let Some(cg) = g.consumer_group.as_mut() else {
            return;
        };
        cg.update_state();
        if matches!(
            cg.state,
            ConsumerGroupState::Stable | ConsumerGroupState::Empty
        ) {
            let owners: VecMap<TopicPartition, String> = cg
                .members
                .values()
                .flat_map(|m| {
                    m.assigned
                        .iter()
                        .map(|tp| (tp.clone(), m.client_id.clone()))
                })
                .collect();
            let epoch = cg.group_epoch;
            if let Some(r) = self
                .rebalances
                .get_mut(group)
                .and_then(|l| l.last_mut())
                .filter(|r| r.completed_ms.is_none())
            {
                let moved = owners
                    .iter()
                    .filter(|(tp, c)| g.last_owners.get(*tp).is_some_and(|o| o != *c))
                    .count() as u32;
                r.generation = epoch;
                r.completed_ms = Some(now);
                r.partitions_moved = moved;
                g.last_owners = owners;
            }
        }
        self.persist_consumer_group(group);
    }

    fn persist_consumer_group(&mut self, group: &str) {
        let Some(g) = self.groups.get(group) else {
            return;
        };
        let (Some(host), Some(cg)) = (g.host, g.consumer_group.as_ref()) else {
            return;
        };
        let value = format!(
            "type=consumer groupEpoch={} assignmentEpoch={} members={}",
            cg.group_epoch,
            cg.assignment_epoch,
            cg.members.len()
        );
        let rec = OffsetsRecord::ConsumerGroup {
            group: group.to_string(),
            snapshot: (**cg).clone(),
        };
        self.append_offsets_records(
            host.broker,
            group,
            vec![(format!("group:{group}"), Some(value), rec)],
        );
    }

    /// A group loaded from its log by a new coordinator: the members keep their epochs and
    /// partitions, with a fresh session.
    pub(crate) fn restore_consumer_group(&mut self, group: &str, mut cg: Box<ConsumerGroup>) {
        let now = self.now.0;
        for m in cg.members.values_mut() {
            m.deadline = now + m.session_timeout_ms;
        }
        let expiries: Vec<(String, u64)> = cg
            .members
            .values()
            .map(|m| (m.member_id.clone(), m.deadline))
            .collect();
        if let Some(g) = self.groups.get_mut(group) {
            g.consumer_group = Some(cg);
        }
        for (m, d) in expiries {
            self.schedule_member_expiry(group, &m, d);
        }
    }

    /// OffsetCommit for a consumer group: the generation is the member epoch.
    pub(crate) fn consumer_group_commit_error(
        g: &Group,
        member_id: &str,
        member_epoch: i32,
    ) -> Option<KafkaError> {
        let cg = g.consumer_group.as_ref()?;
        if member_epoch < 0 && member_id.is_empty() {
            // An admin commit (no member): only when the group is empty.
            return (!cg.members.is_empty()).then_some(KafkaError::UnknownMemberId);
        }
        let Some(m) = cg.members.get(member_id) else {
            return Some(KafkaError::UnknownMemberId);
        };
        (m.member_epoch != member_epoch).then_some(KafkaError::StaleMemberEpoch)
    }

    /// Invariant (A13): at every instant, no partition is assigned to (or being revoked by) two
    /// members of a consumer group.
    pub fn check_consumer_groups(&self) -> Result<(), String> {
        for (id, g) in &self.groups {
            let Some(cg) = &g.consumer_group else {
                continue;
            };
            let mut owner: VecMap<&TopicPartition, &str> = VecMap::new();
            for m in cg.members.values() {
                for tp in m.assigned.iter().chain(m.pending_revocation.iter()) {
                    if let Some(o) = owner.insert(tp, &m.member_id) {
                        if o != m.member_id {
                            return Err(format!(
                                "consumer group {id}: {tp} owned by both {o} and {}",
                                m.member_id
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The consumer group's part of the group view.
    pub(crate) fn consumer_group_members(g: &Group) -> Vec<MemberView> {
        let Some(cg) = &g.consumer_group else {
            return Vec::new();
        };
        cg.members
            .values()
            .map(|m| MemberView {
                member_id: m.member_id.clone(),
                client_id: m.client_id.clone(),
                instance_id: m.instance_id.clone(),
                assigned: m.assigned.iter().cloned().collect(),
                is_leader: false,
                state: m.state.name(),
                session_deadline_ms: m.deadline,
                member_epoch: Some(m.member_epoch),
                target_assignment: cg
                    .target
                    .get(&m.member_id)
                    .map(|t| t.iter().cloned().collect())
                    .unwrap_or_default(),
                pending_revocation: m.pending_revocation.iter().cloned().collect(),
            })
            .collect()
    }

    /// `(group epoch, target assignment epoch, assignor)` of a consumer group.
    pub(crate) fn consumer_group_epochs(g: &Group) -> Option<(i32, i32, &'static str)> {
        g.consumer_group.as_ref().map(|cg| {
            (
                cg.group_epoch,
                cg.assignment_epoch,
                remote_name(cg.assignor),
            )
        })
    }
}

/// The epoch a static member had before its -2 leave (kept in `previous_epoch` by the leave).
fn old_epoch_before_leave(m: &ConsumerMember) -> i32 {
    if m.member_epoch == STATIC_LEAVE_EPOCH {
        m.previous_epoch
    } else {
        m.member_epoch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(p: u32) -> TopicPartition {
        TopicPartition::new("t", p)
    }

    fn member(id: &str, epoch: i32, assigned: &[u32]) -> ConsumerMember {
        ConsumerMember {
            member_id: id.to_string(),
            client_id: id.to_string(),
            instance_id: None,
            node: NodeId::Broker(BrokerId(1)),
            rack: None,
            topics: vec!["t".to_string()],
            server_assignor: None,
            member_epoch: epoch,
            previous_epoch: epoch - 1,
            state: MemberState::Stable,
            assigned: assigned.iter().map(|p| tp(*p)).collect(),
            pending_revocation: VecSet::new(),
            session_timeout_ms: 45_000,
            deadline: 0,
        }
    }

    /// Two members at epoch 10 (A owns 0,1,2; B owns 3); the target at epoch 11 moves 2 to B.
    fn group() -> ConsumerGroup {
        let mut cg = ConsumerGroup::new();
        cg.group_epoch = 11;
        cg.assignment_epoch = 11;
        cg.members.insert("A".into(), member("A", 10, &[0, 1, 2]));
        cg.members.insert("B".into(), member("B", 10, &[3]));
        cg.target
            .insert("A".into(), [tp(0), tp(1)].into_iter().collect());
        cg.target
            .insert("B".into(), [tp(2), tp(3)].into_iter().collect());
        cg
    }

    // A13 / CurrentAssignmentBuilderTest: a member that must give up partitions stays at its
    // epoch in UNREVOKED_PARTITIONS with assigned = previous ∩ target.
    #[test]
    fn a13_revoke_first_member_keeps_epoch_in_unrevoked_partitions() {
        let mut cg = group();
        cg.reconcile("A", &[tp(0), tp(1), tp(2)]);
        let a = &cg.members["A"];
        assert_eq!(a.state, MemberState::UnrevokedPartitions);
        assert_eq!(a.member_epoch, 10);
        assert_eq!(a.assigned, [tp(0), tp(1)].into_iter().collect());
        assert_eq!(a.pending_revocation, [tp(2)].into_iter().collect());
        // Still reporting partition 2: no progress.
        cg.reconcile("A", &[tp(0), tp(1), tp(2)]);
        assert_eq!(cg.members["A"].state, MemberState::UnrevokedPartitions);
        // Revoked: it moves to the target epoch.
        cg.reconcile("A", &[tp(0), tp(1)]);
        let a = &cg.members["A"];
        assert_eq!((a.state, a.member_epoch), (MemberState::Stable, 11));
        assert!(a.pending_revocation.is_empty());
    }

    // A13: a member whose target holds a partition another member still owns moves to the
    // target epoch in UNRELEASED_PARTITIONS, without that partition; it gets it once released.
    #[test]
    fn a13_unreleased_partitions_while_another_member_still_owns() {
        let mut cg = group();
        cg.reconcile("B", &[tp(3)]);
        let b = &cg.members["B"];
        assert_eq!(b.state, MemberState::UnreleasedPartitions);
        assert_eq!(b.member_epoch, 11);
        assert_eq!(b.assigned, [tp(3)].into_iter().collect());
        cg.reconcile("A", &[tp(0), tp(1), tp(2)]);
        cg.reconcile("A", &[tp(0), tp(1)]);
        cg.reconcile("B", &[tp(3)]);
        let b = &cg.members["B"];
        assert_eq!(b.state, MemberState::Stable);
        assert_eq!(b.assigned, [tp(2), tp(3)].into_iter().collect());
        cg.update_state();
        assert_eq!(cg.state, ConsumerGroupState::Stable);
    }

    // Kafka's ConsumerGroup.maybeUpdateGroupState: Empty, Assigning, Reconciling, Stable.
    #[test]
    fn g8_group_states_follow_epochs_and_member_states() {
        let mut cg = ConsumerGroup::new();
        cg.update_state();
        assert_eq!(cg.state, ConsumerGroupState::Empty);
        let mut cg = group();
        cg.group_epoch = 12;
        cg.update_state();
        assert_eq!(cg.state, ConsumerGroupState::Assigning);
        cg.group_epoch = 11;
        cg.update_state();
        assert_eq!(cg.state, ConsumerGroupState::Reconciling);
    }

    // A13: no partition is ever held by two members, whatever order the heartbeats come in.
    #[test]
    fn a13_no_partition_owned_by_two_members_during_reconciliation() {
        let owners_ok = |cg: &ConsumerGroup| {
            let mut seen = VecSet::new();
            cg.members
                .values()
                .flat_map(|m| m.assigned.iter().chain(m.pending_revocation.iter()))
                .all(|tp| seen.insert(tp.clone()))
        };
        // Every interleaving of 6 heartbeats from A and B (each reports what it owns).
        for order in 0u32..64 {
            let mut cg = group();
            let mut owned: VecMap<&str, Vec<TopicPartition>> = VecMap::new();
            owned.insert("A", vec![tp(0), tp(1), tp(2)]);
            owned.insert("B", vec![tp(3)]);
            for i in 0..6 {
                let id = if order >> i & 1 == 0 { "A" } else { "B" };
                let report = owned[id].clone();
                cg.reconcile(id, &report);
                assert!(owners_ok(&cg), "order {order:06b} step {i}");
                // The client keeps what it is told it has.
                owned.insert(id, cg.members[id].assigned.iter().cloned().collect());
            }
        }
    }

    // ---------------------------------------------------------------- G8 at the coordinator

    use crate::sim::{Command, SimSpec};
    use crate::time::Millis;
    use alloc::rc::Rc;

    /// A cluster with topic `t` (4 partitions) and the broker that coordinates group `g`.
    fn coordinator() -> (Sim, BrokerId) {
        let mut sim = Sim::new(
            SimSpec {
                brokers: 3,
                ..SimSpec::default()
            },
            1,
        )
        .unwrap();
        sim.apply(Command::CreateTopic {
            name: "t".to_string(),
            partitions: Some(4),
            replication_factor: Some(1),
            assignment: None,
            configs: Vec::new(),
        })
        .unwrap();
        sim.ensure_offsets_topic();
        sim.run_until(Millis(5_000));
        let tp = sim.offsets_tp("g").unwrap();
        let b = sim.controller.partition(&tp).unwrap().leader.unwrap();
        (sim, b)
    }

    fn hb(
        sim: &mut Sim,
        b: BrokerId,
        member: &str,
        epoch: i32,
        instance: Option<&str>,
        owned: &[u32],
    ) -> Reply {
        let h = ConsumerGroupHeartbeat {
            req: 1,
            group: "g".to_string(),
            client_id: "c".to_string(),
            member_id: member.to_string(),
            member_epoch: epoch,
            instance_id: instance.map(str::to_string),
            rack: None,
            rebalance_timeout_ms: 300_000,
            subscribed_topics: vec!["t".to_string()],
            server_assignor: None,
            owned: owned.iter().map(|p| tp(*p)).collect(),
        };
        let _ = Rc::new(());
        sim.consumer_group_heartbeat(b, NodeId::Broker(BrokerId(9)), &h)
    }

    fn tps(r: &Reply) -> Vec<u32> {
        r.assignment
            .as_ref()
            .map(|a| a.iter().map(|t| t.partition).collect())
            .unwrap_or_default()
    }

    fn cg(sim: &Sim) -> &ConsumerGroup {
        sim.groups["g"].consumer_group.as_ref().unwrap()
    }

    // G8: epoch 0 joins; the member gets an id, the group epoch and its assignment.
    #[test]
    fn g8_epoch_zero_joins_with_an_id_and_the_group_epoch() {
        let (mut sim, b) = coordinator();
        let r = hb(&mut sim, b, "", 0, None, &[]);
        assert_eq!(r.error, None);
        assert!(r.member_id.starts_with("c-"), "{}", r.member_id);
        assert_eq!(r.member_epoch, 1);
        assert_eq!(tps(&r), vec![0, 1, 2, 3]);
        assert_eq!((cg(&sim).group_epoch, cg(&sim).assignment_epoch), (1, 1));
    }

    // G8: an epoch ahead of the member's, or behind it without the lost-response excuse, is
    // FENCED_MEMBER_EPOCH (110); an unknown member id is UNKNOWN_MEMBER_ID (25).
    #[test]
    fn g8_epoch_mismatch_is_fenced_member_epoch_110() {
        let (mut sim, b) = coordinator();
        let a = hb(&mut sim, b, "", 0, None, &[]).member_id;
        let r = hb(&mut sim, b, &a, 5, None, &[0, 1, 2, 3]);
        assert_eq!(r.error, Some(KafkaError::FencedMemberEpoch));
        assert_eq!(KafkaError::FencedMemberEpoch.code(), 110);
        let r = hb(&mut sim, b, "nobody", 1, None, &[]);
        assert_eq!(r.error, Some(KafkaError::UnknownMemberId));
    }

    // G8: a member that sends its previous epoch with owned partitions that are a subset of its
    // assignment lost a response and is answered; with a partition it no longer has, fenced.
    #[test]
    fn g8_previous_epoch_with_owned_subset_is_a_lost_response() {
        let (mut sim, b) = coordinator();
        let a = hb(&mut sim, b, "", 0, None, &[]).member_id;
        let bm = hb(&mut sim, b, "", 0, None, &[]).member_id;
        assert_eq!(cg(&sim).group_epoch, 2);
        // A still owns everything at epoch 1: it is told to revoke, and stays at epoch 1.
        let r = hb(&mut sim, b, &a, 1, None, &[0, 1, 2, 3]);
        assert_eq!(r.member_epoch, 1);
        let kept = tps(&r);
        assert_eq!(kept.len(), 2);
        assert_eq!(cg(&sim).members[&a].state, MemberState::UnrevokedPartitions);
        // A revoked: it moves to epoch 2 (this answer is the one that gets lost).
        let r = hb(&mut sim, b, &a, 1, None, &kept);
        assert_eq!((r.error, r.member_epoch), (None, 2));
        // A retries with epoch 1: accepted, it learns epoch 2.
        let r = hb(&mut sim, b, &a, 1, None, &kept);
        assert_eq!((r.error, r.member_epoch), (None, 2));
        // Epoch 1 while claiming a partition that is now B's: fenced.
        let theirs: Vec<u32> = (0..4).filter(|p| !kept.contains(p)).collect();
        let r = hb(&mut sim, b, &a, 1, None, &[kept[0], theirs[0]]);
        assert_eq!(r.error, Some(KafkaError::FencedMemberEpoch));
        let _ = bm;
    }

    // G8: epoch -1 leaves: the member is gone and the group epoch moves.
    #[test]
    fn g8_epoch_minus_one_leaves_and_bumps_the_group_epoch() {
        let (mut sim, b) = coordinator();
        let a = hb(&mut sim, b, "", 0, None, &[]).member_id;
        let r = hb(&mut sim, b, &a, -1, None, &[]);
        assert_eq!((r.error, r.member_epoch), (None, -1));
        assert!(cg(&sim).members.is_empty());
        assert_eq!(cg(&sim).group_epoch, 2);
        sim.after_consumer_group_change("g");
        assert_eq!(cg(&sim).state, ConsumerGroupState::Empty);
    }

    // G8: a static member leaves with -2: it keeps its place and partitions, no new group epoch;
    // back with epoch 0 and the same group.instance.id it gets its epoch and partitions again.
    // While it is still active, another instance with that id is UNRELEASED_INSTANCE_ID (111).
    #[test]
    fn g8_static_member_leaves_with_minus_two_and_comes_back() {
        let (mut sim, b) = coordinator();
        let first = hb(&mut sim, b, "", 0, Some("i1"), &[]);
        let r = hb(&mut sim, b, "", 0, Some("i1"), &[]);
        assert_eq!(r.error, Some(KafkaError::UnreleasedInstanceId));
        assert_eq!(KafkaError::UnreleasedInstanceId.code(), 111);
        let r = hb(&mut sim, b, &first.member_id, -2, Some("i1"), &[0, 1, 2, 3]);
        assert_eq!((r.error, r.member_epoch), (None, -2));
        let m = &cg(&sim).members[&first.member_id];
        assert_eq!(m.member_epoch, -2);
        assert_eq!(m.assigned.len(), 4);
        assert_eq!(cg(&sim).group_epoch, 1);
        let back = hb(&mut sim, b, "", 0, Some("i1"), &[]);
        assert_eq!(back.error, None);
        assert_ne!(back.member_id, first.member_id);
        assert_eq!(back.member_epoch, 1);
        assert_eq!(tps(&back), vec![0, 1, 2, 3]);
        assert_eq!(cg(&sim).group_epoch, 1);
    }
}
