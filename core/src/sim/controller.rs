//! The KRaft controller quorum: broker registrations and heartbeats, fencing, topic
//! creation and placement, ISR changes through `AlterPartition`, and leader elections.
//!
//! Facts: R10 (only unfenced, not-shutting-down brokers may join the ISR), R12 (election:
//! keep a valid leader, else the first ISR replica in replica order that is alive; unclean as a
//! last resort with ISR = [leader] and leader recovery RECOVERING; unclean off by default),
//! R13 (ISR changes never bump the leader epoch; leader changes always do).
//!
//! Modelling choices, stated plainly: the quorum's metadata log is one value replicated
//! instantly among the controllers (the Raft exchange between controllers is not drawn); a
//! controller is active only while a majority of the quorum is up; a new active controller is
//! elected `controller.quorum.election.timeout.ms` after the old one dies and gives every broker
//! a fresh session. Replica placement follows Kafka's `assignReplicasToBrokers` (a seeded start
//! index and shift, rack-alternated broker order when racks are set); KRaft's
//! `StripedReplicaPlacer` lays out replicas differently but with the same balance. Scripts that
//! need exact placement pin it with `--replica-assignment`.

use crate::collections::{VecMap, VecSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::config::TopicConfig;
use crate::error::{CommandError, KafkaError};
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::time::Millis;

use super::msg::{join_ids, Message, MetaRecord, PartitionState};
use super::{kafka_err, limits, Broker, ElectionType, Outcome, Sim, Timer};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerRegistration {
    pub broker_epoch: i64,
    /// The broker process that registered (Kafka's `incarnationId`): a restart is a new one.
    pub incarnation: u32,
    pub fenced: bool,
    pub shutting_down: bool,
    pub last_heartbeat: Millis,
    /// The metadata version the broker reported in its last heartbeat (Kafka's
    /// `currentMetadataOffset`).
    pub metadata_version: u64,
    /// In controlled shutdown: the metadata version that moved its leaderships away (Kafka's
    /// `controlledShutdownOffset`). The broker may stop once every active broker has it.
    pub shutdown_version: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicState {
    /// Kafka's topic id, printed as URL-safe base64 like `Uuid.toString()`.
    pub id: String,
    pub config: TopicConfig,
    pub partitions: Vec<PartitionState>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Controller {
    /// Whether each controller node (`controller-1`..) is up.
    pub nodes: Vec<bool>,
    pub active: Option<u32>,
    /// The quorum's leader epoch; bumps with every new active controller.
    pub epoch: u32,
    pub election_pending: bool,
    pub brokers: VecMap<BrokerId, BrokerRegistration>,
    pub topics: VecMap<String, TopicState>,
    next_broker_epoch: i64,
    pub next_producer_id: i64,
    /// Bumps with every batch of metadata records published.
    pub meta_version: u64,
}

impl Controller {
    pub fn new(controllers: u32, brokers: &[Broker]) -> Self {
        let mut c = Controller {
            nodes: vec![true; controllers as usize],
            active: Some(1),
            epoch: 1,
            election_pending: false,
            brokers: VecMap::new(),
            topics: VecMap::new(),
            next_broker_epoch: 1,
            next_producer_id: 1000,
            meta_version: 0,
        };
        for b in brokers {
            let e = c.next_broker_epoch;
            c.next_broker_epoch += 1;
            c.brokers.insert(
                b.id,
                BrokerRegistration {
                    broker_epoch: e,
                    incarnation: b.incarnation,
                    fenced: false,
                    shutting_down: false,
                    last_heartbeat: Millis::ZERO,
                    metadata_version: 0,
                    shutdown_version: None,
                },
            );
        }
        c
    }

    pub fn is_up(&self, c: u32) -> bool {
        c >= 1 && self.nodes.get(c as usize - 1).copied().unwrap_or(false)
    }

    fn has_quorum(&self) -> bool {
        let up = self.nodes.iter().filter(|u| **u).count();
        up * 2 > self.nodes.len()
    }

    pub fn is_unfenced(&self, b: BrokerId) -> bool {
        self.brokers
            .get(&b)
            .is_some_and(|r| !r.fenced && !r.shutting_down)
    }

    pub fn partition(&self, tp: &TopicPartition) -> Option<&PartitionState> {
        self.topics
            .get(tp.topic())?
            .partitions
            .get(tp.partition as usize)
    }

    /// Every partition whose state satisfies `pred`, in topic then partition order.
    pub fn partitions_where(&self, pred: impl Fn(&PartitionState) -> bool) -> Vec<TopicPartition> {
        let mut out = Vec::new();
        for (name, t) in &self.topics {
            for (i, p) in t.partitions.iter().enumerate() {
                if pred(p) {
                    out.push(TopicPartition::new(name.clone(), i as u32));
                }
            }
        }
        out
    }

    pub fn total_partitions(&self) -> u32 {
        self.topics
            .values()
            .map(|t| t.partitions.len() as u32)
            .sum()
    }
}

/// How an election may choose (R12).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Election {
    Online,
    Preferred,
    Unclean,
}

impl Sim {
    pub(crate) fn controller_arm_tick(&mut self) {
        if let Some(a) = self.controller.active {
            let epoch = self.controller.epoch;
            self.schedule_timer(NodeId::Controller(a), 1000, Timer::ControllerTick { epoch });
        }
    }

    fn require_active_controller(&self) -> Result<u32, CommandError> {
        self.controller.active.ok_or_else(|| {
            kafka_err(
                KafkaError::RequestTimedOut,
                "no active controller: the KRaft quorum has lost its majority, so metadata cannot change",
            )
        })
    }

    pub(crate) fn controller_receive(&mut self, c: u32, from: NodeId, msg: Message) {
        if self.controller.active != Some(c) {
            // Not the active controller: the request is not answered (NOT_CONTROLLER), and
            // the broker sends its next one to the new active controller.
            return;
        }
        match msg {
            Message::BrokerRegistrationRequest {
                req,
                broker,
                incarnation,
            } => {
                if let Some(old) = self.controller.brokers.get(&broker) {
                    let timeout = self
                        .broker_config
                        .get_i64("broker.session.timeout.ms")
                        .max(0) as u64;
                    // A broker that finished a controlled shutdown has no session left
                    // (Kafka fences it on SHUTDOWN_NOW): it may register again at once.
                    let live = !old.fenced
                        && !old.shutting_down
                        && self.now - old.last_heartbeat <= timeout;
                    if live && old.incarnation != incarnation {
                        // A restarted broker while its previous process's session is still
                        // valid: Kafka refuses it (DUPLICATE_BROKER_REGISTRATION, "Another
                        // broker is registered with that broker id") and the broker retries
                        // at its next heartbeat interval. By then the old session has
                        // expired and the controller has fenced it: out of every ISR, its
                        // leaderships moved (R10, R12). So a broker whose restart followed a
                        // power-off (its log cut to what was flushed) never keeps an ISR
                        // seat or a leadership it no longer has the records for.
                        return;
                    }
                    if !old.fenced && old.incarnation != incarnation {
                        // The old process's session expired but no tick has fenced it yet:
                        // fence it now, before its successor registers.
                        self.fence_broker(broker);
                    }
                }
                let epoch = self.controller.next_broker_epoch;
                self.controller.next_broker_epoch += 1;
                self.controller.brokers.insert(
                    broker,
                    BrokerRegistration {
                        broker_epoch: epoch,
                        incarnation,
                        fenced: true,
                        shutting_down: false,
                        last_heartbeat: self.now,
                        metadata_version: 0,
                        shutdown_version: None,
                    },
                );
                self.send(
                    NodeId::Controller(c),
                    from,
                    Message::BrokerRegistrationResponse {
                        req,
                        broker_epoch: epoch,
                    },
                );
                // The registered broker replays the metadata log from the start.
                self.send_snapshot(c, broker);
            }
            Message::BrokerHeartbeatRequest {
                req,
                broker,
                broker_epoch,
                want_shutdown,
                metadata_version,
            } => {
                let Some(reg) = self.controller.brokers.get_mut(&broker) else {
                    return;
                };
                if reg.broker_epoch != broker_epoch {
                    // A heartbeat from an old incarnation: stale, ignored.
                    return;
                }
                reg.last_heartbeat = self.now;
                reg.metadata_version = metadata_version;
                let mut shutdown_ok = false;
                if want_shutdown {
                    // Kafka's `BrokerHeartbeatManager.calculateNextBrokerState`: a broker that
                    // leads nothing may stop at once (SHUTDOWN_NOW); one that leads enters
                    // CONTROLLED_SHUTDOWN, its leaderships move, and it may stop only once it
                    // leads nothing and every active broker has reached the metadata that
                    // moved them. Meanwhile the broker itself applies that metadata: it becomes
                    // a follower and answers what waited on its leaderships.
                    if reg.shutting_down {
                        let since = reg.shutdown_version;
                        shutdown_ok = !self.leads_anything(broker)
                            && since.is_none_or(|v| v <= self.lowest_active_metadata_version());
                    } else {
                        reg.shutting_down = true;
                        let led = self.leads_anything(broker);
                        self.move_away_from(broker, "controlled shutdown");
                        if led {
                            let version = self.controller.meta_version;
                            if let Some(reg) = self.controller.brokers.get_mut(&broker) {
                                reg.shutdown_version = Some(version);
                            }
                        } else {
                            shutdown_ok = true;
                        }
                    }
                } else if reg.fenced {
                    reg.fenced = false;
                    self.elect_offline_partitions();
                }
                if metadata_version < self.controller.meta_version {
                    // The broker missed metadata records (a cut link, a drop): in KRaft it
                    // fetches the metadata log and catches up; here it gets a snapshot.
                    self.send_snapshot(c, broker);
                }
                let fenced = self.controller.brokers[&broker].fenced;
                self.send(
                    NodeId::Controller(c),
                    from,
                    Message::BrokerHeartbeatResponse {
                        req,
                        fenced,
                        shutdown_ok,
                    },
                );
            }
            Message::AlterPartitionRequest {
                req,
                broker,
                broker_epoch,
                tp,
                leader_epoch,
                partition_epoch,
                new_isr,
            } => {
                let result = self.alter_partition(
                    broker,
                    broker_epoch,
                    &tp,
                    leader_epoch,
                    partition_epoch,
                    &new_isr,
                );
                self.send(
                    NodeId::Controller(c),
                    from,
                    Message::AlterPartitionResponse { req, tp, result },
                );
            }
            _ => {}
        }
    }

    fn alter_partition(
        &mut self,
        broker: BrokerId,
        broker_epoch: i64,
        tp: &TopicPartition,
        leader_epoch: i32,
        partition_epoch: i32,
        new_isr: &[BrokerId],
    ) -> Result<PartitionState, KafkaError> {
        if self.controller.brokers.get(&broker).map(|r| r.broker_epoch) != Some(broker_epoch) {
            return Err(KafkaError::NotLeaderOrFollower);
        }
        let eligible: Vec<bool> = new_isr
            .iter()
            .map(|b| self.controller.is_unfenced(*b) || *b == broker)
            .collect();
        let Some(ps) = self.controller.partition(tp).cloned() else {
            return Err(KafkaError::UnknownTopicOrPartition);
        };
        if ps.leader != Some(broker) {
            return Err(KafkaError::NotLeaderOrFollower);
        }
        if leader_epoch != ps.leader_epoch {
            return Err(KafkaError::FencedLeaderEpoch);
        }
        if partition_epoch != ps.partition_epoch {
            // Kafka answers INVALID_UPDATE_VERSION; the leader then waits for the metadata.
            return Err(KafkaError::InvalidUpdateVersion);
        }
        if eligible.iter().any(|e| !e) {
            // R10: a fenced or shutting-down broker may not join (INELIGIBLE_REPLICA).
            return Err(KafkaError::IneligibleReplica);
        }
        let mut st = ps.clone();
        // The ISR is kept in replica order, as the controller's records list it.
        st.isr = ps
            .replicas
            .iter()
            .copied()
            .filter(|r| new_isr.contains(r))
            .collect();
        st.partition_epoch += 1;
        // R13: an ISR change never bumps the leader epoch.
        if st.recovering && st.isr.len() > 1 {
            st.recovering = false;
        }
        self.commit_partition(tp, st.clone());
        Ok(st)
    }

    pub(crate) fn controller_timer(&mut self, c: u32, t: Timer) {
        match t {
            Timer::ControllerTick { epoch } => {
                if self.controller.active != Some(c) || self.controller.epoch != epoch {
                    return;
                }
                let timeout = self.broker_config.get_i64("broker.session.timeout.ms") as u64;
                let expired: Vec<BrokerId> = self
                    .controller
                    .brokers
                    .iter()
                    .filter(|(_, r)| !r.fenced && self.now - r.last_heartbeat > timeout)
                    .map(|(b, _)| *b)
                    .collect();
                for b in expired {
                    self.fence_broker(b);
                }
                self.controller_arm_tick();
            }
            Timer::ControllerElection => {
                self.controller.election_pending = false;
                if self.controller.active.is_some() || !self.controller.has_quorum() {
                    return;
                }
                // The lowest-numbered live controller wins: a deterministic stand-in for the
                // Raft vote, which any live majority would complete.
                let winner =
                    (1..=self.controller.nodes.len() as u32).find(|n| self.controller.is_up(*n));
                if let Some(w) = winner {
                    self.controller.active = Some(w);
                    self.controller.epoch += 1;
                    let now = self.now;
                    for r in self.controller.brokers.values_mut() {
                        r.last_heartbeat = now;
                    }
                    self.controller_arm_tick();
                }
            }
            _ => {}
        }
    }

    fn schedule_controller_election(&mut self) {
        if self.controller.election_pending || !self.controller.has_quorum() {
            return;
        }
        let Some(host) =
            (1..=self.controller.nodes.len() as u32).find(|n| self.controller.is_up(*n))
        else {
            return;
        };
        let base = self
            .broker_config
            .get_i64("controller.quorum.election.timeout.ms") as u64;
        let after = base + self.rng.range_inclusive(0, base);
        self.controller.election_pending = true;
        self.schedule_timer(NodeId::Controller(host), after, Timer::ControllerElection);
    }

    pub(crate) fn controller_kill(&mut self, c: Option<u32>) -> Result<Outcome, CommandError> {
        let n = match c {
            Some(n) => n,
            None => self
                .controller
                .active
                .ok_or_else(|| CommandError::arg("controller", "no controller is active"))?,
        };
        if n == 0 || n as usize > self.controller.nodes.len() {
            return Err(CommandError::arg(
                "controller",
                format!("no controller-{n}"),
            ));
        }
        if !self.controller.is_up(n) {
            return Err(CommandError::arg(
                "controller",
                format!("controller-{n} is already down"),
            ));
        }
        self.controller.nodes[n as usize - 1] = false;
        self.net.forget_node(NodeId::Controller(n));
        self.controller.election_pending = false;
        if self.controller.active == Some(n) {
            self.controller.active = None;
        }
        if self.controller.active.is_none() {
            self.schedule_controller_election();
        }
        Ok(Outcome::line(format!("controller-{n} killed")))
    }

    pub(crate) fn controller_start(&mut self, n: u32) -> Result<Outcome, CommandError> {
        if n == 0 || n as usize > self.controller.nodes.len() {
            return Err(CommandError::arg(
                "controller",
                format!("no controller-{n}"),
            ));
        }
        if self.controller.is_up(n) {
            return Err(CommandError::arg(
                "controller",
                format!("controller-{n} is already running"),
            ));
        }
        self.controller.nodes[n as usize - 1] = true;
        if self.controller.active.is_none() {
            self.schedule_controller_election();
        }
        Ok(Outcome::line(format!("controller-{n} started")))
    }

    /// The lowest metadata version reported by a broker that is neither fenced nor shutting
    /// down (Kafka's `lowestActiveOffset`); none: no limit.
    fn lowest_active_metadata_version(&self) -> u64 {
        self.controller
            .brokers
            .values()
            .filter(|r| !r.fenced && !r.shutting_down)
            .map(|r| r.metadata_version)
            .min()
            .unwrap_or(u64::MAX)
    }

    fn leads_anything(&self, b: BrokerId) -> bool {
        self.controller
            .topics
            .values()
            .any(|t| t.partitions.iter().any(|p| p.leader == Some(b)))
    }

    /// A broker missed its session: fence it, take it out of every ISR (unless it is the last
    /// member), and elect new leaders where it led.
    fn fence_broker(&mut self, b: BrokerId) {
        if let Some(r) = self.controller.brokers.get_mut(&b) {
            r.fenced = true;
        }
        self.move_away_from(b, "fenced");
    }

    /// Removes `b` from ISRs and leadership (fencing and controlled shutdown alike).
    fn move_away_from(&mut self, b: BrokerId, _why: &str) {
        let tps = self
            .controller
            .partitions_where(|p| p.isr.contains(&b) || p.leader == Some(b));
        for tp in tps {
            let Some(ps) = self.controller.partition(&tp).cloned() else {
                continue;
            };
            let mut st = ps.clone();
            if st.isr.len() > 1 {
                st.isr.retain(|x| *x != b);
            }
            if st.leader == Some(b) || st.leader.is_none() {
                let unclean = self.unclean_allowed(&tp.topic);
                self.elect_into(
                    &tp,
                    &mut st,
                    if unclean {
                        Election::Unclean
                    } else {
                        Election::Online
                    },
                    Some(b),
                );
            }
            if st != ps {
                st.partition_epoch += 1;
                self.commit_partition(&tp, st);
            }
        }
    }

    fn unclean_allowed(&self, topic: &str) -> bool {
        self.controller
            .topics
            .get(topic)
            .is_some_and(|t| t.config.unclean_leader_election(&self.broker_config))
    }

    /// R12. Chooses a leader for `st` in place; bumps the leader epoch if it changes.
    fn elect_into(
        &self,
        _tp: &TopicPartition,
        st: &mut PartitionState,
        how: Election,
        excluding: Option<BrokerId>,
    ) {
        let ok = |b: BrokerId| self.controller.is_unfenced(b) && Some(b) != excluding;
        let current_valid = st.leader.is_some_and(|l| ok(l) && st.isr.contains(&l));
        let new_leader = match how {
            Election::Preferred => {
                let p = st.replicas[0];
                if ok(p) && st.isr.contains(&p) {
                    Some(p)
                } else if current_valid {
                    st.leader
                } else {
                    st.replicas
                        .iter()
                        .copied()
                        .find(|r| st.isr.contains(r) && ok(*r))
                }
            }
            Election::Online | Election::Unclean => {
                if current_valid {
                    st.leader
                } else {
                    st.replicas
                        .iter()
                        .copied()
                        .find(|r| st.isr.contains(r) && ok(*r))
                }
            }
        };
        let mut recovering = st.recovering;
        let new_leader = match new_leader {
            Some(l) => Some(l),
            None if how == Election::Unclean => {
                let l = st.replicas.iter().copied().find(|r| ok(*r));
                if let Some(l) = l {
                    st.isr = vec![l];
                    recovering = true;
                }
                l
            }
            None => None,
        };
        if new_leader != st.leader {
            st.leader = new_leader;
            if new_leader.is_some() {
                st.leader_epoch += 1;
            }
            st.recovering = recovering;
        }
        if let Some(l) = st.leader {
            if !st.isr.contains(&l) {
                st.isr = vec![l];
            }
        }
    }

    /// After a broker is unfenced: partitions without a leader get one if they can.
    fn elect_offline_partitions(&mut self) {
        let offline = self.controller.partitions_where(|p| p.leader.is_none());
        for tp in offline {
            let Some(ps) = self.controller.partition(&tp).cloned() else {
                continue;
            };
            let mut st = ps.clone();
            let unclean = self.unclean_allowed(&tp.topic);
            self.elect_into(
                &tp,
                &mut st,
                if unclean {
                    Election::Unclean
                } else {
                    Election::Online
                },
                None,
            );
            if st != ps {
                st.partition_epoch += 1;
                self.commit_partition(&tp, st);
            }
        }
    }

    /// Commits a partition change to the metadata log and sends it to every broker.
    pub(crate) fn commit_partition(&mut self, tp: &TopicPartition, st: PartitionState) {
        let Some(t) = self.controller.topics.get_mut(tp.topic()) else {
            return;
        };
        let Some(slot) = t.partitions.get_mut(tp.partition as usize) else {
            return;
        };
        *slot = st;
        // A leader change can make acknowledged data unreachable: let the checker look.
        self.checker.dirty = true;
        let rec = self.partition_record(tp);
        self.publish(vec![rec]);
    }

    fn partition_record(&self, tp: &TopicPartition) -> MetaRecord {
        let t = &self.controller.topics[tp.topic()];
        MetaRecord::Partition {
            tp: tp.clone(),
            state: t.partitions[tp.partition as usize].clone(),
            min_isr: t.config.min_insync_replicas(&self.broker_config),
            compacted: t.config.is_compacted(),
            log_config: alloc::boxed::Box::new(super::log::LogConfig::from_topic(
                &t.config,
                &self.broker_config,
            )),
        }
    }

    fn all_partition_records(&self) -> Vec<MetaRecord> {
        let mut out = Vec::new();
        for (name, t) in &self.controller.topics {
            for i in 0..t.partitions.len() {
                out.push(self.partition_record(&TopicPartition::new(name.clone(), i as u32)));
            }
        }
        out
    }

    /// Sends metadata records from the active controller to every running broker. One that is
    /// not registered yet (restarted, its old session still valid) ignores them in
    /// `broker_receive` and gets the whole image when its registration is accepted.
    fn publish(&mut self, records: Vec<MetaRecord>) {
        self.controller.meta_version += 1;
        let Some(a) = self.controller.active else {
            return;
        };
        let version = self.controller.meta_version;
        let targets: Vec<BrokerId> = self
            .brokers
            .iter()
            .filter(|b| b.is_running())
            .map(|b| b.id)
            .collect();
        for b in targets {
            self.send(
                NodeId::Controller(a),
                NodeId::Broker(b),
                Message::MetadataRecords {
                    version,
                    snapshot: false,
                    records: records.clone(),
                },
            );
        }
    }

    fn send_snapshot(&mut self, c: u32, broker: BrokerId) {
        let records = self.all_partition_records();
        let version = self.controller.meta_version;
        self.send(
            NodeId::Controller(c),
            NodeId::Broker(broker),
            Message::MetadataRecords {
                version,
                snapshot: true,
                records,
            },
        );
    }

    fn new_topic_id(&mut self) -> String {
        let mut bytes = [0u8; 16];
        for chunk in bytes.chunks_mut(8) {
            chunk.copy_from_slice(&self.rng.next_u64().to_le_bytes());
        }
        // Base64 (URL-safe, no padding) of 16 bytes: 22 characters, as `Uuid.toString()`.
        crate::base64url::encode(&bytes)
    }

    /// Kafka's `assignReplicasToBrokers`: a seeded start index and shift; with racks, the
    /// broker list alternates racks first.
    fn place_replicas(
        &mut self,
        partitions: u32,
        rf: u32,
        first_partition: u32,
    ) -> Vec<Vec<BrokerId>> {
        let live: Vec<BrokerId> = self
            .controller
            .brokers
            .iter()
            .filter(|(_, r)| !r.fenced && !r.shutting_down)
            .map(|(b, _)| *b)
            .collect();
        let brokers = self.rack_alternated(&live);
        let n = brokers.len() as u32;
        let start = self.rng.below(n);
        let mut shift = self.rng.below(n);
        let mut out = Vec::new();
        for p in 0..partitions {
            let pid = first_partition + p;
            if pid > 0 && pid.is_multiple_of(n) {
                shift += 1;
            }
            let first = (pid + start) % n;
            let mut replicas = vec![brokers[first as usize]];
            for j in 0..rf.saturating_sub(1) {
                let idx = (first + 1 + (shift + j) % (n - 1).max(1)) % n;
                replicas.push(brokers[idx as usize]);
            }
            out.push(replicas);
        }
        out
    }

    fn rack_alternated(&self, live: &[BrokerId]) -> Vec<BrokerId> {
        let mut by_rack: VecMap<String, Vec<BrokerId>> = VecMap::new();
        let mut any_rack = false;
        for b in live {
            let rack = self
                .broker_index(*b)
                .and_then(|i| self.brokers[i].rack.clone());
            any_rack |= rack.is_some();
            by_rack
                .entry(rack.unwrap_or_default())
                .or_default()
                .push(*b);
        }
        if !any_rack {
            return live.to_vec();
        }
        let mut out = Vec::new();
        let max = by_rack.values().map(Vec::len).max().unwrap_or(0);
        for i in 0..max {
            for list in by_rack.values() {
                if let Some(b) = list.get(i) {
                    out.push(*b);
                }
            }
        }
        out
    }

    pub(crate) fn create_topic(
        &mut self,
        name: &str,
        partitions: Option<u32>,
        rf: Option<u32>,
        assignment: Option<&[Vec<BrokerId>]>,
        configs: &[(String, String)],
    ) -> Result<Outcome, CommandError> {
        validate_topic_name(name)?;
        self.require_active_controller()?;
        if self.controller.topics.contains_key(name) {
            return Err(kafka_err(
                KafkaError::TopicAlreadyExists,
                format!("Topic '{name}' already exists."),
            ));
        }
        if self.controller.topics.len() >= limits::MAX_TOPICS {
            return Err(CommandError::LimitExceeded {
                what: "topics",
                limit: limits::MAX_TOPICS as u64,
                asked: self.controller.topics.len() as u64 + 1,
            });
        }
        let config = TopicConfig::from_pairs(configs).map_err(super::invalid_config)?;
        let live = self
            .controller
            .brokers
            .values()
            .filter(|r| !r.fenced && !r.shutting_down)
            .count() as u32;
        let layout: Vec<Vec<BrokerId>> = match assignment {
            Some(a) => {
                if partitions.is_some() || rf.is_some() {
                    return Err(CommandError::arg(
                        "replica-assignment",
                        "Option \"[partitions]\" can't be used with option \"[replica-assignment]\"",
                    ));
                }
                self.validate_assignment(a)?;
                a.to_vec()
            }
            None => {
                let p = match partitions {
                    Some(p) => p,
                    None => self.broker_config.get_i64("num.partitions") as u32,
                };
                let r = match rf {
                    Some(r) => r,
                    None => self.broker_config.get_i64("default.replication.factor") as u32,
                };
                if p == 0 {
                    return Err(kafka_err(
                        KafkaError::InvalidPartitions,
                        "Number of partitions must be larger than 0.",
                    ));
                }
                if r == 0 {
                    return Err(kafka_err(
                        KafkaError::InvalidReplicationFactor,
                        "Replication factor must be larger than 0.",
                    ));
                }
                self.check_partition_limit(p)?;
                if r > live {
                    return Err(kafka_err(
                        KafkaError::InvalidReplicationFactor,
                        format!("Unable to replicate the partition {r} time(s): The target replication factor of {r} cannot be reached because only {live} broker(s) are registered."),
                    ));
                }
                self.place_replicas(p, r, 0)
            }
        };
        self.check_partition_limit(layout.len() as u32)?;
        let id = self.new_topic_id();
        let parts: Vec<PartitionState> = layout
            .into_iter()
            .map(|replicas| {
                let isr: Vec<BrokerId> = replicas
                    .iter()
                    .copied()
                    .filter(|b| self.controller.is_unfenced(*b))
                    .collect();
                let leader = replicas.iter().copied().find(|b| isr.contains(b));
                PartitionState {
                    replicas,
                    isr,
                    leader,
                    leader_epoch: 0,
                    partition_epoch: 0,
                    recovering: false,
                }
            })
            .collect();
        let count = parts.len();
        self.controller.topics.insert(
            name.to_string(),
            TopicState {
                id,
                config,
                partitions: parts,
            },
        );
        let records: Vec<MetaRecord> = (0..count)
            .map(|i| self.partition_record(&TopicPartition::new(name, i as u32)))
            .collect();
        self.publish(records);
        Ok(Outcome::line(format!("Created topic {name}.")))
    }

    fn check_partition_limit(&self, p: u32) -> Result<(), CommandError> {
        if p > limits::MAX_PARTITIONS_PER_TOPIC {
            return Err(CommandError::LimitExceeded {
                what: "partitions per topic",
                limit: limits::MAX_PARTITIONS_PER_TOPIC as u64,
                asked: p as u64,
            });
        }
        let total = self.controller.total_partitions() + p;
        if total > limits::MAX_TOTAL_PARTITIONS {
            return Err(CommandError::LimitExceeded {
                what: "partitions in the cluster",
                limit: limits::MAX_TOTAL_PARTITIONS as u64,
                asked: total as u64,
            });
        }
        Ok(())
    }

    fn validate_assignment(&self, a: &[Vec<BrokerId>]) -> Result<(), CommandError> {
        if a.is_empty() {
            return Err(kafka_err(
                KafkaError::InvalidReplicaAssignment,
                "the replica assignment is empty",
            ));
        }
        let rf = a[0].len();
        for (p, replicas) in a.iter().enumerate() {
            if replicas.is_empty() {
                return Err(kafka_err(
                    KafkaError::InvalidReplicaAssignment,
                    format!("partition {p} has no replicas"),
                ));
            }
            if replicas.len() != rf {
                return Err(kafka_err(
                    KafkaError::InvalidReplicaAssignment,
                    format!(
                        "Partition {p} has a different replication factor: {}",
                        join_ids(replicas)
                    ),
                ));
            }
            let set: VecSet<BrokerId> = replicas.iter().copied().collect();
            if set.len() != replicas.len() {
                return Err(kafka_err(
                    KafkaError::InvalidReplicaAssignment,
                    format!(
                        "Partition replica lists may not contain duplicate entries: {}",
                        join_ids(replicas)
                    ),
                ));
            }
            for b in replicas {
                if !self.controller.brokers.contains_key(b) {
                    return Err(kafka_err(
                        KafkaError::InvalidReplicaAssignment,
                        format!("The manual partition assignment includes broker {b}, but no such broker is registered."),
                    ));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn delete_topic(&mut self, name: &str) -> Result<Outcome, CommandError> {
        self.require_active_controller()?;
        if self.controller.topics.remove(name).is_none() {
            return Err(kafka_err(
                KafkaError::UnknownTopicOrPartition,
                format!("Topic '{name}' does not exist as expected"),
            ));
        }
        self.publish(vec![MetaRecord::RemoveTopic {
            topic: name.to_string(),
        }]);
        Ok(Outcome::none())
    }

    pub(crate) fn alter_partitions(
        &mut self,
        name: &str,
        count: u32,
    ) -> Result<Outcome, CommandError> {
        self.require_active_controller()?;
        let Some(t) = self.controller.topics.get(name) else {
            return Err(kafka_err(
                KafkaError::UnknownTopicOrPartition,
                format!("Topic '{name}' does not exist as expected"),
            ));
        };
        let current = t.partitions.len() as u32;
        let rf = t.partitions[0].replicas.len() as u32;
        if count <= current {
            return Err(kafka_err(
                KafkaError::InvalidPartitions,
                if count == current {
                    format!("Topic already has {current} partitions.")
                } else {
                    format!("Topic currently has {current} partitions, which is higher than the requested {count}.")
                },
            ));
        }
        self.check_partition_limit(count - current)?;
        let live = self
            .controller
            .brokers
            .values()
            .filter(|r| !r.fenced)
            .count() as u32;
        if rf > live {
            return Err(kafka_err(
                KafkaError::InvalidReplicationFactor,
                format!("Unable to replicate the partition {rf} time(s): only {live} broker(s) are registered."),
            ));
        }
        let layout = self.place_replicas(count - current, rf, current);
        let mut records = Vec::new();
        for (i, replicas) in layout.into_iter().enumerate() {
            let isr: Vec<BrokerId> = replicas
                .iter()
                .copied()
                .filter(|b| self.controller.is_unfenced(*b))
                .collect();
            let leader = replicas.iter().copied().find(|b| isr.contains(b));
            let st = PartitionState {
                replicas,
                isr,
                leader,
                leader_epoch: 0,
                partition_epoch: 0,
                recovering: false,
            };
            if let Some(t) = self.controller.topics.get_mut(name) {
                t.partitions.push(st);
            }
            records.push(self.partition_record(&TopicPartition::new(name, current + i as u32)));
        }
        self.publish(records);
        Ok(Outcome::none())
    }

    pub(crate) fn alter_topic_config(
        &mut self,
        name: &str,
        set: &[(String, String)],
        delete: &[String],
    ) -> Result<Outcome, CommandError> {
        self.require_active_controller()?;
        let Some(t) = self.controller.topics.get(name) else {
            return Err(kafka_err(
                KafkaError::UnknownTopicOrPartition,
                format!("Topic '{name}' does not exist as expected"),
            ));
        };
        let mut cfg = t.config.clone();
        for (k, v) in set {
            cfg.overrides.set(k, v).map_err(super::invalid_config)?;
        }
        for k in delete {
            if crate::config::find_def(crate::config::TOPIC_CONFIGS, k).is_none() {
                return Err(super::invalid_config(CommandError::UnknownConfig {
                    key: k.clone(),
                    entity: "topic",
                    allowed: crate::config::allowed_names(crate::config::TOPIC_CONFIGS),
                }));
            }
            cfg.overrides.remove(k);
        }
        let count = t.partitions.len();
        if let Some(t) = self.controller.topics.get_mut(name) {
            t.config = cfg;
        }
        let records: Vec<MetaRecord> = (0..count)
            .map(|i| self.partition_record(&TopicPartition::new(name, i as u32)))
            .collect();
        self.publish(records);
        // A newly enabled unclean election acts on offline partitions at once, as in KRaft.
        self.elect_offline_partitions();
        Ok(Outcome::line(format!(
            "Completed updating config for topic {name}."
        )))
    }

    /// `kafka-configs --alter --entity-type brokers`. Validated as Kafka does, in its order:
    /// the tool refuses to delete a config that is not set (`Invalid config(s): …`); the broker
    /// refuses read-only configs (`Cannot update these configs dynamically: Set(…)`), then
    /// values its `ConfigDef` rejects, both as INVALID_REQUEST (`ConfigAdminManager`). A
    /// cluster-wide default then applies at once to every topic without its own override:
    /// the controller republishes the partitions' settings, as the brokers reconfigure
    /// (`DynamicLogConfig`), and a newly enabled unclean election acts on offline partitions.
    pub(crate) fn alter_broker_config(
        &mut self,
        broker: Option<BrokerId>,
        set: &[(String, String)],
        delete: &[String],
    ) -> Result<Outcome, CommandError> {
        use crate::config::{allowed_names, find_def, BROKER_CONFIGS, DYNAMIC_BROKER_CONFIGS};
        self.require_active_controller()?;
        if let Some(b) = broker {
            if self.broker_index(b).is_none() {
                return Err(CommandError::arg(
                    "--entity-name",
                    format!("broker {b} does not exist"),
                ));
            }
        }
        // No broker has dynamic configs of its own (per-broker values are not simulated).
        let none_per_broker = crate::config::ConfigMap::new("broker");
        let current = match broker {
            None => &self.broker_dynamic_default,
            Some(_) => &none_per_broker,
        };
        let missing: Vec<&str> = delete
            .iter()
            .filter(|k| !current.is_set(k))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(kafka_err(
                KafkaError::InvalidConfig,
                format!("Invalid config(s): {}", missing.join(",")),
            ));
        }
        // Kafka accepts unknown (custom) broker configs for plugins; the playground refuses
        // them as every other unknown key, so a typo never silently does nothing.
        for (k, _) in set {
            if find_def(BROKER_CONFIGS, k).is_none() {
                return Err(CommandError::UnknownConfig {
                    key: k.clone(),
                    entity: "broker",
                    allowed: allowed_names(BROKER_CONFIGS),
                });
            }
        }
        let mut read_only: Vec<&str> = set
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| !DYNAMIC_BROKER_CONFIGS.contains(k))
            .collect();
        read_only.sort_unstable();
        read_only.dedup();
        if !read_only.is_empty() {
            return Err(kafka_err(
                KafkaError::InvalidRequest,
                format!(
                    "Cannot update these configs dynamically: Set({})",
                    read_only.join(", ")
                ),
            ));
        }
        let mut dynamic = current.clone();
        for (k, v) in set {
            dynamic.set(k, v).map_err(|e| {
                kafka_err(
                    KafkaError::InvalidRequest,
                    alloc::string::ToString::to_string(&e),
                )
            })?;
        }
        if broker.is_some() {
            return Err(CommandError::NotSupported(
                "per-broker config values (--entity-name N); set a cluster-wide default with --entity-default"
                    .to_string(),
            ));
        }
        for k in delete {
            dynamic.remove(k);
        }
        let mut effective = crate::config::ConfigMap::new("broker");
        for (k, v) in &self.spec.broker_configs {
            effective.set(k, v)?;
        }
        for (k, v) in dynamic.explicit() {
            effective.set(k, v)?;
        }
        self.broker_dynamic_default = dynamic;
        self.broker_config = effective;
        let records = self.all_partition_records();
        self.publish(records);
        self.elect_offline_partitions();
        Ok(Outcome::line(
            "Completed updating default config for brokers in the cluster.".to_string(),
        ))
    }

    pub(crate) fn elect_leaders(
        &mut self,
        election: ElectionType,
        which: Option<&[TopicPartition]>,
    ) -> Result<Outcome, CommandError> {
        self.require_active_controller()?;
        let tps: Vec<TopicPartition> = match which {
            Some(list) => {
                for tp in list {
                    if self.controller.partition(tp).is_none() {
                        return Err(kafka_err(
                            KafkaError::UnknownTopicOrPartition,
                            format!("Partition {tp} does not exist"),
                        ));
                    }
                }
                list.to_vec()
            }
            None => self.controller.partitions_where(|_| true),
        };
        let mut done = Vec::new();
        let mut not_needed = Vec::new();
        let mut failed = Vec::new();
        for tp in tps {
            let Some(ps) = self.controller.partition(&tp).cloned() else {
                continue;
            };
            let mut st = ps.clone();
            match election {
                ElectionType::Preferred => {
                    if ps.leader == Some(ps.replicas[0]) {
                        not_needed.push(tp);
                        continue;
                    }
                    self.elect_into(&tp, &mut st, Election::Preferred, None);
                    if st.leader != Some(ps.replicas[0]) {
                        failed.push((tp, KafkaError::PreferredLeaderNotAvailable));
                        continue;
                    }
                }
                ElectionType::Unclean => {
                    if ps.leader.is_some() {
                        not_needed.push(tp);
                        continue;
                    }
                    self.elect_into(&tp, &mut st, Election::Unclean, None);
                    if st.leader.is_none() {
                        failed.push((tp, KafkaError::EligibleLeadersNotAvailable));
                        continue;
                    }
                }
            }
            st.partition_epoch += 1;
            self.commit_partition(&tp, st);
            done.push(tp);
        }
        let kind = match election {
            ElectionType::Preferred => "PREFERRED",
            ElectionType::Unclean => "UNCLEAN",
        };
        let mut out = Outcome::none();
        if !done.is_empty() {
            out.lines.push(format!(
                "Successfully completed leader election ({kind}) for partitions {}",
                join_tps(&done)
            ));
        }
        if !not_needed.is_empty() {
            out.lines.push(format!(
                "Valid replica already elected for partitions {}",
                join_tps(&not_needed)
            ));
        }
        for (tp, e) in &failed {
            out.lines.push(format!(
                "Error completing leader election ({kind}) for partition: {tp}: {}",
                e.name()
            ));
        }
        Ok(out)
    }

    /// The next producer id block (`InitProducerId`), handed out by the controller.
    pub(crate) fn allocate_producer_id(&mut self) -> i64 {
        let id = self.controller.next_producer_id;
        self.controller.next_producer_id += 1;
        id
    }
}

fn join_tps(tps: &[TopicPartition]) -> String {
    let v: Vec<String> = tps.iter().map(|t| t.to_string()).collect();
    v.join(", ")
}

/// Kafka's `Topic.validate`: 1–249 characters of `[a-zA-Z0-9._-]`, not `.` or `..`.
pub fn validate_topic_name(name: &str) -> Result<(), CommandError> {
    let bad = |why: String| kafka_err(KafkaError::InvalidTopicException, why);
    if name.is_empty() {
        return Err(bad("Topic name is illegal, it can't be empty".to_string()));
    }
    if name == "." || name == ".." {
        return Err(bad("Topic name cannot be \".\" or \"..\"".to_string()));
    }
    if name.len() > 249 {
        return Err(bad(format!(
            "Topic name is illegal, it can't be longer than 249 characters, topic name: {}",
            // The first 40 characters, not bytes: a byte index can fall inside a character.
            name.chars().take(40).collect::<String>()
        )));
    }
    if !name
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || c == b'-')
    {
        return Err(bad(format!(
            "Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"
        )));
    }
    Ok(())
}
