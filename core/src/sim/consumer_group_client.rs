//! The consumer client's side of the KIP-848 consumer protocol (`group.protocol=consumer`):
//! the `ConsumerGroupHeartbeat` loop and the reconciliation of what the coordinator assigns.
//!
//! Facts: G8 (join with member epoch 0, leave with -1, a static member leaves with -2; the
//! heartbeat interval comes from the broker, `group.consumer.heartbeat.interval.ms`; on
//! `FENCED_MEMBER_EPOCH` or `UNKNOWN_MEMBER_ID` the member loses its partitions and rejoins with
//! epoch 0), A13 (the member revokes what is no longer in its assignment, commits first when
//! auto-commit is on, and acknowledges at once with a heartbeat that reports what it still
//! owns). There is no JoinGroup, no SyncGroup and no client-side assignor: partitions that keep
//! their owner are consumed throughout.
//!
//! Modelling choices, stated: every heartbeat is a full request; reconciliation needs no
//! `poll()` (no rebalance listener runs); `UNRELEASED_INSTANCE_ID` (a static member whose old
//! instance has not left) is fatal, as for Kafka's client; when `max.poll.interval.ms` expires
//! the member leaves (-1, or -2 when static) and rejoins on its next `poll()`.

use alloc::format;
use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::KafkaError;
use crate::ids::{NodeId, TopicPartition};
use crate::sim::coordinator::parse_remote_assignor;
use crate::sim::msg::{ConsumerGroupHeartbeat, Message};
use crate::sim::Sim;

use super::{Phase, Req};

/// The client's KIP-848 settings and state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kip848 {
    /// `group.remote.assignor`, if set.
    pub remote_assignor: Option<String>,
    /// The heartbeat interval the coordinator gave in its last answer.
    pub interval_ms: u64,
}

/// Configs the consumer protocol does not accept (Kafka's `CONSUMER_PROTOCOL_UNSUPPORTED_CONFIGS`).
const CONSUMER_PROTOCOL_UNSUPPORTED: [&str; 3] = [
    "partition.assignment.strategy",
    "heartbeat.interval.ms",
    "session.timeout.ms",
];

/// `ConsumerConfig`'s checks for `group.protocol=consumer` (and for `group.remote.assignor`
/// under `classic`). `None` for a classic consumer.
pub(super) fn kip848_config(
    config: &crate::config::ConfigMap,
) -> Result<Option<Kip848>, crate::error::CommandError> {
    use crate::error::CommandError;
    if config.get("group.protocol") != "consumer" {
        if config.is_set("group.remote.assignor") {
            return Err(CommandError::arg(
                "group.remote.assignor",
                "group.remote.assignor cannot be set when group.protocol=CLASSIC",
            ));
        }
        return Ok(None);
    }
    let set: Vec<&str> = CONSUMER_PROTOCOL_UNSUPPORTED
        .iter()
        .copied()
        .filter(|k| config.is_set(k))
        .collect();
    if !set.is_empty() {
        let keys = set.join(", ");
        return Err(CommandError::arg(
            keys.clone(),
            format!("{keys} cannot be set when group.protocol=CONSUMER (the broker assigns the partitions and sets the session and the heartbeat: use group.remote.assignor, and the broker's group.consumer.session.timeout.ms and group.consumer.heartbeat.interval.ms)"),
        ));
    }
    let remote = config.get("group.remote.assignor").trim().to_string();
    if !remote.is_empty() && parse_remote_assignor(&remote).is_none() {
        return Err(CommandError::InvalidConfigValue {
            key: "group.remote.assignor".to_string(),
            value: remote,
            reason:
                "UNSUPPORTED_ASSIGNOR: the broker's group.consumer.assignors are uniform and range"
                    .to_string(),
        });
    }
    Ok(Some(Kip848 {
        remote_assignor: Some(remote).filter(|s| !s.is_empty()),
        interval_ms: 5_000,
    }))
}

impl Sim {
    /// Joins (member epoch 0), owning nothing.
    pub(super) fn kip848_join(&mut self, ci: usize) {
        if !self.consumers[ci].owned.is_empty() {
            self.lose_partitions(ci);
        }
        let c = &mut self.consumers[ci];
        c.rejoin = false;
        c.phase = Phase::Joining;
        c.generation = 0;
        self.kip848_send(ci);
    }

    /// Sends a heartbeat with the member's current epoch and owned partitions (one at a time),
    /// and schedules the next one.
    fn kip848_send(&mut self, ci: usize) {
        let c = &self.consumers[ci];
        let Some(coord) = c.coordinator else {
            return;
        };
        if c.has(&Req::GroupHeartbeat) {
            return;
        }
        let Some((remote, every)) = c
            .kip848
            .as_ref()
            .map(|k| (k.remote_assignor.clone(), k.interval_ms))
        else {
            return;
        };
        let req = self.next_req();
        let c = &self.consumers[ci];
        let mut owned = c.owned.clone();
        owned.sort();
        let h = ConsumerGroupHeartbeat {
            req,
            group: c.group.clone(),
            client_id: c.client_id.clone(),
            member_id: c.member_id.clone(),
            member_epoch: c.generation,
            instance_id: c.instance_id.clone(),
            rack: c.rack.clone(),
            rebalance_timeout_ms: c.max_poll_interval_ms,
            subscribed_topics: c.topics.clone(),
            server_assignor: remote,
            owned,
        };
        self.consumer_request(
            ci,
            coord,
            Message::ConsumerGroupHeartbeatRequest(Rc::new(h)),
            Req::GroupHeartbeat,
        );
        self.schedule_heartbeat(ci, every);
    }

    /// The heartbeat thread under the consumer protocol.
    pub(super) fn kip848_heartbeat_thread(&mut self, ci: usize) {
        let now = self.now;
        let c = &self.consumers[ci];
        if !matches!(c.phase, Phase::Stable | Phase::Joining) {
            return;
        }
        if !c.waiting_in_poll
            && now - c.last_poll > c.max_poll_interval_ms
            && c.phase == Phase::Stable
        {
            let msg = format!(
                "consumer poll timeout has expired: the time between poll() calls exceeded max.poll.interval.ms={}; leaving the group",
                c.max_poll_interval_ms
            );
            self.kip848_leave(ci);
            self.lose_partitions(ci);
            let c = &mut self.consumers[ci];
            c.generation = 0;
            c.phase = Phase::Unjoined;
            c.rejoin = true;
            c.last_error = Some(msg);
            return;
        }
        if self.consumers[ci].coordinator.is_some() && !self.consumers[ci].has(&Req::GroupHeartbeat)
        {
            self.kip848_send(ci);
        } else {
            let every = self.consumers[ci]
                .kip848
                .as_ref()
                .map_or(5_000, |k| k.interval_ms);
            self.schedule_heartbeat(ci, every);
        }
    }

    /// Leaves the group: member epoch -1, or -2 for a static member (G8). Not waited for.
    pub(super) fn kip848_leave(&mut self, ci: usize) {
        let c = &self.consumers[ci];
        let (Some(coord), Some(remote)) = (
            c.coordinator,
            c.kip848.as_ref().map(|k| k.remote_assignor.clone()),
        ) else {
            return;
        };
        if c.member_id.is_empty() || c.generation <= 0 {
            return;
        }
        let req = self.next_req();
        let c = &self.consumers[ci];
        let h = ConsumerGroupHeartbeat {
            req,
            group: c.group.clone(),
            client_id: c.client_id.clone(),
            member_id: c.member_id.clone(),
            member_epoch: if c.instance_id.is_some() { -2 } else { -1 },
            instance_id: c.instance_id.clone(),
            rack: c.rack.clone(),
            rebalance_timeout_ms: c.max_poll_interval_ms,
            subscribed_topics: c.topics.clone(),
            server_assignor: remote,
            owned: Vec::new(),
        };
        self.send(
            Self::consumer_node(ci),
            NodeId::Broker(coord),
            Message::ConsumerGroupHeartbeatRequest(Rc::new(h)),
        );
    }

    /// The coordinator's answer to a heartbeat.
    pub(super) fn kip848_on_response(
        &mut self,
        ci: usize,
        error: Option<KafkaError>,
        member_id: String,
        member_epoch: i32,
        interval_ms: u64,
        assignment: Option<Vec<TopicPartition>>,
    ) {
        let c = &mut self.consumers[ci];
        if !matches!(c.phase, Phase::Joining | Phase::Stable) {
            return;
        }
        if let Some(k) = c.kip848.as_mut() {
            k.interval_ms = interval_ms.max(1);
        }
        match error {
            None => {}
            Some(KafkaError::FencedMemberEpoch) | Some(KafkaError::UnknownMemberId) => {
                // G8: give up every partition (they may be someone else's now), rejoin at 0.
                c.last_error = Some(format!(
                    "{}: rejoining with member epoch 0",
                    error.map_or("", |e| e.name())
                ));
                self.lose_partitions(ci);
                self.kip848_join(ci);
                return;
            }
            Some(
                e @ (KafkaError::UnreleasedInstanceId
                | KafkaError::GroupIdNotFound
                | KafkaError::UnsupportedAssignor
                | KafkaError::InconsistentGroupProtocol),
            ) => {
                c.phase = Phase::Fenced;
                c.last_error = Some(format!("{}: the consumer stops (fatal)", e.name()));
                c.owned.clear();
                c.buffer.clear();
                c.processing = None;
                return;
            }
            Some(_) => {
                c.coordinator = None;
                return;
            }
        }
        c.member_id = member_id;
        c.generation = member_epoch;
        c.phase = Phase::Stable;
        let Some(assignment) = assignment else {
            return;
        };
        self.kip848_reconcile(ci, assignment);
    }

    /// A13 on the client: revoke what is gone (committing first), add what is new, then
    /// acknowledge at once.
    fn kip848_reconcile(&mut self, ci: usize, assignment: Vec<TopicPartition>) {
        let now = self.now;
        let c = &self.consumers[ci];
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
        if revoked.is_empty() && added.is_empty() {
            return;
        }
        if !revoked.is_empty() && c.auto_commit {
            // onPartitionsRevoked: commit what was consumed while the epoch is still valid.
            self.commit_positions(ci, false);
        }
        let (group, epoch, client) = {
            let c = &self.consumers[ci];
            (c.group.clone(), c.generation, c.client_id.clone())
        };
        self.checker_on_assignment(&group, epoch, &client, &assignment);
        let c = &mut self.consumers[ci];
        let had = !c.owned.is_empty();
        for tp in &revoked {
            c.positions.remove(tp);
            c.fetch_offsets.remove(tp);
            c.resets.remove(tp);
            c.awaiting_offsets.remove(tp);
        }
        c.buffer.retain(|r| !revoked.contains(&r.0));
        for tp in &added {
            c.awaiting_offsets.insert(tp.clone());
        }
        c.owned = assignment;
        if had && c.owned.is_empty() && c.stopped_since.is_none() {
            c.stopped_since = Some(now);
        }
        if !c.owned.is_empty() {
            if let Some(since) = c.stopped_since.take() {
                let ms = now - since;
                if let Some(r) = self.rebalances.get_mut(&group).and_then(|l| l.last_mut()) {
                    r.stopped_ms.push((client, ms));
                }
            }
        }
        // Acknowledge: the coordinator moves the member on as soon as it sees what it owns.
        self.kip848_send(ci);
        self.schedule_poll(ci, 0);
    }
}
