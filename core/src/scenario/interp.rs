//! The interpreter: a [`Session`] owns the simulation and runs statements against it.
//!
//! Kafka tools print what the real tools print (`kafka-topics --describe` in `TopicCommand`'s
//! tab-separated format, `Created topic orders.`, …). Playground commands print short notes.
//! `expect` lines print nothing when they hold; when they fail, the error names each field,
//! the expected and the actual value. A failed line leaves the session as it was.

use crate::collections::VecSet;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::ast::*;
use super::groups;
use super::lex::{read_script, Item, LineReader};
use super::parse::{nearest, parse, COMMANDS, FINDING_KINDS};
use super::ScenarioError;
use crate::ids::{BrokerId, Offset, TopicPartition};
use crate::partitioner::partition_for_key;
use crate::sim::{ApiKey, Command, ElectionType, NodeRef, Sim, SimSpec};
use crate::time::Millis;
use crate::view::{ClusterView, PartitionView, TopicView, RECORDS_SHOWN};

/// What one console line printed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub lines: Vec<String>,
    /// The console holds an unfinished command (a `\` continuation or a records block) and
    /// waits for more lines.
    pub awaiting_input: bool,
}

/// One line of a script run, with what it printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptEntry {
    pub line_no: usize,
    pub source: String,
    pub output: Vec<String>,
    /// The line failed and the next line was `expect error …`.
    pub error: Option<String>,
}

/// A script run that passed: every line and what it printed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transcript {
    pub entries: Vec<TranscriptEntry>,
}

impl Transcript {
    /// The run as text: each command after `> `, then its output.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for e in &self.entries {
            s.push_str("> ");
            s.push_str(&e.source);
            s.push('\n');
            for l in &e.output {
                s.push_str(l);
                s.push('\n');
            }
            if let Some(err) = &e.error {
                s.push_str("ERROR ");
                s.push_str(err);
                s.push('\n');
            }
        }
        s
    }
}

/// The first failing line of a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptFailure {
    pub line_no: usize,
    pub line: String,
    pub message: String,
}

impl core::fmt::Display for ScriptFailure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "line {}: `{}`: {}",
            self.line_no, self.line, self.message
        )
    }
}

/// What the last command (not counting `expect` lines) did, for `expect error`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Last {
    #[default]
    Nothing,
    Ok(String),
    Failed(String, String),
}

/// A console session, or a script being run: the simulation plus the reader's state.
#[derive(Clone, Debug, Default)]
pub struct Session {
    sim: Option<Sim>,
    reader: LineReader,
    lines_read: usize,
    last: Last,
    /// `kafka-console-producer` clients, by their producer properties.
    console_producers: Vec<(Vec<(String, String)>, String)>,
}

/// The most events one cluster may deliver in a session (a new `cluster` line starts again),
/// so that no script or shared link can keep a browser tab busy for long.
pub const MAX_SESSION_EVENTS: u64 = 2_000_000;

const NO_CLUSTER: &str = "no cluster yet: start one with 'cluster brokers=3' (see 'help cluster')";

fn is_expect_error(words: &[String]) -> bool {
    words.len() >= 2 && words[0] == "expect" && words[1] == "error"
}

fn broker_list(v: &[BrokerId]) -> String {
    let parts: Vec<String> = v.iter().map(|b| b.0.to_string()).collect();
    parts.join(",")
}

fn ids_list(v: &[u32]) -> String {
    let parts: Vec<String> = v.iter().map(|b| b.to_string()).collect();
    parts.join(",")
}

fn node_ref(n: &Node) -> NodeRef {
    match n {
        Node::Broker(b) => NodeRef::Broker(BrokerId(*b)),
        Node::Controller(c) => NodeRef::Controller(*c),
        Node::Client(c) => NodeRef::Client(c.clone()),
    }
}

fn api_key(name: &str) -> Result<ApiKey, ScenarioError> {
    ApiKey::parse(name).ok_or_else(|| {
        let names: Vec<&str> = ApiKey::ALL.iter().map(|k| k.name()).collect();
        let hint = match nearest(name, names.iter().copied()) {
            Some(n) => format!(" Did you mean '{n}'?"),
            None => String::new(),
        };
        ScenarioError::Usage(format!(
            "unknown API '{name}'.{hint} APIs: {}",
            names.join(", ")
        ))
    })
}

/// Collects the fields of an `expect` that differ.
pub(super) struct Diffs {
    what: String,
    pub(super) diffs: Vec<String>,
}

impl Diffs {
    pub(super) fn new(what: String) -> Self {
        Self {
            what,
            diffs: Vec::new(),
        }
    }
    pub(super) fn check<T: PartialEq + core::fmt::Display>(
        &mut self,
        field: &str,
        expected: Option<T>,
        actual: T,
    ) {
        if let Some(e) = expected {
            if e != actual {
                self.diffs
                    .push(format!("{field}: expected {e}, actual {actual}"));
            }
        }
    }
    /// `last-error=`: the expected error name (or `none`) against the view's, which may add a
    /// message after the name.
    pub(super) fn check_error(&mut self, want: Option<&str>, have: Option<&str>) {
        let same = match (want, have) {
            (None, None) => true,
            (Some(w), Some(h)) => h == w || h.split([':', ' ']).next() == Some(w),
            _ => false,
        };
        if !same {
            self.differ("last-error", want.unwrap_or("none"), have.unwrap_or("none"));
        }
    }

    pub(super) fn differ(&mut self, field: &str, expected: &str, actual: &str) {
        self.diffs
            .push(format!("{field}: expected {expected}, actual {actual}"));
    }
    pub(super) fn finish(self) -> Result<Vec<String>, ScenarioError> {
        if self.diffs.is_empty() {
            Ok(Vec::new())
        } else {
            Err(ScenarioError::Expect(format!(
                "{} does not hold: {}",
                self.what,
                self.diffs.join("; ")
            )))
        }
    }
}

impl Session {
    /// A session with no cluster yet (the first line is usually `cluster …`).
    pub fn new() -> Self {
        Self::default()
    }

    /// A session around an existing simulation.
    pub fn with_sim(sim: Sim) -> Self {
        Self {
            sim: Some(sim),
            ..Self::default()
        }
    }

    pub fn sim(&self) -> Option<&Sim> {
        self.sim.as_ref()
    }

    pub fn sim_mut(&mut self) -> Option<&mut Sim> {
        self.sim.as_mut()
    }

    pub fn view(&self) -> Option<ClusterView> {
        self.sim.as_ref().map(Sim::view)
    }

    /// Whether the console is in the middle of a command (continuation or records block).
    pub fn awaiting_input(&self) -> bool {
        self.reader.is_pending()
    }

    /// Drops an unfinished multi-line command (Ctrl-C in the console).
    pub fn cancel_input(&mut self) {
        self.reader.cancel();
    }

    /// Ctrl-D in the console: ends a `kafka-console-producer` records block and runs it.
    pub fn end_input(&mut self) -> Result<Output, ScenarioError> {
        match self.reader.end_block() {
            Some(item) => self.run_item(&item).map(|lines| Output {
                lines,
                awaiting_input: false,
            }),
            None => Ok(Output::default()),
        }
    }

    /// Runs what the user typed. A line that completes nothing (a `\` continuation, a record
    /// of a records block) returns `awaiting_input`. Pasted text with several lines runs each
    /// complete command in turn and stops at the first error.
    pub fn run_line(&mut self, text: &str) -> Result<Output, ScenarioError> {
        if text.len() > super::lex::MAX_SCRIPT_BYTES {
            return Err(ScenarioError::Limit(format!(
                "input is limited to {} bytes (1 MiB)",
                super::lex::MAX_SCRIPT_BYTES
            )));
        }
        let mut lines = Vec::new();
        for raw in text.split('\n') {
            self.lines_read += 1;
            if let Some(item) = self.reader.push(self.lines_read, raw) {
                lines.extend(self.run_item(&item)?);
            }
        }
        Ok(Output {
            lines,
            awaiting_input: self.reader.is_pending(),
        })
    }

    /// Runs one complete item: parses it, handles `expect error`, executes it.
    pub fn run_item(&mut self, item: &Item) -> Result<Vec<String>, ScenarioError> {
        let words = match &item.words {
            Ok(w) => w,
            Err(e) => {
                let err = ScenarioError::Usage(e.message.clone());
                self.last = Last::Failed(item.source.clone(), err.to_string());
                return Err(err);
            }
        };
        if is_expect_error(words) {
            let stmt = parse(words, None)?;
            if let Stmt::Expect(Expect::Error(text)) = stmt {
                return self.expect_error(&text);
            }
        }
        let is_expect = words.first().is_some_and(|w| w == "expect");
        let result = parse(words, item.block.as_deref()).and_then(|stmt| self.execute(&stmt));
        if !is_expect {
            self.last = match &result {
                Ok(_) => Last::Ok(item.source.clone()),
                Err(e) => Last::Failed(item.source.clone(), e.to_string()),
            };
        }
        result
    }

    fn expect_error(&self, text: &str) -> Result<Vec<String>, ScenarioError> {
        match &self.last {
            Last::Failed(_, msg) if msg.contains(text) => Ok(Vec::new()),
            Last::Failed(src, msg) => Err(ScenarioError::Expect(format!(
                "expect error does not hold: `{src}` failed with \"{msg}\", which does not contain \"{text}\""
            ))),
            Last::Ok(src) => Err(ScenarioError::Expect(format!(
                "expect error does not hold: `{src}` succeeded; expected it to fail with \"{text}\""
            ))),
            Last::Nothing => Err(ScenarioError::Expect(
                "expect error: there is no previous command".to_string(),
            )),
        }
    }

    fn sim_ref(&self) -> Result<&Sim, ScenarioError> {
        self.sim
            .as_ref()
            .ok_or_else(|| ScenarioError::Failed(NO_CLUSTER.to_string()))
    }

    fn sim_mut_or_err(&mut self) -> Result<&mut Sim, ScenarioError> {
        self.sim
            .as_mut()
            .ok_or_else(|| ScenarioError::Failed(NO_CLUSTER.to_string()))
    }

    /// Applies one engine command; prints the engine's lines, or `default` if it has none.
    fn apply(
        &mut self,
        cmd: Command,
        default: Option<String>,
    ) -> Result<Vec<String>, ScenarioError> {
        let out = self.sim_mut_or_err()?.apply(cmd)?;
        if out.lines.is_empty() {
            Ok(default.into_iter().collect())
        } else {
            Ok(out.lines)
        }
    }

    /// Refuses to advance time once the session's event budget is spent.
    fn check_budget(&self) -> Result<(), ScenarioError> {
        let steps = self.sim_ref()?.steps();
        if steps >= MAX_SESSION_EVENTS {
            return Err(ScenarioError::Limit(format!(
                "this cluster has delivered {steps} events; the playground stops advancing time at {MAX_SESSION_EVENTS} per cluster (start again with a cluster line)"
            )));
        }
        Ok(())
    }

    /// Runs one statement.
    pub fn execute(&mut self, stmt: &Stmt) -> Result<Vec<String>, ScenarioError> {
        if matches!(
            stmt,
            Stmt::Run(_)
                | Stmt::Step(_)
                | Stmt::Settle(_)
                | Stmt::ConsoleProducer(_)
                | Stmt::ConsoleConsumer { .. }
        ) {
            self.check_budget()?;
        }
        match stmt {
            Stmt::Help(topic) => Ok(help(topic.as_deref())),
            Stmt::Cluster(args) => self.cluster(args),
            Stmt::TopicsCreate {
                topic,
                partitions,
                replication_factor,
                assignment,
                configs,
                if_not_exists,
            } => {
                let exists = self.sim_ref()?.topic_partition_count(topic).is_some();
                if exists && *if_not_exists {
                    return Ok(Vec::new());
                }
                let mut out = Vec::new();
                if topic.contains('.') || topic.contains('_') {
                    out.push("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.".to_string());
                }
                out.extend(self.apply(
                    Command::CreateTopic {
                        name: topic.clone(),
                        partitions: *partitions,
                        replication_factor: *replication_factor,
                        assignment: assignment.as_ref().map(|a| {
                            a.iter()
                                .map(|p| p.iter().map(|b| BrokerId(*b)).collect())
                                .collect()
                        }),
                        configs: configs.clone(),
                    },
                    Some(format!("Created topic {topic}.")),
                )?);
                Ok(out)
            }
            Stmt::TopicsDescribe {
                topic,
                exclude_internal,
                filter,
            } => {
                let sim = self.sim_ref()?;
                describe_topics(sim, topic.as_deref(), *exclude_internal, filter)
            }
            Stmt::TopicsList { exclude_internal } => {
                let view = self.sim_ref()?.view();
                Ok(view
                    .topics
                    .iter()
                    .filter(|t| !(*exclude_internal && t.internal))
                    .map(|t| t.name.clone())
                    .collect())
            }
            Stmt::TopicsAlter { topic, partitions } => self.apply(
                Command::AlterPartitions {
                    name: topic.clone(),
                    count: *partitions,
                },
                None,
            ),
            Stmt::TopicsDelete { topic } => self.apply(
                Command::DeleteTopic {
                    name: topic.clone(),
                },
                None,
            ),
            Stmt::ConfigsAlter { topic, add, delete } => self.apply(
                Command::AlterTopicConfig {
                    name: topic.clone(),
                    set: add.clone(),
                    delete: delete.clone(),
                },
                Some(format!("Completed updating config for topic {topic}.")),
            ),
            Stmt::ConfigsDescribe { topic } => {
                describe_configs(&self.sim_ref()?.view(), topic.as_deref())
            }
            Stmt::BrokerConfigsAlter {
                broker,
                add,
                delete,
            } => self.apply(
                Command::AlterBrokerConfig {
                    broker: broker.map(BrokerId),
                    set: add.clone(),
                    delete: delete.clone(),
                },
                None,
            ),
            Stmt::BrokerConfigsDescribe { which } => {
                describe_broker_configs(self.sim_ref()?, which)
            }
            Stmt::ConsoleProducer(cp) => self.console_producer(cp),
            Stmt::ConsoleConsumer {
                topic,
                group,
                from_beginning,
                max_messages,
                print_key,
            } => {
                let checkpoint = self.sim_ref()?.clone();
                let result = self.console_consumer(
                    topic,
                    group.as_deref(),
                    *from_beginning,
                    *max_messages,
                    *print_key,
                );
                if result.is_err() {
                    // A failed line changes nothing.
                    self.sim = Some(checkpoint);
                }
                result
            }
            Stmt::GroupsList => Ok(self
                .sim_ref()?
                .view()
                .groups
                .iter()
                .map(|g| g.group_id.clone())
                .collect()),
            Stmt::GroupsDescribe {
                group,
                members,
                state,
                verbose,
            } => groups::describe(&self.sim_ref()?.view(), group, *members, *state, *verbose),
            Stmt::GroupsResetOffsets {
                group,
                topic,
                to,
                execute,
            } => {
                if *execute {
                    let to = match to {
                        ResetTo::Earliest => crate::sim::command::ResetTo::Earliest,
                        ResetTo::Latest => crate::sim::command::ResetTo::Latest,
                        ResetTo::Offset(n) => crate::sim::command::ResetTo::Offset(*n),
                    };
                    self.sim_mut_or_err()?.apply(Command::ResetOffsets {
                        group: group.clone(),
                        topic: topic.clone(),
                        to,
                    })?;
                }
                groups::reset_plan(&self.sim_ref()?.view(), group, topic, to, *execute)
            }
            Stmt::LeaderElection {
                election,
                partitions,
            } => self.leader_election(*election, partitions),
            Stmt::ProducerAdd { client_id, configs } => self.apply(
                Command::AddProducer {
                    client_id: client_id.clone(),
                    configs: configs.clone(),
                },
                None,
            ),
            Stmt::Produce {
                producer,
                topic,
                key,
                value,
                partition,
                count,
            } => self.apply(
                Command::Produce {
                    producer: producer.clone(),
                    topic: topic.clone(),
                    key: key.clone(),
                    value: value.clone(),
                    partition: *partition,
                    count: *count,
                },
                None,
            ),
            Stmt::Txn {
                op,
                producer,
                group,
            } => {
                use crate::sim::txn::TxnOp as Op;
                let op = match op {
                    TxnOp::Begin => Op::Begin,
                    TxnOp::Commit => Op::Commit,
                    TxnOp::Abort => Op::Abort,
                    TxnOp::SendOffsets => Op::SendOffsets {
                        group: group.clone().unwrap_or_default(),
                    },
                };
                self.apply(
                    Command::Txn {
                        producer: producer.clone(),
                        op,
                    },
                    None,
                )
            }
            Stmt::ProducerKill { client_id } => {
                self.apply(Command::KillProducer(client_id.clone()), None)
            }
            Stmt::ConsumerAdd {
                client_id,
                group,
                topics,
                configs,
            } => {
                let group = group
                    .clone()
                    .or_else(|| {
                        configs
                            .iter()
                            .find(|(k, _)| k == "group.id")
                            .map(|(_, v)| v.clone())
                    })
                    .ok_or_else(|| {
                        ScenarioError::Usage("consumer add: missing group=G".to_string())
                    })?;
                self.apply(
                    Command::AddConsumer {
                        client_id: client_id.clone(),
                        group,
                        topics: topics.clone(),
                        configs: configs.clone(),
                    },
                    None,
                )
            }
            Stmt::ConsumerRemove(c) => self.apply(Command::RemoveConsumer(c.clone()), None),
            Stmt::ConsumerKill(c) => self.apply(Command::KillConsumer(c.clone()), None),
            Stmt::ConsumerPause { client_id, for_ms } => self.apply(
                Command::PauseConsumer {
                    name: client_id.clone(),
                    for_ms: *for_ms,
                },
                None,
            ),
            Stmt::Broker { op, id } => {
                let b = BrokerId(*id);
                let cmd = match op {
                    BrokerOp::Stop => Command::BrokerStop(b),
                    BrokerOp::Kill => Command::BrokerKill(b),
                    BrokerOp::PowerOff => Command::BrokerPowerOff(b),
                    BrokerOp::Start => Command::BrokerStart(b),
                };
                self.apply(cmd, None)
            }
            Stmt::ControllerKill(c) => self.apply(Command::ControllerKill(*c), None),
            Stmt::ControllerStart(c) => self.apply(Command::ControllerStart(*c), None),
            Stmt::NetIsolate(n) => self.apply(Command::NetIsolate(node_ref(n)), None),
            Stmt::NetCut(a, b) => self.apply(Command::NetCut(node_ref(a), node_ref(b)), None),
            Stmt::NetSlow { node, by_ms } => self.apply(
                Command::NetSlow {
                    node: node_ref(node),
                    by_ms: *by_ms,
                },
                None,
            ),
            Stmt::NetDropNext { api, from } => {
                let api = api_key(api)?;
                self.apply(
                    Command::NetDropNext {
                        api,
                        from: from.as_ref().map(node_ref),
                    },
                    None,
                )
            }
            Stmt::NetDelayNext { api, from, by_ms } => {
                let api = api_key(api)?;
                self.apply(
                    Command::NetDelayNext {
                        api,
                        from: from.as_ref().map(node_ref),
                        by_ms: *by_ms,
                    },
                    None,
                )
            }
            Stmt::NetDuplicateNext { api, from } => {
                let api = api_key(api)?;
                self.apply(
                    Command::NetDuplicateNext {
                        api,
                        from: from.as_ref().map(node_ref),
                    },
                    None,
                )
            }
            Stmt::NetHeal(n) => self.apply(Command::NetHeal(n.as_ref().map(node_ref)), None),
            Stmt::Run(ms) => {
                let sim = self.sim_mut_or_err()?;
                sim.run_for(*ms);
                Ok(alloc::vec![format!(
                    "now {} (step {})",
                    sim.now(),
                    sim.steps()
                )])
            }
            Stmt::Step(n) => self.step(*n),
            Stmt::Settle(max) => {
                let sim = self.sim_mut_or_err()?;
                let before = sim.clone();
                match sim.settle(*max) {
                    Ok(()) => Ok(alloc::vec![format!(
                        "settled at {} (step {})",
                        sim.now(),
                        sim.steps()
                    )]),
                    Err(why) => {
                        // A failed line changes nothing, settle included.
                        *sim = before;
                        Err(ScenarioError::Failed(format!("settle: {why}")))
                    }
                }
            }
            Stmt::Expect(e) => self.expect(e),
        }
    }

    fn cluster(&mut self, a: &ClusterArgs) -> Result<Vec<String>, ScenarioError> {
        let mut configs = a.broker_configs.clone();
        // Internal topics as single-node setups configure them: capped at the broker count.
        for (key, kafka_default) in [
            ("offsets.topic.replication.factor", 3u32),
            ("transaction.state.log.replication.factor", 3),
            ("transaction.state.log.min.isr", 2),
        ] {
            if !configs.iter().any(|(k, _)| k == key) {
                configs.push((key.to_string(), kafka_default.min(a.brokers).to_string()));
            }
        }
        let defaults = SimSpec::default();
        let spec = SimSpec {
            brokers: a.brokers,
            controllers: a.controllers.unwrap_or(defaults.controllers),
            racks: a.racks.clone(),
            latency_ms: a.latency_ms.unwrap_or(defaults.latency_ms),
            broker_configs: configs,
        };
        let seed = a.seed.unwrap_or(0);
        let sim = Sim::new(spec, seed)?;
        let view = sim.view();
        let active = view
            .controllers
            .iter()
            .find(|c| c.active)
            .map_or("none".to_string(), |c| c.name.clone());
        let line = format!(
            "Started a cluster: brokers 1..{} and {} KRaft controller(s) ({active} active), seed {seed}.",
            a.brokers,
            view.controllers.len()
        );
        self.sim = Some(sim);
        self.console_producers.clear();
        Ok(alloc::vec![line])
    }

    fn step(&mut self, n: u64) -> Result<Vec<String>, ScenarioError> {
        const SHOWN: u64 = 50;
        let sim = self.sim_mut_or_err()?;
        let mut out = Vec::new();
        let mut done = 0;
        while done < n {
            let Some(ev) = sim.step_event() else {
                out.push("nothing is scheduled".to_string());
                break;
            };
            done += 1;
            if done <= SHOWN {
                let kind = match ev.kind {
                    crate::sim::TraceKind::Delivered => "",
                    crate::sim::TraceKind::Dropped => " (dropped)",
                    crate::sim::TraceKind::Timer => " (timer)",
                };
                let arrow = if ev.from == ev.to {
                    ev.from.clone()
                } else {
                    format!("{} -> {}", ev.from, ev.to)
                };
                out.push(format!(
                    "#{} {} {}{kind}: {}",
                    ev.step,
                    Millis(ev.time_ms),
                    arrow,
                    ev.summary
                ));
            }
        }
        if done > SHOWN {
            out.push(format!("… and {} more events", done - SHOWN));
        }
        Ok(out)
    }

    fn leader_election(
        &mut self,
        election: Election,
        partitions: &Option<Vec<TopicPartition>>,
    ) -> Result<Vec<String>, ScenarioError> {
        let before = self.sim_ref()?.view();
        let (etype, label) = match election {
            Election::Preferred => (ElectionType::Preferred, "PREFERRED"),
            Election::Unclean => (ElectionType::Unclean, "UNCLEAN"),
        };
        let out = self.sim_mut_or_err()?.apply(Command::ElectLeaders {
            election: etype,
            partitions: partitions.clone(),
        })?;
        if !out.lines.is_empty() {
            return Ok(out.lines);
        }
        // The engine said nothing: report as the tool does, from the leaders before and after.
        let after = self.sim_ref()?.view();
        let mut changed = Vec::new();
        let mut unchanged = Vec::new();
        for t in &after.topics {
            for p in &t.partitions {
                let tp = TopicPartition::new(t.name.clone(), p.partition);
                if let Some(list) = partitions {
                    if !list.contains(&tp) {
                        continue;
                    }
                }
                let old = find_partition(&before, &tp).map(|p| p.leader);
                if old != Some(p.leader) && p.leader.is_some() {
                    changed.push(tp.to_string());
                } else if partitions.is_some() {
                    unchanged.push(tp.to_string());
                }
            }
        }
        let mut lines = Vec::new();
        if !changed.is_empty() {
            lines.push(format!(
                "Successfully completed leader election ({label}) for partitions {}",
                changed.join(", ")
            ));
        }
        if !unchanged.is_empty() {
            lines.push(format!(
                "Valid replica already elected for partitions {}",
                unchanged.join(", ")
            ));
        }
        Ok(lines)
    }

    fn console_producer(&mut self, cp: &ConsoleProducer) -> Result<Vec<String>, ScenarioError> {
        let checkpoint = self.sim_ref()?.clone();
        let saved_clients = self.console_producers.clone();
        let result = self.console_producer_inner(cp);
        if result.is_err() {
            self.sim = Some(checkpoint);
            self.console_producers = saved_clients;
        }
        result
    }

    fn console_producer_inner(
        &mut self,
        cp: &ConsoleProducer,
    ) -> Result<Vec<String>, ScenarioError> {
        // Parse every record first, so a bad line changes nothing.
        let mut records = Vec::new();
        for (i, line) in cp.records.iter().enumerate() {
            let (key, value) = if cp.parse_key {
                match line.split_once(cp.key_separator.as_str()) {
                    Some((k, v)) => (Some(k.to_string()), v.to_string()),
                    None => {
                        return Err(ScenarioError::Failed(format!(
                            "No key separator found on line number {}: '{line}'",
                            i + 1
                        )))
                    }
                }
            } else {
                (None, line.clone())
            };
            let is_null = |s: &str| cp.null_marker.as_deref() == Some(s);
            let key = key.filter(|k| !is_null(k));
            let value = (!is_null(&value)).then_some(value);
            records.push((key, value));
        }
        let client = match self
            .console_producers
            .iter()
            .find(|(props, _)| *props == cp.producer_props)
        {
            Some((_, c)) => c.clone(),
            None => {
                let taken: VecSet<String> = self
                    .sim_ref()?
                    .view()
                    .producers
                    .iter()
                    .map(|p| p.client_id.clone())
                    .collect();
                let mut name = "console-producer".to_string();
                let mut n = 2;
                while taken.contains(&name) {
                    name = format!("console-producer-{n}");
                    n += 1;
                }
                self.sim_mut_or_err()?.apply(Command::AddProducer {
                    client_id: name.clone(),
                    configs: cp.producer_props.clone(),
                })?;
                self.console_producers
                    .push((cp.producer_props.clone(), name.clone()));
                name
            }
        };
        let failed_before = self.producer_counts(&client).1;
        for (key, value) in records {
            self.sim_mut_or_err()?.apply(Command::Produce {
                producer: client.clone(),
                topic: cp.topic.clone(),
                key,
                value,
                partition: None,
                count: 1,
            })?;
        }
        // Closing the producer (end of input) waits for every send to be acknowledged or to
        // fail, bounded by the default delivery.timeout.ms.
        let deadline = self.sim_ref()?.now() + 120_000;
        loop {
            let (pending, _, _) = self.producer_counts(&client);
            let sim = self.sim_mut_or_err()?;
            if pending == 0 || sim.now() >= deadline {
                break;
            }
            sim.run_for(50);
        }
        let (pending, failed, last_error) = self.producer_counts(&client);
        let mut out = Vec::new();
        if failed > failed_before {
            out.push(format!(
                "ERROR Error when sending message to topic {} ({} record(s)) with error: {}",
                cp.topic,
                failed - failed_before,
                last_error.unwrap_or_default()
            ));
        }
        if pending > 0 {
            out.push(format!(
                "{pending} record(s) still pending when the producer closed"
            ));
        }
        Ok(out)
    }

    /// A producer's `(pending, failed, last_error)`.
    /// `kafka-console-consumer`: a real consumer client joins the group (Kafka's tool makes up
    /// `console-consumer-<n>` with auto-commit off when no `--group` is given), starts at the
    /// log start (`--from-beginning`, i.e. `auto.offset.reset=earliest`) or at the end
    /// (`latest`), and prints each record its application processes: the value, or key, a tab
    /// and the value with `print.key=true` (`null` for a missing key or a tombstone). The real
    /// tool runs until `--max-messages` or Ctrl-C; a script stops it once it has read every
    /// record below the high watermark, or after 60 s of simulated time. Then it closes
    /// cleanly (LeaveGroup; commits if auto-commit is on) and prints its closing line.
    fn console_consumer(
        &mut self,
        topic: &str,
        group: Option<&str>,
        from_beginning: bool,
        max_messages: Option<u64>,
        print_key: bool,
    ) -> Result<Vec<String>, ScenarioError> {
        const RUN_LIMIT_MS: u64 = 60_000;
        const TICK_MS: u64 = 100;
        let taken: VecSet<String> = {
            let view = self.sim_ref()?.view();
            view.consumers
                .iter()
                .map(|c| c.client_id.clone())
                .chain(view.producers.iter().map(|p| p.client_id.clone()))
                .collect()
        };
        let mut name = "console-consumer".to_string();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("console-consumer-{n}");
            n += 1;
        }
        let sim = self.sim_mut_or_err()?;
        let mut configs = alloc::vec![(
            "auto.offset.reset".to_string(),
            if from_beginning { "earliest" } else { "latest" }.to_string(),
        )];
        let group = match group {
            Some(g) => g.to_string(),
            None => {
                // ConsoleConsumer: an auto-generated group is not meant to be reused, so its
                // offsets are not committed.
                configs.push(("enable.auto.commit".to_string(), "false".to_string()));
                format!("console-consumer-{}", sim.random_below(100_000))
            }
        };
        sim.apply(Command::AddConsumer {
            client_id: name.clone(),
            group,
            topics: alloc::vec![topic.to_string()],
            configs,
        })?;
        sim.echo_consumer(&name);
        let deadline = sim.now() + RUN_LIMIT_MS;
        let mut caught_up_twice = 0;
        let mut timed_out = false;
        loop {
            let sim = self.sim_mut_or_err()?;
            let read = sim.consumer_echo(&name).len() as u64;
            if max_messages.is_some_and(|m| read >= m) {
                break;
            }
            if sim.now() >= deadline {
                timed_out = max_messages.is_some();
                break;
            }
            sim.run_for(TICK_MS);
            if max_messages.is_none() {
                // Caught up on two checks in a row: stable, assigned, every position at the
                // HW, and nothing handed out still being processed.
                let view = sim.view();
                let caught_up = view
                    .consumers
                    .iter()
                    .find(|c| c.client_id == name)
                    .is_some_and(|c| {
                        c.state == "stable"
                            && !c.assigned.is_empty()
                            && c.positions.iter().all(|(tp, pos)| {
                                find_partition(&view, tp).is_some_and(|p| *pos >= p.high_watermark)
                            })
                    });
                let now_read = sim.consumer_echo(&name).len() as u64;
                caught_up_twice = if caught_up && now_read == read {
                    caught_up_twice + 1
                } else {
                    0
                };
                if caught_up_twice >= 2 {
                    break;
                }
            }
        }
        let sim = self.sim_mut_or_err()?;
        let echoed: Vec<(TopicPartition, Offset)> = sim.consumer_echo(&name).to_vec();
        let shown = max_messages.map_or(echoed.len(), |m| echoed.len().min(m as usize));
        let mut out = Vec::new();
        for (tp, off) in &echoed[..shown] {
            let (key, value) = sim.record_at(tp, *off).unwrap_or((None, None));
            let value = value.unwrap_or_else(|| "null".to_string());
            out.push(if print_key {
                format!("{}\t{value}", key.as_deref().unwrap_or("null"))
            } else {
                value
            });
        }
        sim.apply(Command::RemoveConsumer(name))?;
        if timed_out {
            out.push(
                "ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\norg.apache.kafka.common.errors.TimeoutException".to_string(),
            );
        }
        out.push(format!("Processed a total of {shown} messages"));
        Ok(out)
    }

    fn producer_counts(&self, client: &str) -> (u64, u64, Option<String>) {
        self.sim
            .as_ref()
            .and_then(|s| {
                s.view()
                    .producers
                    .into_iter()
                    .find(|p| p.client_id == client)
                    .map(|p| (p.pending, p.failed, p.last_error))
            })
            .unwrap_or((0, 0, None))
    }

    fn expect(&self, e: &Expect) -> Result<Vec<String>, ScenarioError> {
        let sim = self.sim_ref()?;
        let view = sim.view();
        match e {
            Expect::Partition { tp, fields } => {
                let p = partition_or_err(&view, tp)?;
                let mut d = Diffs::new(format!("expect partition {tp}"));
                if let Some(leader) = fields.leader {
                    if leader.map(BrokerId) != p.leader {
                        d.differ(
                            "leader",
                            &leader_text(leader.map(BrokerId)),
                            &leader_text(p.leader),
                        );
                    }
                }
                if let Some(isr) = &fields.isr {
                    let want: VecSet<u32> = isr.iter().copied().collect();
                    let have: VecSet<u32> = p.isr.iter().map(|b| b.0).collect();
                    if want != have {
                        d.differ("isr", &ids_list(isr), &broker_list(&p.isr));
                    }
                }
                if let Some(r) = &fields.replicas {
                    let have: Vec<u32> = p.replicas.iter().map(|b| b.0).collect();
                    if *r != have {
                        d.differ("replicas", &ids_list(r), &broker_list(&p.replicas));
                    }
                }
                d.check("hw", fields.hw, p.high_watermark);
                d.check("leo", fields.leo, p.log_end_offset);
                d.check("epoch", fields.epoch, i64::from(p.leader_epoch));
                d.check("log-start", fields.log_start, p.log_start_offset);
                d.check("lso", fields.lso, p.last_stable_offset);
                d.finish()
            }
            Expect::Replica {
                tp,
                broker,
                leo,
                hw,
                log_start,
                in_isr,
            } => {
                let p = partition_or_err(&view, tp)?;
                let r = p
                    .replica_states
                    .iter()
                    .find(|r| r.broker.0 == *broker)
                    .ok_or_else(|| {
                        ScenarioError::Failed(format!(
                            "expect replica: broker {broker} is not a replica of {tp} (replicas: {})",
                            broker_list(&p.replicas)
                        ))
                    })?;
                let mut d = Diffs::new(format!("expect replica {tp}@{broker}"));
                d.check("leo", *leo, r.log_end_offset);
                d.check("hw", *hw, r.high_watermark);
                d.check("log-start", *log_start, r.log_start_offset);
                d.check("in-isr", *in_isr, r.in_isr);
                d.finish()
            }
            Expect::Controller { active, epoch } => {
                let act = view.controllers.iter().find(|c| c.active);
                let mut d = Diffs::new("expect controller".to_string());
                if let Some(want) = active {
                    let have = act.map_or("none", |c| c.name.as_str());
                    if want != have {
                        d.differ("active", want, have);
                    }
                }
                if let Some(want) = epoch {
                    let have = act
                        .or(view.controllers.first())
                        .map_or(0, |c| u64::from(c.epoch));
                    d.check("epoch", Some(*want), have);
                }
                d.finish()
            }
            Expect::Broker { id, state } => {
                let b = view.brokers.iter().find(|b| b.id.0 == *id).ok_or_else(|| {
                    ScenarioError::Failed(format!("expect broker: there is no broker {id}"))
                })?;
                let mut d = Diffs::new(format!("expect broker {id}"));
                if let Some(want) = state {
                    const STATES: &[&str] = &[
                        "running",
                        "fenced",
                        "shutting-down",
                        "stopped",
                        "killed",
                        "powered-off",
                    ];
                    if !STATES.contains(&want.as_str()) {
                        return Err(ScenarioError::Usage(format!(
                            "expect broker: state={want} is not a broker state; states: {}",
                            STATES.join(", ")
                        )));
                    }
                    let have = b.state.label().replace(' ', "-");
                    if *want != have {
                        d.differ("state", want, &have);
                    }
                }
                d.finish()
            }
            Expect::Records { tp, count, keys } => {
                let p = partition_or_err(&view, tp)?;
                let leader = p.leader.ok_or_else(|| {
                    ScenarioError::Failed(format!(
                        "expect records: {tp} has no leader (it is offline), so there is no leader log to count"
                    ))
                })?;
                let r = p
                    .replica_states
                    .iter()
                    .find(|r| r.broker == leader)
                    .ok_or_else(|| {
                        ScenarioError::Failed(format!(
                            "expect records: no replica state for leader {leader}"
                        ))
                    })?;
                let span = (r.log_end_offset - r.log_start_offset).max(0) as u64;
                let whole = span as usize <= RECORDS_SHOWN;
                let have_count = if whole { r.records.len() as u64 } else { span };
                let mut d = Diffs::new(format!("expect records {tp}"));
                d.check("count", *count, have_count);
                if let Some(k) = keys {
                    if !whole {
                        return Err(ScenarioError::NotSupported(format!(
                            "expect records keys= on a log of more than {RECORDS_SHOWN} records (the view carries the newest {RECORDS_SHOWN})"
                        )));
                    }
                    let distinct: VecSet<Option<&str>> =
                        r.records.iter().map(|x| x.key.as_deref()).collect();
                    d.check("keys", Some(*k), distinct.len() as u64);
                }
                d.finish()
            }
            Expect::Log {
                tp,
                broker,
                segments,
                log_start,
            } => {
                let p = partition_or_err(&view, tp)?;
                let r = p
                    .replica_states
                    .iter()
                    .find(|r| r.broker.0 == *broker)
                    .ok_or_else(|| {
                        ScenarioError::Failed(format!(
                            "expect log: broker {broker} is not a replica of {tp} (replicas: {})",
                            broker_list(&p.replicas)
                        ))
                    })?;
                let mut d = Diffs::new(format!("expect log {tp}@{broker}"));
                d.check("segments", *segments, r.segments.len() as u64);
                d.check("log-start", *log_start, r.log_start_offset);
                d.finish()
            }
            Expect::Producer {
                client_id,
                acked,
                failed,
                pending,
                last_error,
                txn_state,
            } => {
                let p =
                    view.producers
                        .iter()
                        .find(|p| p.client_id == *client_id)
                        .ok_or_else(|| {
                            let names: Vec<&str> = view
                                .producers
                                .iter()
                                .map(|p| p.client_id.as_str())
                                .collect();
                            ScenarioError::Failed(format!(
                            "expect producer: there is no producer '{client_id}' (producers: {})",
                            if names.is_empty() { "none".to_string() } else { names.join(", ") }
                        ))
                        })?;
                let mut d = Diffs::new(format!("expect producer {client_id}"));
                d.check("acked", *acked, p.acked);
                d.check("failed", *failed, p.failed);
                d.check("pending", *pending, p.pending);
                if let Some(want) = txn_state {
                    let have = p.txn_state.unwrap_or("none (not transactional)");
                    if !want.eq_ignore_ascii_case(have) {
                        d.differ("txn-state", want, have);
                    }
                }
                if let Some(want) = last_error {
                    d.check_error(want.as_deref(), p.last_error.as_deref());
                }
                d.finish()
            }
            Expect::Record {
                topic,
                key,
                partition,
            } => {
                let n = sim.topic_partition_count(topic).ok_or_else(|| {
                    ScenarioError::Failed(format!("expect record: there is no topic '{topic}'"))
                })?;
                let have = partition_for_key(key.as_bytes(), n);
                let mut d = Diffs::new(format!("expect record {topic} key={key}"));
                d.check("partition", Some(*partition), have);
                d.finish()
            }
            Expect::Group { .. }
            | Expect::Assignment { .. }
            | Expect::Consumed { .. }
            | Expect::Consumer { .. }
            | Expect::Lag { .. } => groups::expect(sim, &view, e),
            Expect::Lost(n) => {
                let mut d = Diffs::new("expect lost".to_string());
                d.check("lost", Some(*n), view.lost_acked);
                if !d.diffs.is_empty() {
                    let lost: Vec<&str> = view
                        .findings
                        .iter()
                        .filter(|f| f.kind == "lost")
                        .take(3)
                        .map(|f| f.message.as_str())
                        .collect();
                    if !lost.is_empty() {
                        d.diffs.push(format!("findings: {}", lost.join(" | ")));
                    }
                }
                d.finish()
            }
            Expect::Findings { total, kinds } => {
                let mut d = Diffs::new("expect findings".to_string());
                d.check("total", *total, view.findings.len() as u64);
                for (kind, n) in kinds {
                    let k = FINDING_KINDS
                        .iter()
                        .find(|k| **k == kind)
                        .copied()
                        .unwrap_or("");
                    let have = view.findings.iter().filter(|f| f.kind == k).count() as u64;
                    d.check(kind, Some(*n), have);
                }
                if !d.diffs.is_empty() && !view.findings.is_empty() {
                    let shown: Vec<String> = view
                        .findings
                        .iter()
                        .take(5)
                        .map(|f| format!("{}: {}", f.kind, f.message))
                        .collect();
                    d.diffs.push(format!("findings: {}", shown.join(" | ")));
                }
                d.finish()
            }
            Expect::Error(text) => self.expect_error(text),
        }
    }
}

fn leader_text(l: Option<BrokerId>) -> String {
    l.map_or("none".to_string(), |b| b.0.to_string())
}

fn find_partition<'a>(view: &'a ClusterView, tp: &TopicPartition) -> Option<&'a PartitionView> {
    view.topics
        .iter()
        .find(|t| t.name == tp.topic())
        .and_then(|t| t.partitions.iter().find(|p| p.partition == tp.partition))
}

fn partition_or_err<'a>(
    view: &'a ClusterView,
    tp: &TopicPartition,
) -> Result<&'a PartitionView, ScenarioError> {
    let Some(t) = view.topics.iter().find(|t| t.name == tp.topic()) else {
        let names: Vec<&str> = view.topics.iter().map(|t| t.name.as_str()).collect();
        let hint = match nearest(&tp.topic, names.iter().copied()) {
            Some(n) => format!(" Did you mean '{n}'?"),
            None => String::new(),
        };
        return Err(ScenarioError::Failed(format!(
            "UNKNOWN_TOPIC_OR_PARTITION: there is no topic '{}'.{hint}",
            tp.topic
        )));
    };
    t.partitions
        .iter()
        .find(|p| p.partition == tp.partition)
        .ok_or_else(|| {
            ScenarioError::Failed(format!(
                "UNKNOWN_TOPIC_OR_PARTITION: {} has partitions 0..{}, not {}",
                t.name,
                t.partitions.len().saturating_sub(1),
                tp.partition
            ))
        })
}

/// `min.insync.replicas` in force for a topic: its own, else the brokers'.
fn min_isr(sim: &Sim, t: &TopicView) -> i64 {
    t.configs
        .iter()
        .find(|(k, _)| k == "min.insync.replicas")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or_else(|| sim.broker_configs().get_i64("min.insync.replicas"))
}

/// `kafka-topics --describe`, in the format of Kafka 4.0's `TopicCommand`. The view has no
/// topic id, so `TopicId:` is left out, as the tool does for a zero id.
fn describe_topics(
    sim: &Sim,
    topic: Option<&str>,
    exclude_internal: bool,
    filter: &DescribeFilter,
) -> Result<Vec<String>, ScenarioError> {
    let view = sim.view();
    let topics: Vec<&TopicView> = view
        .topics
        .iter()
        .filter(|t| topic.is_none_or(|n| t.name == n))
        .filter(|t| !(exclude_internal && t.internal))
        .collect();
    if let (Some(name), true) = (topic, topics.is_empty()) {
        return Err(ScenarioError::Failed(format!(
            "Topic '{name}' does not exist as expected"
        )));
    }
    let live: VecSet<BrokerId> = view
        .brokers
        .iter()
        .filter(|b| b.state.is_up())
        .map(|b| b.id)
        .collect();
    let mut out = Vec::new();
    for t in topics {
        let rf = t.partitions.first().map_or(0, |p| p.replicas.len());
        let configs: Vec<String> = t.configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if !filter.any() {
            out.push(format!(
                "Topic: {}\tPartitionCount: {}\tReplicationFactor: {}\tConfigs: {}",
                t.name,
                t.partitions.len(),
                rf,
                configs.join(",")
            ));
        }
        let min = min_isr(sim, t);
        for p in &t.partitions {
            let isr = p.isr.len() as i64;
            let show = !filter.any()
                || (filter.under_replicated && p.isr.len() < p.replicas.len())
                || (filter.unavailable && p.leader.is_none_or(|l| !live.contains(&l)))
                || (filter.under_min_isr && (p.leader.is_none() || isr < min))
                || (filter.at_min_isr && isr == min);
            if show {
                out.push(format!(
                    "\tTopic: {}\tPartition: {}\tLeader: {}\tReplicas: {}\tIsr: {}\tElr: \tLastKnownElr: ",
                    t.name,
                    p.partition,
                    leader_text(p.leader),
                    broker_list(&p.replicas),
                    broker_list(&p.isr)
                ));
            }
        }
    }
    Ok(out)
}

/// `kafka-configs --describe --entity-type topics`, as Kafka's `ConfigCommand` prints it.
fn describe_configs(view: &ClusterView, topic: Option<&str>) -> Result<Vec<String>, ScenarioError> {
    if let Some(name) = topic {
        if !view.topics.iter().any(|t| t.name == name) {
            return Err(ScenarioError::Failed(format!(
                "UNKNOWN_TOPIC_OR_PARTITION: The topic '{name}' does not exist."
            )));
        }
    }
    let mut out = Vec::new();
    for t in view
        .topics
        .iter()
        .filter(|t| topic.is_none_or(|n| t.name == n))
    {
        out.push(format!("Dynamic configs for topic {} are:", t.name));
        for (k, v) in &t.configs {
            out.push(format!(
                "  {k}={v} sensitive=false synonyms={{DYNAMIC_TOPIC_CONFIG:{k}={v}}}"
            ));
        }
    }
    Ok(out)
}

/// `kafka-configs --describe --entity-type brokers`, as `ConfigCommand.describeResourceConfig`
/// prints it: per broker, the configs whose source is `DYNAMIC_BROKER_CONFIG` (none here:
/// per-broker values are not simulated); for the default entity, the cluster-wide dynamic
/// configs, each with its `DYNAMIC_DEFAULT_BROKER_CONFIG` synonym only (`ConfigHelper`
/// filters the default resource's synonyms to that source). Without a name: every broker,
/// then the defaults.
fn describe_broker_configs(sim: &Sim, which: &BrokerEntity) -> Result<Vec<String>, ScenarioError> {
    let ids: Vec<u32> = sim.view().brokers.iter().map(|b| b.id.0).collect();
    let mut out = Vec::new();
    let default = |out: &mut Vec<String>| {
        out.push("Default configs for brokers in the cluster are:".to_string());
        for (k, v) in sim.dynamic_default_broker_configs().explicit() {
            out.push(format!(
                "  {k}={v} sensitive=false synonyms={{DYNAMIC_DEFAULT_BROKER_CONFIG:{k}={v}}}"
            ));
        }
    };
    match which {
        BrokerEntity::Broker(b) => {
            if !ids.contains(b) {
                return Err(ScenarioError::Failed(format!(
                    "broker {b} does not exist (brokers: {})",
                    ids_list(&ids)
                )));
            }
            out.push(format!("Dynamic configs for broker {b} are:"));
        }
        BrokerEntity::Default => default(&mut out),
        BrokerEntity::All => {
            for b in &ids {
                out.push(format!("Dynamic configs for broker {b} are:"));
            }
            default(&mut out);
        }
    }
    Ok(out)
}

fn help(topic: Option<&str>) -> Vec<String> {
    match topic {
        Some(name) => match COMMANDS.iter().find(|c| c.name == name) {
            Some(c) => alloc::vec![
                format!("{}: {}", c.name, c.summary),
                format!("usage: {}", c.usage)
            ],
            None => {
                let hint = nearest(name, COMMANDS.iter().map(|c| c.name))
                    .map(|n| format!(" Did you mean '{n}'?"))
                    .unwrap_or_default();
                alloc::vec![format!("no command '{name}'.{hint}")]
            }
        },
        None => {
            let mut out = alloc::vec!["Commands (help COMMAND shows its usage):".to_string()];
            for c in COMMANDS {
                out.push(format!("  {:<24} {}", c.name, c.summary));
            }
            out
        }
    }
}

/// Runs a whole script in a new session; stops at the first error, unless the next line is
/// `expect error …` and the error contains its text.
pub fn run_script(text: &str) -> Result<Transcript, ScriptFailure> {
    run_script_in(&mut Session::new(), text)
}

/// Like [`run_script`], in a given session (which keeps the final state for inspection).
pub fn run_script_in(session: &mut Session, text: &str) -> Result<Transcript, ScriptFailure> {
    let items = read_script(text).map_err(|e| ScriptFailure {
        line_no: e.line_no,
        line: String::new(),
        message: e.message,
    })?;
    let mut transcript = Transcript::default();
    for (i, item) in items.iter().enumerate() {
        match session.run_item(item) {
            Ok(output) => transcript.entries.push(TranscriptEntry {
                line_no: item.line_no,
                source: item.source.clone(),
                output,
                error: None,
            }),
            Err(e) => {
                let next_is_expect_error = items
                    .get(i + 1)
                    .and_then(|n| n.words.as_ref().ok())
                    .is_some_and(|w| is_expect_error(w));
                let is_expect_line = item
                    .words
                    .as_ref()
                    .ok()
                    .and_then(|w| w.first())
                    .is_some_and(|w| w == "expect");
                if next_is_expect_error && !is_expect_line {
                    transcript.entries.push(TranscriptEntry {
                        line_no: item.line_no,
                        source: item.source.clone(),
                        output: Vec::new(),
                        error: Some(e.to_string()),
                    });
                    continue;
                }
                return Err(ScriptFailure {
                    line_no: item.line_no,
                    line: item.source.clone(),
                    message: e.to_string(),
                });
            }
        }
    }
    Ok(transcript)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    const SPEC_EXAMPLE: &str = "\
# acks=all with min.insync.replicas=2 survives one broker, refuses writes after two
cluster brokers=3 seed=7
kafka-topics --create --topic orders --replica-assignment 1:2:3 --config min.insync.replicas=2
expect partition orders-0 leader=1 isr=1,2,3
producer add p1 acks=all retries=0 enable.idempotence=false
produce p1 orders key=k value=v1
settle
expect partition orders-0 isr=1,2,3 hw=1
broker kill 3
run 35s
expect partition orders-0 isr=1,2
produce p1 orders key=k value=v2
settle
expect producer p1 acked=2 failed=0
broker kill 2
run 35s
produce p1 orders key=k value=v3
settle
expect producer p1 acked=2 failed=1 last-error=NOT_ENOUGH_REPLICAS
expect lost 0
";

    fn session(script: &str) -> Session {
        let mut s = Session::new();
        run_script_in(&mut s, script).unwrap_or_else(|f| panic!("{f}"));
        s
    }

    fn fail(script: &str) -> ScriptFailure {
        run_script(script).unwrap_err()
    }

    #[test]
    fn the_spec_example_passes() {
        let t = run_script(SPEC_EXAMPLE).unwrap_or_else(|f| panic!("{f}"));
        assert_eq!(t.entries.len(), 19);
        assert!(t.render().contains("> broker kill 3"));
    }

    #[test]
    fn describe_prints_topic_commands_format() {
        let s = session("cluster brokers=3 seed=1\nkafka-topics --create --topic orders --replica-assignment 1:2:3,2:3:1 --config min.insync.replicas=2\n");
        let sim = s.sim().unwrap();
        let out = describe_topics(sim, Some("orders"), false, &DescribeFilter::default()).unwrap();
        assert_eq!(
            out,
            vec![
                "Topic: orders\tPartitionCount: 2\tReplicationFactor: 3\tConfigs: min.insync.replicas=2",
                "\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\tElr: \tLastKnownElr: ",
                "\tTopic: orders\tPartition: 1\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3,1\tElr: \tLastKnownElr: ",
            ]
        );
        let mut s = s;
        let out = s.run_line("kafka-topics --list").unwrap();
        assert!(out.lines.contains(&"orders".to_string()));
        let out = s
            .run_line("kafka-topics --create --topic t.x --partitions 1 --replication-factor 1")
            .unwrap();
        assert_eq!(out.lines.last().unwrap(), "Created topic t.x.");
    }

    #[test]
    fn a_failed_line_changes_nothing_and_the_console_goes_on() {
        let mut s = session("cluster brokers=3 seed=1\nkafka-topics --create --topic t --partitions 2 --replication-factor 3\n");
        let before = s.view().unwrap();
        for bad in [
            "kafka-topics --create --topic u --partitions 2 --replication-factor 9",
            "producer add p1 acks=2",
            "kafka-console-producer --topic t --property parse.key=true",
        ] {
            let out = s.run_line(bad);
            if bad.starts_with("kafka-console-producer") {
                assert!(out.unwrap().awaiting_input);
                s.run_line("no-separator-here").unwrap();
                let e = s.run_line("EOF").unwrap_err();
                assert!(
                    e.to_string()
                        .contains("No key separator found on line number 1"),
                    "{e}"
                );
            } else {
                assert!(out.is_err(), "{bad}");
            }
            assert_eq!(s.view().unwrap(), before, "{bad}");
        }
        assert!(s.run_line("expect error \"No key separator\"").is_ok());
        assert!(s.run_line("kafka-topics --describe --topic t").is_ok());
    }

    #[test]
    fn console_producer_reads_until_eof_or_ctrl_d() {
        let mut s = session("cluster brokers=1 seed=1\nkafka-topics --create --topic t --partitions 1 --replication-factor 1\n");
        assert!(
            s.run_line("kafka-console-producer --topic t")
                .unwrap()
                .awaiting_input
        );
        assert!(s.run_line("hello").unwrap().awaiting_input);
        assert!(s.run_line("world").unwrap().awaiting_input);
        let out = s.end_input().unwrap();
        assert!(!out.awaiting_input);
        assert!(s.run_line("expect partition t-0 hw=2").is_ok());
        assert!(s
            .run_line("expect producer console-producer acked=2")
            .is_ok());
    }

    #[test]
    fn expect_failures_name_each_field() {
        let mut s = session("cluster brokers=3 seed=1\nkafka-topics --create --topic t --replica-assignment 1:2:3\n");
        let e = s
            .run_line("expect partition t-0 leader=2 isr=3,2,1 hw=9")
            .unwrap_err()
            .to_string();
        assert!(e.contains("leader: expected 2, actual 1"), "{e}");
        assert!(e.contains("hw: expected 9, actual 0"), "{e}");
        assert!(!e.contains("isr"), "isr compares as a set: {e}");
        let e = s
            .run_line("expect partition u-0 leader=1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no topic 'u'"), "{e}");
    }

    #[test]
    fn expect_error_checks_the_previous_command() {
        let f = fail("cluster brokers=1\nkafka-topics --list\nexpect error \"boom\"\n");
        assert_eq!(f.line_no, 3);
        assert!(f.message.contains("succeeded"), "{}", f.message);
        let f =
            fail("cluster brokers=1\nbroker kill 7\nexpect error \"INVALID_REPLICATION_FACTOR\"\n");
        assert_eq!(f.line_no, 3);
        assert!(f.message.contains("does not contain"), "{}", f.message);
        let f = fail("cluster brokers=1\n\n# c\nbroker kill 7\nrun 1s\n");
        assert_eq!((f.line_no, f.line.as_str()), (4, "broker kill 7"));
    }

    #[test]
    fn refused_broker_config_changes_change_nothing() {
        // Every refusal happens before anything is applied: the whole simulation (not only
        // its view) is equal before and after, dynamic defaults and partition settings alike.
        let mut s = session(
            "cluster brokers=3 seed=1\n\
             kafka-topics --create --topic t --partitions 2 --replication-factor 3\n\
             kafka-configs --alter --entity-type brokers --entity-default --add-config log.retention.ms=60000\n",
        );
        let before = s.sim().unwrap().clone();
        for bad in [
            "kafka-configs --alter --entity-type brokers --entity-default --add-config min.insync.replicas=2,num.partitions=3",
            "kafka-configs --alter --entity-type brokers --entity-default --add-config min.insync.replicas=0",
            "kafka-configs --alter --entity-type brokers --entity-default --delete-config log.retention.ms,min.insync.replicas",
            "kafka-configs --alter --entity-type brokers --entity-name 1 --add-config min.insync.replicas=2",
            "kafka-configs --alter --entity-type brokers --entity-name 9 --add-config min.insync.replicas=2",
            "kafka-configs --alter --entity-type brokers --entity-default --add-config no.such.config=1",
        ] {
            assert!(s.run_line(bad).is_err(), "{bad}");
            assert!(s.sim().unwrap() == &before, "{bad}");
        }
        let e = s
            .run_line("kafka-configs --alter --entity-type brokers --entity-default --add-config min.insync.replicas=0")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("INVALID_REQUEST: Invalid value 0 for configuration min.insync.replicas: Value must be at least 1"),
            "{e}"
        );
        // The one accepted change above is in force, and shown as Kafka shows it.
        let out = s
            .run_line("kafka-configs --describe --entity-type brokers --entity-default")
            .unwrap()
            .lines;
        assert_eq!(
            out,
            [
                "Default configs for brokers in the cluster are:",
                "  log.retention.ms=60000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=60000}",
            ]
        );
    }

    #[test]
    fn unsupported_features_say_so() {
        let mut s = session("cluster brokers=1\n");
        // Per-broker config values are understood (the real tool's syntax) but not simulated
        // yet; cluster-wide defaults (--entity-default) are.
        let line = "kafka-configs --alter --entity-type brokers --entity-name 1 --add-config log.retention.ms=1000";
        let e = s.run_line(line).unwrap_err().to_string();
        assert!(e.starts_with("not supported yet"), "{line}: {e}");
    }

    #[test]
    fn nothing_runs_before_a_cluster() {
        let f = fail("kafka-topics --list\n");
        assert!(f.message.contains("no cluster yet"), "{}", f.message);
    }

    #[test]
    fn hostile_input_never_panics() {
        let mut s = Session::new();
        for line in [
            "",
            "\\",
            "'",
            "\"",
            "expect",
            "expect error",
            "expect partition -0",
            "expect replica t-0@",
            "net",
            "net drop next",
            "kafka-topics --create --topic",
            "cluster brokers=99999999999999999999",
            "cluster brokers=1000",
            "step 99999999",
            "\u{0}\u{7f}\u{202e}",
            "produce p1 t key=\u{1F600}",
        ] {
            let _ = s.run_line(line);
            s.cancel_input();
        }
        assert!(s.run_line("cluster brokers=1").is_ok());
    }

    /// `kafka-console-consumer` prints what a real consumer reads, in order, in the tool's own
    /// format (key, a tab, the value with `print.key=true`; `null` for a null key), and its
    /// closing line `Processed a total of N messages` (ConsoleConsumer).
    #[test]
    fn console_consumer_prints_what_a_consumer_reads() {
        let mut s = session(
            "cluster brokers=1 seed=3\n\
             kafka-topics --create --topic t --partitions 1 --replication-factor 1\n\
             producer add p1\n\
             produce p1 t key=a value=1\n\
             produce p1 t key=b value=2\n\
             produce p1 t null-key value=3\n\
             settle\n",
        );
        let out = s
            .run_line("kafka-console-consumer --topic t --from-beginning --property print.key=true")
            .unwrap();
        assert_eq!(
            out.lines,
            ["a\t1", "b\t2", "null\t3", "Processed a total of 3 messages"],
        );
        // --max-messages stops early; without print.key only the value is printed.
        let out = s
            .run_line("kafka-console-consumer --topic t --from-beginning --max-messages 2")
            .unwrap();
        assert_eq!(out.lines, ["1", "2", "Processed a total of 2 messages"]);
        // Without --from-beginning the tool starts at the end (auto.offset.reset=latest):
        // nothing was produced since, so nothing is printed.
        let out = s.run_line("kafka-console-consumer --topic t").unwrap();
        assert_eq!(out.lines, ["Processed a total of 0 messages"]);
    }

    /// With `--group`, the tool is an ordinary member: closing commits its positions
    /// (auto-commit), so the group has no lag afterwards; a second run in the same group
    /// starts from the committed offsets and prints nothing new.
    #[test]
    fn console_consumer_with_a_group_commits_on_close() {
        let mut s = session(
            "cluster brokers=1 seed=4\n\
             kafka-topics --create --topic t --partitions 2 --replication-factor 1\n\
             producer add p1\n\
             produce p1 t value=v count=6\n\
             settle\n",
        );
        let out = s
            .run_line("kafka-console-consumer --topic t --group g --from-beginning")
            .unwrap();
        assert_eq!(out.lines.len(), 7, "{:?}", out.lines);
        assert_eq!(out.lines[6], "Processed a total of 6 messages");
        s.run_line("run 5s").unwrap();
        s.run_line("expect lag g total=0").unwrap();
        let out = s
            .run_line("kafka-console-consumer --topic t --group g --from-beginning")
            .unwrap();
        assert_eq!(out.lines, ["Processed a total of 0 messages"]);
    }

    #[test]
    fn console_consumer_on_a_missing_topic_changes_nothing() {
        let mut s = session("cluster brokers=1\n");
        let before = s.sim.clone();
        let e = s
            .run_line("kafka-console-consumer --topic nope")
            .unwrap_err();
        assert!(e.to_string().contains("UNKNOWN_TOPIC_OR_PARTITION"), "{e}");
        assert!(s.sim == before, "the failed line changed the simulation");
    }
}
