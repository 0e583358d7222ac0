//! The simulation: a deterministic, sans-IO Kafka cluster.
//!
//! [`Sim`] owns every node (brokers, the KRaft controller quorum, producer clients), the
//! network queue, the clock and the one seeded RNG. It moves only when asked: [`Sim::apply`]
//! takes a [`Command`] (validated first; a refused command changes nothing), [`Sim::step`]
//! delivers exactly one scheduled event (a message or a timer), [`Sim::run_until`] steps until
//! a simulated time. Nodes react to a message or a timer and schedule what they send. Every
//! event is folded into a running trace hash, so two runs can be compared byte for byte.
//!
//! Submodules: [`net`] (the queue and faults), [`msg`] (the messages, named after Kafka
//! APIs), [`log`] (a replica's log), `broker` (produce and fetch paths, ISR, HW: R1–R11,
//! R14–R15), `controller` (KRaft controller: registrations, fencing, elections, R12–R13),
//! `producer` (the producer client: P4, I1–I5), `checker` (the guarantee checker) and
//! [`timeline`] (checkpoints and exact step-back).

mod broker;
mod checker;
pub mod command;
mod consumer;
mod controller;
mod coordinator;
#[cfg(test)]
mod group_tests;
mod invariants;
#[cfg(test)]
mod kip848_tests;
pub mod log;
pub mod msg;
pub mod net;
mod producer;
pub mod pvec;
pub mod segment;
mod storage;
#[cfg(test)]
mod storage_tests;
#[cfg(test)]
mod tests;
pub mod timeline;
pub mod trace;
pub mod txn;
#[cfg(test)]
mod txn_tests;

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::config::{self, ConfigMap};
use crate::error::{CommandError, KafkaError};
use crate::ids::{BrokerId, ClientId, NodeId, TopicPartition};
use crate::rng::SimRng;
use crate::time::Millis;
use crate::view::{self, ClusterView};

pub use broker::Broker;
pub use checker::{Checker, Finding, FindingKind};
pub use command::{Command, ElectionType, NodeRef, Outcome, ResetTo};
pub use consumer::{Consumer, CONSUMER_CLIENT_BASE};
pub use controller::Controller;
pub use coordinator::{
    java_string_hash, partition_for_group, ConsumerGroup, ConsumerGroupState, Group, GroupState,
    MemberState, OFFSETS_TOPIC,
};
pub use net::ApiKey;
pub use producer::Producer;
pub use timeline::Timeline;
pub use trace::{TraceEvent, TraceKind};

use msg::Message;
use net::{Envelope, Network, NextAction, Scheduled};

/// Limits that keep a browser tab responsive whatever the user types.
pub mod limits {
    pub const MAX_BROKERS: u32 = 64;
    pub const MAX_CONTROLLERS: u32 = 9;
    pub const MAX_PARTITIONS_PER_TOPIC: u32 = 1024;
    pub const MAX_TOTAL_PARTITIONS: u32 = 10_000;
    pub const MAX_TOPICS: usize = 256;
    pub const MAX_CLIENTS: usize = 256;
    pub const MAX_RECORDS_PER_COMMAND: u32 = 100_000;
    pub const MAX_LATENCY_MS: u64 = 60_000;
}

/// The shape of a cluster to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimSpec {
    pub brokers: u32,
    /// Dedicated KRaft controllers (`controller-1`..). Default 3, as in production.
    pub controllers: u32,
    /// Racks given to brokers in turn (`racks=a,b,c`); empty for no racks.
    pub racks: Vec<String>,
    /// One-way network latency; each message also gets a seeded jitter of up to half of it.
    pub latency_ms: u64,
    /// Broker configs by Kafka's names, applied to every broker.
    pub broker_configs: Vec<(String, String)>,
}

impl Default for SimSpec {
    fn default() -> Self {
        SimSpec {
            brokers: 3,
            controllers: 3,
            racks: Vec::new(),
            latency_ms: 2,
            broker_configs: Vec::new(),
        }
    }
}

/// Scheduled work that is not a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    /// A broker sends its next `BrokerHeartbeat`.
    BrokerHeartbeat { incarnation: u32 },
    /// A broker in controlled shutdown sends one heartbeat sooner than its interval.
    ShutdownHeartbeat { incarnation: u32 },
    /// A leader's `isr-expiration` check (every `replica.lag.time.max.ms / 2`).
    IsrCheck { incarnation: u32 },
    /// A parked follower fetch has waited `replica.fetch.wait.max.ms`.
    FetchWait { req: u64 },
    /// A follower's fetch `req` to `leader` got no answer in time (or failed): fetch again.
    FetchBackoff {
        leader: BrokerId,
        incarnation: u32,
        req: u64,
    },
    /// A produce waiting in purgatory (acks=all) reached its timeout.
    DelayedProduce { req: u64 },
    /// The active controller checks broker sessions.
    ControllerTick { epoch: u32 },
    /// The quorum elects a new active controller.
    ControllerElection,
    /// A producer's sender thread wakes (linger expired, backoff over, timeouts).
    ProducerWake { token: u64 },
    /// A producer or consumer request got no answer within `request.timeout.ms`.
    RequestTimeout { req: u64 },
    /// A parked consumer fetch has waited `fetch.max.wait.ms`.
    ConsumerFetchWait { req: u64 },
    /// A group's rebalance deadline: the initial delay, the join or the sync timeout.
    GroupDeadline { group: String, token: u64 },
    /// A write to a group's offsets partition (a commit, or the leader's assignment) has waited
    /// `offsets.commit.timeout.ms` for the HW to pass `required`.
    OffsetsWriteTimeout { group: String, required: i64 },
    /// A member's session may have expired (`session.timeout.ms` after its last heartbeat).
    MemberExpiry {
        group: String,
        member: String,
        deadline: u64,
    },
    /// The consumer application calls `poll()` (after processing the previous records).
    ConsumerPoll { token: u64 },
    /// The consumer's heartbeat thread wakes (heartbeats, poll-interval check, auto-commit).
    ConsumerHeartbeat { token: u64 },
    /// A broker's log manager checks retention (`log.retention.check.interval.ms`).
    LogRetentionCheck { incarnation: u32 },
    /// A broker's log cleaner wakes (`log.cleaner.backoff.ms`); it also applies `flush.ms`.
    LogCleaner { incarnation: u32 },
    /// The transaction coordinator's check for a transaction open past `transaction.timeout.ms`.
    TxnTimeout {
        transactional_id: String,
        token: u64,
    },
    /// The transaction coordinator sends markers that got no answer again.
    TxnMarkerRetry {
        transactional_id: String,
        token: u64,
    },
}

impl Timer {
    pub fn name(&self) -> &'static str {
        match self {
            Timer::BrokerHeartbeat { .. } => "heartbeat timer",
            Timer::ShutdownHeartbeat { .. } => "controlled shutdown heartbeat",
            Timer::IsrCheck { .. } => "isr-expiration",
            Timer::FetchWait { .. } => "fetch wait expired",
            Timer::FetchBackoff { .. } => "fetch backoff",
            Timer::DelayedProduce { .. } => "produce purgatory timeout",
            Timer::ControllerTick { .. } => "controller session check",
            Timer::ControllerElection => "controller election",
            Timer::ProducerWake { .. } => "sender wakeup",
            Timer::RequestTimeout { .. } => "request timeout",
            Timer::ConsumerFetchWait { .. } => "consumer fetch wait expired",
            Timer::GroupDeadline { .. } => "rebalance deadline",
            Timer::MemberExpiry { .. } => "session timeout check",
            Timer::OffsetsWriteTimeout { .. } => "offsets write timeout",
            Timer::ConsumerPoll { .. } => "poll()",
            Timer::ConsumerHeartbeat { .. } => "heartbeat thread",
            Timer::LogRetentionCheck { .. } => "log retention check",
            Timer::LogCleaner { .. } => "log cleaner",
            Timer::TxnTimeout { .. } => "transaction timeout check",
            Timer::TxnMarkerRetry { .. } => "transaction marker retry",
        }
    }
}

/// A Kafka cluster and its clients, as one value. `Clone + PartialEq`: a clone is a
/// checkpoint, and two simulations are equal when every node, message and counter is.
#[derive(Clone, Debug, PartialEq)]
pub struct Sim {
    seed: u64,
    spec: SimSpec,
    now: Millis,
    steps: u64,
    rng: SimRng,
    net: Network,
    next_req: u64,
    /// The broker configs in force: the `cluster` line's (static, `server.properties`) with
    /// the cluster-wide dynamic defaults on top.
    pub(crate) broker_config: ConfigMap,
    /// The cluster-wide dynamic broker configs (`kafka-configs --entity-default`).
    pub(crate) broker_dynamic_default: ConfigMap,
    pub(crate) brokers: Vec<Broker>,
    pub(crate) controller: Controller,
    pub(crate) producers: Vec<Producer>,
    /// Consumer clients; `NodeId::Client(ClientId(CONSUMER_CLIENT_BASE + i))`.
    pub(crate) consumers: Vec<Consumer>,
    /// Consumer groups by `group.id`, with the coordinator state of the broker hosting each.
    pub(crate) groups: crate::collections::VecMap<String, Group>,
    /// What each `__consumer_offsets` record says, by record id (the records themselves sit
    /// in the partition's log; a record truncated away is no longer found by a reload).
    pub(crate) offsets_store: crate::collections::VecMap<u64, coordinator::OffsetsRecord>,
    /// Rebalance history per group (metrics for the UI; survives coordinator moves).
    pub(crate) rebalances: crate::collections::VecMap<String, Vec<view::RebalanceView>>,
    pub(crate) checker: Checker,
    /// Transaction coordinators' state and the records of `__transaction_state`.
    pub(crate) txn: txn::Txns,
    /// Answers a former coordinator owes (`coordinator::OwedAnswer`).
    pub(crate) owed: Vec<coordinator::OwedAnswer>,
    trace_hash: u64,
    /// Records are numbered as they are sent, for the checker.
    next_rid: u64,
}

impl Sim {
    /// Starts a cluster: brokers registered and unfenced, `controller-1` active, at time 0.
    pub fn new(spec: SimSpec, seed: u64) -> Result<Sim, CommandError> {
        if spec.brokers == 0 {
            return Err(CommandError::arg(
                "brokers",
                "a cluster needs at least 1 broker",
            ));
        }
        if spec.brokers > limits::MAX_BROKERS {
            return Err(CommandError::LimitExceeded {
                what: "brokers",
                limit: limits::MAX_BROKERS as u64,
                asked: spec.brokers as u64,
            });
        }
        if spec.controllers == 0 || spec.controllers > limits::MAX_CONTROLLERS {
            return Err(CommandError::arg(
                "controllers",
                alloc::format!("must be between 1 and {}", limits::MAX_CONTROLLERS),
            ));
        }
        if spec.latency_ms > limits::MAX_LATENCY_MS {
            return Err(CommandError::LimitExceeded {
                what: "latency (ms)",
                limit: limits::MAX_LATENCY_MS,
                asked: spec.latency_ms,
            });
        }
        let mut broker_config = ConfigMap::new("broker");
        for (k, v) in &spec.broker_configs {
            broker_config.set(k, v)?;
        }
        let brokers: Vec<Broker> = (1..=spec.brokers)
            .map(|i| {
                let rack = if spec.racks.is_empty() {
                    None
                } else {
                    Some(spec.racks[(i as usize - 1) % spec.racks.len()].clone())
                };
                Broker::new(BrokerId(i), rack)
            })
            .collect();
        let controller = Controller::new(spec.controllers, &brokers);
        let mut sim = Sim {
            seed,
            spec,
            now: Millis::ZERO,
            steps: 0,
            rng: SimRng::new(seed),
            net: Network::default(),
            next_req: 0,
            broker_config,
            broker_dynamic_default: ConfigMap::new("broker"),
            brokers,
            controller,
            producers: Vec::new(),
            consumers: Vec::new(),
            groups: crate::collections::VecMap::new(),
            offsets_store: crate::collections::VecMap::new(),
            rebalances: crate::collections::VecMap::new(),
            checker: Checker::default(),
            txn: txn::Txns::default(),
            owed: Vec::new(),
            trace_hash: trace::HASH_INIT,
            next_rid: 0,
        };
        // Brokers start their heartbeat loops at staggered, seeded times, as real brokers
        // never start in the same millisecond.
        let interval = sim.broker_config.get_i64("broker.heartbeat.interval.ms") as u64;
        for i in 0..sim.brokers.len() {
            let id = sim.brokers[i].id;
            sim.brokers[i].registered = true;
            sim.brokers[i].broker_epoch = sim.controller.brokers[&id].broker_epoch;
            let at = sim.rng.range_inclusive(1, interval);
            let inc = sim.brokers[i].incarnation;
            sim.schedule_timer(
                NodeId::Broker(id),
                at,
                Timer::BrokerHeartbeat { incarnation: inc },
            );
            sim.arm_storage_timers(id);
        }
        sim.controller_arm_tick();
        Ok(sim)
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn spec(&self) -> &SimSpec {
        &self.spec
    }
    pub fn now(&self) -> Millis {
        self.now
    }
    /// Events delivered so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }
    /// A hash of every event so far (and every command), in order.
    pub fn trace_hash(&self) -> u64 {
        self.trace_hash
    }
    /// Whether `other` has had the same run as this simulation: the same cluster and seed, the
    /// same clock, and the same events and commands in the same order (by the trace hash, so
    /// two different runs agree here with probability 2^-64). For "did that change anything?"
    /// when one sim was cloned from the other: `==` compares every node, log and message, and
    /// its code alone was 12 KB of the gzipped wasm bundle (ARCHITECTURE.md). Everything that
    /// changes a sim goes through a command, an event or the clock, except the two helpers a
    /// client tool calls on its way to a command ([`Sim::random_below`],
    /// [`Sim::echo_consumer`]).
    pub fn same_run(&self, other: &Sim) -> bool {
        self.trace_hash == other.trace_hash
            && self.steps == other.steps
            && self.now == other.now
            && self.seed == other.seed
            && self.spec == other.spec
    }
    pub fn broker_configs(&self) -> &ConfigMap {
        &self.broker_config
    }
    /// The broker configs the `cluster` line set (Kafka's `STATIC_BROKER_CONFIG`).
    pub fn static_broker_configs(&self) -> &[(String, String)] {
        &self.spec.broker_configs
    }
    /// The cluster-wide dynamic broker configs (`DYNAMIC_DEFAULT_BROKER_CONFIG`).
    pub fn dynamic_default_broker_configs(&self) -> &ConfigMap {
        &self.broker_dynamic_default
    }
    pub fn findings(&self) -> &[Finding] {
        &self.checker.findings
    }

    /// The number of partitions of `topic`, as the controller knows it.
    pub fn topic_partition_count(&self, topic: &str) -> Option<u32> {
        self.controller
            .topics
            .get(topic)
            .map(|t| t.partitions.len() as u32)
    }

    fn next_req(&mut self) -> u64 {
        self.next_req += 1;
        self.next_req
    }

    pub(crate) fn broker_index(&self, id: BrokerId) -> Option<usize> {
        let i = id.0.checked_sub(1)? as usize;
        (i < self.brokers.len()).then_some(i)
    }

    pub(crate) fn producer_index(&self, name: &str) -> Option<usize> {
        self.producers.iter().position(|p| p.client_id == name)
    }

    /// Sends a message: it arrives after the latency (plus seeded jitter and any slowdown),
    /// unless a one-shot fault says otherwise. Cut links are checked on delivery.
    pub(crate) fn send(&mut self, from: NodeId, to: NodeId, msg: Message) {
        let api = msg.api();
        let mut extra = 0;
        let mut copies = 1;
        if !self.net.next_faults.is_empty() {
            match self.net.take_next_fault(api, from) {
                Some(NextAction::Drop) => {
                    let env = Envelope {
                        from,
                        to,
                        sent: self.now,
                        deliver: self.now,
                        msg,
                    };
                    self.trace_event(trace::TraceKind::Dropped, Some(&env), None);
                    self.checker_on_dropped(&env.msg);
                    return;
                }
                Some(NextAction::Delay(ms)) => extra = ms,
                Some(NextAction::Duplicate) => copies = 2,
                None => {}
            }
        }
        let base = self.spec.latency_ms;
        for _ in 0..copies {
            let jitter = if base >= 2 {
                self.rng.range_inclusive(0, base / 2)
            } else {
                0
            };
            let delay = base + jitter + extra + self.net.extra_latency(from, to);
            let env = Envelope {
                from,
                to,
                sent: self.now,
                deliver: self.now + delay,
                msg: msg.clone(),
            };
            self.net.schedule(env.deliver, Scheduled::Deliver(env));
        }
    }

    pub(crate) fn schedule_timer(&mut self, node: NodeId, after_ms: u64, t: Timer) {
        self.net
            .schedule(self.now + after_ms, Scheduled::Timer(node, t));
    }

    fn trace_event(
        &mut self,
        kind: trace::TraceKind,
        env: Option<&Envelope>,
        timer: Option<(NodeId, &Timer)>,
    ) {
        self.trace_hash = trace::fold(self.trace_hash, self.steps, self.now, kind, env, timer);
    }

    /// Delivers exactly one scheduled event. Returns false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        self.step_inner(false).is_some()
    }

    /// Like [`Sim::step`], and describes the event for the trace view.
    pub fn step_event(&mut self) -> Option<TraceEvent> {
        self.step_inner(true).flatten()
    }

    fn step_inner(&mut self, describe: bool) -> Option<Option<TraceEvent>> {
        if self.net.wants_burial() {
            self.bury_dead_request_timeouts();
        }
        // Timers whose work was already done (a fetch answered in time, a produce completed
        // before its timeout) are cancelled: they are skipped without counting as a step.
        let (at, what) = loop {
            let (at, what) = self.net.pop()?;
            if let Scheduled::Timer(node, t) = &what {
                if !self.timer_live(*node, t) {
                    continue;
                }
            }
            break (at, what);
        };
        self.now = self.now.max(at);
        self.steps += 1;
        let mut out = None;
        match what {
            Scheduled::Deliver(env) => {
                let alive = self.node_is_up(env.to);
                let connected = self.net.connected(env.from, env.to);
                let kind = if alive && connected {
                    trace::TraceKind::Delivered
                } else {
                    trace::TraceKind::Dropped
                };
                self.trace_event(kind, Some(&env), None);
                if describe {
                    out = Some(TraceEvent::of_message(
                        self.steps,
                        self.now,
                        kind,
                        &env,
                        self.name_of(env.from),
                        self.name_of(env.to),
                    ));
                }
                if alive && connected {
                    self.deliver(env);
                } else {
                    self.checker_on_dropped(&env.msg);
                    if connected && !env.msg.is_response() {
                        // The target process is down but its machine answers: the sender's
                        // connection is refused at once (a TCP reset), unlike a cut link
                        // where only a timeout tells.
                        self.connection_refused(env);
                    }
                }
            }
            Scheduled::Timer(node, t) => {
                self.trace_event(trace::TraceKind::Timer, None, Some((node, &t)));
                if describe {
                    out = Some(TraceEvent::of_timer(
                        self.steps,
                        self.now,
                        self.name_of(node),
                        &t,
                    ));
                }
                if self.node_is_up(node) {
                    self.fire(node, t);
                }
            }
        }
        self.checker_after_step();
        Some(out)
    }

    fn timer_live(&self, node: NodeId, t: &Timer) -> bool {
        if !self.node_is_up(node) {
            return false;
        }
        match (node, t) {
            (NodeId::Broker(b), _) => {
                let Some(i) = self.broker_index(b) else {
                    return false;
                };
                let br = &self.brokers[i];
                match t {
                    Timer::BrokerHeartbeat { incarnation }
                    | Timer::ShutdownHeartbeat { incarnation }
                    | Timer::IsrCheck { incarnation }
                    | Timer::LogRetentionCheck { incarnation }
                    | Timer::LogCleaner { incarnation } => *incarnation == br.incarnation,
                    Timer::FetchWait { req } => br.parked.iter().any(|p| p.req == *req),
                    Timer::FetchBackoff {
                        leader,
                        incarnation,
                        req,
                    } => {
                        *incarnation == br.incarnation
                            && br.fetch_inflight.get(leader) == Some(&Some(*req))
                    }
                    Timer::DelayedProduce { req } => br.delayed.iter().any(|d| d.req == *req),
                    Timer::ConsumerFetchWait { req } => {
                        br.consumer_parked.iter().any(|p| p.req == *req)
                    }
                    Timer::GroupDeadline { .. }
                    | Timer::MemberExpiry { .. }
                    | Timer::OffsetsWriteTimeout { .. } => self.group_timer_live(b, t),
                    Timer::TxnTimeout { .. } | Timer::TxnMarkerRetry { .. } => {
                        self.txn_timer_live(b, t)
                    }
                    _ => false,
                }
            }
            (NodeId::Controller(c), Timer::ControllerTick { epoch }) => {
                self.controller.active == Some(c) && self.controller.epoch == *epoch
            }
            (NodeId::Controller(_), Timer::ControllerElection) => self.controller.election_pending,
            (NodeId::Client(c), _) => match self.client_kind(c) {
                ClientKind::Producer(i) => self.producers.get(i).is_some_and(|p| p.timer_live(t)),
                ClientKind::Consumer(i) => self.consumers.get(i).is_some_and(|k| k.timer_live(t)),
            },
            _ => false,
        }
    }

    /// Steps every event scheduled at or before `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: Millis) {
        while let Some(at) = self.net.peek_time() {
            if at > t {
                break;
            }
            if !self.step() {
                break;
            }
        }
        // Cancelled timers left before `t` are dropped so the clock can move on cleanly.
        self.now = self.now.max(t);
    }

    /// Moves the clock forward without an event (what `run` does after the last event it
    /// delivered). Never moves it back.
    pub fn advance_clock_to(&mut self, t: Millis) {
        self.now = self.now.max(t);
    }

    /// Moves the request timeouts of answered requests out of the queue (see
    /// [`Network::bury`]). Only those: a request id is never reused, so once a client no longer
    /// waits for it, its timeout can never fire again. Other timers' liveness is left to be
    /// checked when they come up, as before.
    fn bury_dead_request_timeouts(&mut self) {
        let mut dead = self.net.dead_timers(|n, t| {
            matches!(n, NodeId::Client(_))
                && matches!(t, Timer::RequestTimeout { .. })
                && self.node_is_up(n)
                && !self.timer_live(n, t)
        });
        crate::sort::sort_by_key(&mut dead, |s| *s);
        self.net.bury(&dead);
    }

    /// The time of the next scheduled event, if any (cancelled timers included).
    pub fn next_event_time(&self) -> Option<Millis> {
        self.net.peek_time()
    }

    pub fn run_for(&mut self, ms: u64) {
        let t = self.now + ms;
        self.run_until(t);
    }

    /// Runs until every send has completed, every ISR follower has its leader's LEO and no
    /// controller change is on its way; an error says what was still unsettled after `max_ms`.
    pub fn settle(&mut self, max_ms: u64) -> Result<(), String> {
        let deadline = self.now + max_ms;
        loop {
            if self.unsettled().is_none() {
                return Ok(());
            }
            match self.net.peek_time() {
                Some(at) if at <= deadline => {
                    self.step();
                }
                _ => {
                    self.now = self.now.max(deadline);
                    return match self.unsettled() {
                        None => Ok(()),
                        Some(why) => Err(alloc::format!("not settled after {}ms: {why}", max_ms)),
                    };
                }
            }
        }
    }

    /// Why the cluster is not settled, or `None`.
    pub fn unsettled(&self) -> Option<String> {
        if let Some(why) = self.groups_unsettled() {
            return Some(why);
        }
        for p in &self.producers {
            if p.dead {
                continue;
            }
            if p.txn.as_ref().is_some_and(|t| t.busy()) {
                return Some(alloc::format!(
                    "producer {} has a transactional request or a commit/abort in progress",
                    p.client_id
                ));
            }
            let pending = p.pending();
            if pending > 0 {
                return Some(alloc::format!(
                    "producer {} has {pending} record(s) pending",
                    p.client_id
                ));
            }
        }
        for (name, t) in &self.controller.topics {
            for (i, ps) in t.partitions.iter().enumerate() {
                let Some(l) = ps.leader else { continue };
                let tp = TopicPartition::new(name.clone(), i as u32);
                let Some(li) = self.broker_index(l) else {
                    continue;
                };
                let Some(leader_log) = self.brokers[li].logs.get(&tp) else {
                    return Some(alloc::format!(
                        "{tp}: leader {l} has not created its log yet"
                    ));
                };
                let leo = leader_log.leo();
                let hw = leader_log.hw;
                if !self.brokers[li].is_leader_of(&tp) {
                    return Some(alloc::format!("{tp}: broker {l} has not yet become leader"));
                }
                let frozen = self.brokers[li]
                    .parts
                    .get(&tp)
                    .is_some_and(|pm| pm.state.isr.len() < pm.effective_min_isr());
                if hw < leo && !frozen {
                    return Some(alloc::format!(
                        "{tp}: leader {l} has HW {hw} below its LEO {leo}"
                    ));
                }
                for f in &ps.isr {
                    let Some(fi) = self.broker_index(*f) else {
                        continue;
                    };
                    if !self.brokers[fi].is_running() {
                        continue;
                    }
                    let (fleo, fhw) = self.brokers[fi]
                        .logs
                        .get(&tp)
                        .map_or((-1, -1), |l| (l.leo(), l.hw));
                    if fleo != leo {
                        return Some(alloc::format!(
                            "{tp}: replica {f} has LEO {fleo}, leader {l} has {leo}"
                        ));
                    }
                    if fhw != hw {
                        return Some(alloc::format!(
                            "{tp}: replica {f} knows HW {fhw}, leader {l} has {hw}"
                        ));
                    }
                }
            }
        }
        None
    }

    fn connection_refused(&mut self, env: Envelope) {
        if let NodeId::Client(c) = env.from {
            if (c.0 as usize) < self.producers.len() {
                self.producer_refused(c.0 as usize, env.msg.req());
            }
        }
    }

    pub(crate) fn node_is_up(&self, n: NodeId) -> bool {
        match n {
            NodeId::Broker(b) => self
                .broker_index(b)
                .is_some_and(|i| self.brokers[i].is_running()),
            NodeId::Controller(c) => self.controller.is_up(c),
            NodeId::Client(c) => match self.client_kind(c) {
                ClientKind::Producer(i) => self.producers.get(i).is_some_and(|p| !p.dead),
                ClientKind::Consumer(i) => self.consumers.get(i).is_some_and(|k| k.is_alive()),
            },
        }
    }

    pub(crate) fn name_of(&self, n: NodeId) -> String {
        match n {
            NodeId::Broker(b) => alloc::format!("broker {b}"),
            NodeId::Controller(c) => alloc::format!("controller-{c}"),
            NodeId::Client(c) => match self.client_kind(c) {
                ClientKind::Producer(i) => self.producers.get(i).map(|p| p.client_id.clone()),
                ClientKind::Consumer(i) => self.consumers.get(i).map(|k| k.client_id.clone()),
            }
            .unwrap_or_else(|| alloc::format!("client {}", c.0)),
        }
    }

    /// Producers and consumers share the client id space: consumers start at
    /// [`CONSUMER_CLIENT_BASE`].
    pub(crate) fn client_kind(&self, c: ClientId) -> ClientKind {
        if c.0 >= CONSUMER_CLIENT_BASE {
            ClientKind::Consumer((c.0 - CONSUMER_CLIENT_BASE) as usize)
        } else {
            ClientKind::Producer(c.0 as usize)
        }
    }

    fn deliver(&mut self, env: Envelope) {
        if let NodeId::Broker(b) = env.to {
            if txn::is_txn_message(&env.msg) {
                self.txn_receive(b, env.from, env.msg);
                return;
            }
            if coordinator::is_group_message(&env.msg) {
                self.coordinator_receive(b, env.from, env.msg);
                return;
            }
        }
        match env.to {
            NodeId::Broker(b) => self.broker_receive(b, env.from, env.msg),
            NodeId::Controller(c) => self.controller_receive(c, env.from, env.msg),
            NodeId::Client(c) => match self.client_kind(c) {
                ClientKind::Producer(_) => self.producer_receive(c, env.from, env.msg),
                ClientKind::Consumer(i) => self.consumer_receive(i, env.from, env.msg),
            },
        }
    }

    fn fire(&mut self, node: NodeId, t: Timer) {
        match node {
            NodeId::Broker(b) => self.broker_timer(b, t),
            NodeId::Controller(c) => self.controller_timer(c, t),
            NodeId::Client(c) => match self.client_kind(c) {
                ClientKind::Producer(_) => self.producer_timer(c, t),
                ClientKind::Consumer(i) => self.consumer_timer(i, t),
            },
        }
    }

    fn resolve_node(&self, r: &NodeRef) -> Result<NodeId, CommandError> {
        match r {
            NodeRef::Broker(b) => {
                self.broker_index(*b).ok_or_else(|| {
                    CommandError::arg(
                        "broker",
                        alloc::format!("no broker {b} (brokers are 1..{})", self.brokers.len()),
                    )
                })?;
                Ok(NodeId::Broker(*b))
            }
            NodeRef::Controller(None) => self
                .controller
                .active
                .map(NodeId::Controller)
                .ok_or_else(|| CommandError::arg("controller", "no controller is active")),
            NodeRef::Controller(Some(c)) => {
                if *c == 0 || *c > self.controller.nodes.len() as u32 {
                    return Err(CommandError::arg(
                        "controller",
                        alloc::format!("no controller-{c}"),
                    ));
                }
                Ok(NodeId::Controller(*c))
            }
            NodeRef::Client(name) => self
                .producer_index(name)
                .map(|i| NodeId::Client(ClientId(i as u32)))
                .or_else(|| {
                    self.consumer_index(name)
                        .map(|i| NodeId::Client(ClientId(CONSUMER_CLIENT_BASE + i as u32)))
                })
                .ok_or_else(|| {
                    CommandError::arg("client", alloc::format!("no client named '{name}'"))
                }),
        }
    }

    /// Applies a command at the current time. On error nothing has changed.
    pub fn apply(&mut self, cmd: Command) -> Result<Outcome, CommandError> {
        let out = self.apply_inner(&cmd)?;
        self.trace_hash = trace::fold_command(self.trace_hash, self.steps, self.now, &cmd);
        self.checker_after_step();
        Ok(out)
    }

    fn apply_inner(&mut self, cmd: &Command) -> Result<Outcome, CommandError> {
        match cmd {
            Command::CreateTopic {
                name,
                partitions,
                replication_factor,
                assignment,
                configs,
            } => self.create_topic(
                name,
                *partitions,
                *replication_factor,
                assignment.as_deref(),
                configs,
            ),
            Command::DeleteTopic { name } => self.delete_topic(name),
            Command::AlterPartitions { name, count } => self.alter_partitions(name, *count),
            Command::AlterTopicConfig { name, set, delete } => {
                self.alter_topic_config(name, set, delete)
            }
            Command::AlterBrokerConfig {
                broker,
                set,
                delete,
            } => self.alter_broker_config(*broker, set, delete),
            Command::AddProducer { client_id, configs } => self.add_producer(client_id, configs),
            Command::Produce {
                producer,
                topic,
                key,
                value,
                partition,
                count,
            } => self.produce(
                producer,
                topic,
                key.as_deref(),
                value.as_deref(),
                *partition,
                *count,
            ),
            Command::BrokerStop(b) => self.broker_stop(*b),
            Command::BrokerKill(b) => self.broker_crash(*b, false),
            Command::BrokerPowerOff(b) => self.broker_crash(*b, true),
            Command::BrokerStart(b) => self.broker_start(*b),
            Command::ControllerKill(c) => self.controller_kill(*c),
            Command::ControllerStart(c) => self.controller_start(*c),
            Command::NetIsolate(n) => {
                let id = self.resolve_node(n)?;
                self.net.isolated.insert(id);
                Ok(Outcome::line(alloc::format!(
                    "{} is isolated",
                    self.name_of(id)
                )))
            }
            Command::NetCut(a, b) => {
                let a = self.resolve_node(a)?;
                let b = self.resolve_node(b)?;
                if a == b {
                    return Err(CommandError::arg(
                        "net cut",
                        "a link needs two different nodes",
                    ));
                }
                self.net.cut.insert(if a <= b { (a, b) } else { (b, a) });
                Ok(Outcome::line(alloc::format!(
                    "link {} <-> {} is cut",
                    self.name_of(a),
                    self.name_of(b)
                )))
            }
            Command::NetSlow { node, by_ms } => {
                let id = self.resolve_node(node)?;
                if *by_ms > limits::MAX_LATENCY_MS {
                    return Err(CommandError::LimitExceeded {
                        what: "added latency (ms)",
                        limit: limits::MAX_LATENCY_MS,
                        asked: *by_ms,
                    });
                }
                self.net.slow.insert(id, *by_ms);
                Ok(Outcome::none())
            }
            Command::NetDropNext { api, from } => {
                self.next_fault(*api, from.as_ref(), NextAction::Drop)
            }
            Command::NetDelayNext { api, from, by_ms } => {
                if *by_ms > limits::MAX_LATENCY_MS {
                    return Err(CommandError::LimitExceeded {
                        what: "delay (ms)",
                        limit: limits::MAX_LATENCY_MS,
                        asked: *by_ms,
                    });
                }
                self.next_fault(*api, from.as_ref(), NextAction::Delay(*by_ms))
            }
            Command::NetDuplicateNext { api, from } => {
                self.next_fault(*api, from.as_ref(), NextAction::Duplicate)
            }
            Command::NetHeal(n) => {
                let id = match n {
                    Some(r) => Some(self.resolve_node(r)?),
                    None => None,
                };
                self.net.heal(id);
                Ok(Outcome::none())
            }
            Command::ElectLeaders {
                election,
                partitions,
            } => self.elect_leaders(*election, partitions.as_deref()),
            Command::AddConsumer {
                client_id,
                group,
                topics,
                configs,
            } => self.add_consumer(client_id, group, topics, configs),
            Command::RemoveConsumer(name) => self.remove_consumer(name),
            Command::KillConsumer(name) => self.kill_consumer(name),
            Command::PauseConsumer { name, for_ms } => self.pause_consumer(name, *for_ms),
            Command::ResetOffsets { group, topic, to } => self.reset_offsets(group, topic, *to),
            Command::Txn { producer, op } => self.txn_command(producer, op.clone()),
            Command::KillProducer(name) => self.kill_producer(name),
        }
    }

    fn next_fault(
        &mut self,
        api: ApiKey,
        from: Option<&NodeRef>,
        action: NextAction,
    ) -> Result<Outcome, CommandError> {
        let from = match from {
            Some(r) => Some(self.resolve_node(r)?),
            None => None,
        };
        self.net
            .next_faults
            .push(net::NextFault { api, from, action });
        Ok(Outcome::none())
    }

    /// The plain-data picture of everything, for the UI and the `expect` lines.
    /// The record at `offset` of `tp`, as the partition's leader (or, when it has none, any
    /// replica holding it) stores it now: `(key, value)`, a `None` value being a tombstone.
    /// `None` if no replica has that offset (never written, deleted or compacted away).
    pub fn record_at(
        &self,
        tp: &TopicPartition,
        offset: crate::ids::Offset,
    ) -> Option<(Option<String>, Option<String>)> {
        let leader = self.controller.partition(tp).and_then(|p| p.leader);
        let mut logs: Vec<&log::Log> = Vec::new();
        for br in &self.brokers {
            if let Some(l) = br.logs.get(tp) {
                if Some(br.id) == leader {
                    logs.insert(0, l);
                } else {
                    logs.push(l);
                }
            }
        }
        logs.into_iter().find_map(|l| {
            let batch = l.read_from(offset, 1).into_iter().next()?;
            let r = batch
                .records
                .get(usize::try_from(offset - batch.base_offset).ok()?)?;
            Some((
                r.key.as_deref().map(String::from),
                r.value.as_deref().map(String::from),
            ))
        })
    }

    /// A number in `0..n` from the run's seeded generator, for the few random choices a client
    /// tool makes (the console consumer's `console-consumer-<n>` group id).
    pub fn random_below(&mut self, n: u32) -> u32 {
        self.rng.below(n)
    }

    /// The whole cluster for people, each replica with its newest [`view::RECORDS_SHOWN`]
    /// records.
    pub fn view(&self) -> ClusterView {
        self.view_with_records(view::RECORDS_SHOWN)
    }

    /// [`Sim::view`] with at most `records_shown` records per replica: the playground draws ten
    /// a strip and builds a view every frame; on issue 7's large cluster ten instead of 64 took
    /// a view from 0.61 to 0.73 ms down to 0.45 ms (natively, measured).
    pub fn view_with_records(&self, records_shown: usize) -> ClusterView {
        let brokers = self
            .brokers
            .iter()
            .map(|b| view::BrokerView {
                id: b.id,
                rack: b.rack.clone(),
                state: self.broker_state(b),
            })
            .collect();
        let controllers = self
            .controller
            .nodes
            .iter()
            .enumerate()
            .map(|(i, up)| {
                let n = i as u32 + 1;
                view::ControllerView {
                    name: alloc::format!("controller-{n}"),
                    up: *up,
                    active: self.controller.active == Some(n),
                    epoch: self.controller.epoch,
                }
            })
            .collect();
        let topics = self
            .controller
            .topics
            .iter()
            .map(|(name, t)| view::TopicView {
                name: name.clone(),
                internal: name.starts_with("__"),
                configs: t
                    .config
                    .overrides
                    .explicit()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                partitions: t
                    .partitions
                    .iter()
                    .enumerate()
                    .map(|(i, ps)| self.partition_view(name, i as u32, ps, records_shown))
                    .collect(),
            })
            .collect();
        let producers = self.producers.iter().map(|p| p.view()).collect();
        let in_flight = self
            .net
            .in_flight()
            .into_iter()
            .map(|env| view::MessageView {
                api: env.msg.api().name(),
                is_response: env.msg.is_response(),
                from: self.name_of(env.from),
                to: self.name_of(env.to),
                sent_ms: env.sent.0,
                deliver_ms: env.deliver.0,
                summary: env.msg.summary(),
            })
            .collect();
        ClusterView {
            time_ms: self.now.0,
            step: self.steps,
            seed: self.seed,
            brokers,
            controllers,
            topics,
            producers,
            groups: self.group_views(),
            consumers: self
                .consumers
                .iter()
                .map(|c| self.consumer_view(c))
                .collect(),
            in_flight,
            findings: self.checker.findings.iter().map(|f| f.view()).collect(),
            lost_acked: self.lost_acked(),
        }
    }

    fn partition_view(
        &self,
        topic: &str,
        p: u32,
        ps: &msg::PartitionState,
        records_shown: usize,
    ) -> view::PartitionView {
        let tp = TopicPartition::new(topic, p);
        let replica_states: Vec<view::ReplicaView> = ps
            .replicas
            .iter()
            .map(|b| {
                let broker = self.broker_index(*b).map(|i| &self.brokers[i]);
                let log = broker.and_then(|br| br.logs.get(&tp).map(|l| &**l));
                let is_leader = ps.leader == Some(*b);
                let records = log.map_or_else(Vec::new, |l| {
                    let mut out = Vec::with_capacity(records_shown);
                    let from = (l.leo() - records_shown as i64).max(l.log_start);
                    for batch in l.batches_from(from) {
                        // A batch's records have consecutive offsets (`Log::record_at`): start
                        // at `from` rather than walk a large batch's head (a backlog's batches
                        // hold hundreds; that walk was a tenth of building the page's view).
                        let skip = usize::try_from(from - batch.base_offset).unwrap_or(0);
                        for (j, r) in batch.records.iter().enumerate().skip(skip) {
                            let off = batch.base_offset + j as i64;
                            out.push(view::RecordView {
                                offset: off,
                                leader_epoch: batch.leader_epoch,
                                key: r.key.clone(),
                                value: r.value.clone(),
                                timestamp_ms: r.timestamp,
                                control: batch.control.map(|c| c.name()),
                                producer_id: batch.producer_id,
                                transactional: batch.transactional,
                            });
                        }
                    }
                    out
                });
                view::ReplicaView {
                    broker: *b,
                    log_start_offset: log.map_or(0, |l| l.log_start),
                    log_end_offset: log.map_or(0, |l| l.leo()),
                    high_watermark: log.map_or(0, |l| l.hw),
                    flushed_offset: log.map_or(0, |l| l.flushed),
                    is_leader,
                    in_isr: ps.isr.contains(b),
                    records,
                    segments: log.map_or_else(Vec::new, storage::segment_views),
                    storage_note: log.map_or_else(String::new, storage::storage_note),
                }
            })
            .collect();
        let leader_replica = ps
            .leader
            .and_then(|l| replica_states.iter().find(|r| r.broker == l));
        let (hw, leo, ls) = leader_replica.map_or_else(
            || {
                // Offline: show the best a returning ISR replica would offer.
                replica_states
                    .iter()
                    .filter(|r| ps.isr.contains(&r.broker))
                    .map(|r| (r.high_watermark, r.log_end_offset, r.log_start_offset))
                    .max()
                    .unwrap_or((0, 0, 0))
            },
            |r| (r.high_watermark, r.log_end_offset, r.log_start_offset),
        );
        view::PartitionView {
            partition: p,
            replicas: ps.replicas.clone(),
            isr: ps.isr.clone(),
            leader: ps.leader,
            leader_epoch: ps.leader_epoch,
            high_watermark: hw,
            log_end_offset: leo,
            log_start_offset: ls,
            // I7: the leader's LSO (offline: the HW shown).
            last_stable_offset: ps
                .leader
                .and_then(|l| self.broker_index(l))
                .and_then(|i| self.brokers[i].logs.get(&tp))
                .map_or(hw, |l| l.lso()),
            replica_states,
        }
    }

    fn broker_state(&self, b: &Broker) -> view::BrokerState {
        match b.process {
            broker::Process::Running => {
                let fenced = self.controller.brokers.get(&b.id).is_none_or(|r| r.fenced);
                if b.shutting_down {
                    view::BrokerState::ShuttingDown
                } else if fenced {
                    view::BrokerState::Fenced
                } else {
                    view::BrokerState::Running
                }
            }
            broker::Process::Stopped => view::BrokerState::Stopped,
            broker::Process::Killed => view::BrokerState::Killed,
            broker::Process::PoweredOff => view::BrokerState::PoweredOff,
        }
    }
}

/// Which table a [`ClientId`] indexes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClientKind {
    Producer(usize),
    Consumer(usize),
}

/// Maps an admin-side config error to Kafka's `INVALID_CONFIG`.
pub(crate) fn invalid_config(e: CommandError) -> CommandError {
    config::as_invalid_config(e)
}

pub(crate) fn kafka_err(e: KafkaError, msg: impl Into<String>) -> CommandError {
    CommandError::kafka(e, msg)
}
