//! A/B compare: one scenario, one seed, two runs that differ in exactly one Kafka setting, and
//! the first moment where what a learner sees of them differs.
//!
//! **The settings** ([`Setting`]) are four pairs of real Kafka configs:
//!
//! | setting | A | B | where it is injected |
//! | --- | --- | --- | --- |
//! | `acks` | `acks=all` | `acks=1` | every `producer add` and `kafka-console-producer` |
//! | `unclean` | `unclean.leader.election.enable=false` | `…=true` | every `cluster` line (the broker default every topic inherits) |
//! | `assignor` | `partition.assignment.strategy=sticky` (eager) | `…=cooperative-sticky` (cooperative) | every `consumer add` |
//! | `idempotence` | `enable.idempotence=true` | `…=false` | every `producer add` and `kafka-console-producer` |
//!
//! Eager against cooperative uses `sticky` and `cooperative-sticky` because both compute the
//! same sticky assignment; only the rebalance protocol differs (G7), so a difference between
//! the runs is the protocol's, not the assignment algorithm's.
//!
//! **Injection** works on the script's commands (continuations joined, records blocks kept):
//! both runs get their value written explicitly, replacing a value the script set itself, so
//! each run's label is true whatever the script said. `producer add` and `consumer add` get
//! `key=value` appended; `kafka-console-producer` gets `--producer-property key=value`;
//! `cluster` gets the broker config (and the seed, when one is given). A script where the
//! setting cannot apply is refused ([`CompareError::NotApplicable`]): no producer for `acks` or
//! `enable.idempotence`, no consumer for the assignor, a KIP-848 consumer
//! (`group.protocol=consumer`, whose assignor is the broker's), or a script that sets
//! `unclean.leader.election.enable` itself outside its `cluster` line (a topic config or a
//! `kafka-configs` change would override the injected broker default). `expect`
//! lines are dropped from both runs (they check one run; the comparison is the point), except
//! `expect error`, which a script needs to go past a refused command.
//!
//! **The outcome** ([`Outcome`]) is not the raw state or trace (those differ from the first
//! request, which carries the config) but the consequences a learner reads: per partition of a
//! non-internal topic its leader, high watermark, log start and the records below the high
//! watermark (offset → key/value, as the leader's view carries them: the newest
//! [`RECORDS_SHOWN`](crate::view::RECORDS_SHOWN)); per producer its acknowledged and failed
//! counts and last error; per consumer group each member's assignment and the committed
//! offsets; the guarantee checker's findings counted by kind, and the acknowledged records
//! lost. Topic configs, epochs, in-flight messages and step numbers are left out: they differ
//! by construction or by bookkeeping.
//!
//! **Alignment** is by simulated time, not by event count: a [`CompareRun`] moves both runs in
//! *ticks*. Tick 0 is where both scripts have ended (the later of their two end times, the
//! earlier run stepped up to it); each next tick is the next time either run has an event
//! due, and both runs deliver every event up to it. Two runs that handle a request in a
//! different number of events stay aligned. The first tick whose outcomes differ is the
//! [`Divergence`]; the script's own lines are the set-up, so end a script at the cause (a
//! kill, a cut) to watch its consequence diverge.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::scenario::lex::{read_script, Item, BLOCK_END};
use crate::scenario::{run_script_in, Session};
use crate::sim::{Sim, Timeline};
use crate::time::Millis;
use crate::view::ClusterView;

/// The one setting two compared runs differ in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Setting {
    /// Producer `acks`: `all` (A) against `1` (B).
    Acks,
    /// `unclean.leader.election.enable`: `false` (A) against `true` (B).
    UncleanLeaderElection,
    /// Consumer `partition.assignment.strategy`: `sticky`, eager (A), against
    /// `cooperative-sticky`, cooperative (B).
    RebalanceProtocol,
    /// Producer `enable.idempotence`: `true` (A) against `false` (B).
    Idempotence,
}

/// Which of the two runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

impl Setting {
    pub const ALL: [Setting; 4] = [
        Setting::Acks,
        Setting::UncleanLeaderElection,
        Setting::RebalanceProtocol,
        Setting::Idempotence,
    ];

    /// The short id used in links (`?ab=acks`).
    pub fn id(self) -> &'static str {
        match self {
            Setting::Acks => "acks",
            Setting::UncleanLeaderElection => "unclean",
            Setting::RebalanceProtocol => "assignor",
            Setting::Idempotence => "idempotence",
        }
    }

    pub fn from_id(id: &str) -> Option<Setting> {
        Setting::ALL.into_iter().find(|s| s.id() == id)
    }

    /// Kafka's config key.
    pub fn key(self) -> &'static str {
        match self {
            Setting::Acks => "acks",
            Setting::UncleanLeaderElection => "unclean.leader.election.enable",
            Setting::RebalanceProtocol => "partition.assignment.strategy",
            Setting::Idempotence => "enable.idempotence",
        }
    }

    /// The value each run gets.
    pub fn value(self, side: Side) -> &'static str {
        match (self, side) {
            (Setting::Acks, Side::A) => "all",
            (Setting::Acks, Side::B) => "1",
            (Setting::UncleanLeaderElection, Side::A) => "false",
            (Setting::UncleanLeaderElection, Side::B) => "true",
            (Setting::RebalanceProtocol, Side::A) => "sticky",
            (Setting::RebalanceProtocol, Side::B) => "cooperative-sticky",
            (Setting::Idempotence, Side::A) => "true",
            (Setting::Idempotence, Side::B) => "false",
        }
    }

    /// `key=value` of one side, as a label (`acks=all`).
    pub fn label(self, side: Side) -> String {
        format!("{}={}", self.key(), self.value(side))
    }
}

/// Why a comparison could not be built. Nothing is run or changed when it is returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompareError {
    /// The script cannot be read (a quote left open, …), at this line.
    Script { line_no: usize, message: String },
    /// The setting has nothing to act on in this script, or the script fixes it elsewhere.
    NotApplicable(String),
    /// One run's script failed (a command refused, the limit reached), at this line.
    Run {
        side: Side,
        line_no: usize,
        message: String,
    },
    /// A run ended without a cluster (no `cluster` line).
    NoCluster,
}

impl fmt::Display for CompareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompareError::Script { line_no, message } => write!(f, "line {line_no}: {message}"),
            CompareError::NotApplicable(m) => f.write_str(m),
            CompareError::Run {
                side,
                line_no,
                message,
            } => {
                let side = match side {
                    Side::A => "A",
                    Side::B => "B",
                };
                write!(f, "run {side} failed at line {line_no}: {message}")
            }
            CompareError::NoCluster => {
                f.write_str("the scenario starts no cluster (it needs a 'cluster brokers=N' line)")
            }
        }
    }
}

/// Quotes a word for the scenario language when it needs it (single quotes, POSIX style).
fn quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,=:/@".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

fn tool_is(word: &str, tool: &str) -> bool {
    let base = word.rsplit('/').next().unwrap_or(word);
    base == tool || base.strip_suffix(".sh") == Some(tool)
}

/// The two scripts of a comparison: `[A, B]`, each the script with its side's value injected
/// (and `seed` on its `cluster` lines when given). See the module doc for the rules.
pub fn variant_scripts(
    script: &str,
    seed: Option<u64>,
    setting: Setting,
) -> Result<[String; 2], CompareError> {
    let items = read_script(script).map_err(|e| CompareError::Script {
        line_no: e.line_no,
        message: e.message,
    })?;
    let key = setting.key();
    let prefix = format!("{key}=");
    let mut targets = 0usize;
    let mut parsed: Vec<(&Item, Vec<String>)> = Vec::with_capacity(items.len());
    for item in &items {
        let words = item.words.clone().map_err(|e| CompareError::Script {
            line_no: e.line_no,
            message: e.message,
        })?;
        let first = words.first().map(String::as_str).unwrap_or("");
        let second = words.get(1).map(String::as_str).unwrap_or("");
        let is_target = match setting {
            Setting::Acks | Setting::Idempotence => {
                (first == "producer" && second == "add") || tool_is(first, "kafka-console-producer")
            }
            Setting::UncleanLeaderElection => first == "cluster",
            Setting::RebalanceProtocol => first == "consumer" && second == "add",
        };
        if setting == Setting::RebalanceProtocol
            && is_target
            && words.iter().any(|w| w == "group.protocol=consumer")
        {
            return Err(CompareError::NotApplicable(format!(
                "line {}: this consumer uses group.protocol=consumer (KIP-848), where the \
                 broker assigns partitions; partition.assignment.strategy does not apply",
                item.line_no
            )));
        }
        if setting == Setting::UncleanLeaderElection
            && !is_target
            && first != "expect"
            && words.iter().any(|w| w.contains(key))
        {
            return Err(CompareError::NotApplicable(format!(
                "line {}: the script sets {key} itself; that value (a topic's or a broker's) would \
                 override the one compare mode gives each run on its cluster line, so remove it \
                 from this line",
                item.line_no
            )));
        }
        if is_target {
            targets += 1;
        }
        parsed.push((item, words));
    }
    if targets == 0 {
        let what = match setting {
            Setting::Acks | Setting::Idempotence => {
                "no producer (producer add or kafka-console-producer)"
            }
            Setting::UncleanLeaderElection => "no cluster line",
            Setting::RebalanceProtocol => "no consumer (consumer add)",
        };
        return Err(CompareError::NotApplicable(format!(
            "{key} cannot be compared in this scenario: it has {what}"
        )));
    }
    let mut out = [String::new(), String::new()];
    for (side, text) in [Side::A, Side::B].into_iter().zip(out.iter_mut()) {
        let value = setting.value(side);
        for (item, words) in &parsed {
            let first = words.first().map(String::as_str).unwrap_or("");
            let second = words.get(1).map(String::as_str).unwrap_or("");
            if first == "expect" && second != "error" {
                continue;
            }
            let mut words = words.clone();
            let console_producer = tool_is(first, "kafka-console-producer");
            let applies = match setting {
                Setting::Acks | Setting::Idempotence => {
                    (first == "producer" && second == "add") || console_producer
                }
                Setting::UncleanLeaderElection => first == "cluster",
                Setting::RebalanceProtocol => first == "consumer" && second == "add",
            };
            if applies && console_producer {
                let mut kept = Vec::with_capacity(words.len() + 2);
                let mut i = 0;
                while i < words.len() {
                    if words[i] == "--producer-property"
                        && words.get(i + 1).is_some_and(|v| v.starts_with(&prefix))
                    {
                        i += 2;
                        continue;
                    }
                    kept.push(core::mem::take(&mut words[i]));
                    i += 1;
                }
                kept.push("--producer-property".to_string());
                kept.push(format!("{key}={value}"));
                words = kept;
            } else if applies {
                words.retain(|w| !w.starts_with(&prefix));
                words.push(format!("{key}={value}"));
            }
            if let (Some(seed), "cluster") = (seed, first) {
                words.retain(|w| !w.starts_with("seed="));
                words.push(format!("seed={seed}"));
            }
            let line: Vec<String> = words.iter().map(|w| quote(w)).collect();
            text.push_str(&line.join(" "));
            text.push('\n');
            if let Some(block) = &item.block {
                for record in block {
                    text.push_str(record);
                    text.push('\n');
                }
                text.push_str(BLOCK_END);
                text.push('\n');
            }
        }
    }
    Ok(out)
}

/// One record below the high watermark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordOutcome {
    pub offset: i64,
    pub key: Option<String>,
    pub value: Option<String>,
    /// A transaction marker (`COMMIT`, `ABORT`).
    pub control: Option<&'static str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionOutcome {
    /// `topic-partition`.
    pub name: String,
    pub leader: Option<u32>,
    pub high_watermark: i64,
    pub log_start_offset: i64,
    pub records: Vec<RecordOutcome>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerOutcome {
    pub client_id: String,
    pub acked: u64,
    pub failed: u64,
    pub last_error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupOutcome {
    pub group_id: String,
    /// (member's client id, its partitions), in the coordinator's member order.
    pub assignment: Vec<(String, Vec<String>)>,
    /// (partition, committed offset; -1 none).
    pub committed: Vec<(String, i64)>,
}

/// What a learner sees as the consequences of a run at one moment (module doc).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub partitions: Vec<PartitionOutcome>,
    pub producers: Vec<ProducerOutcome>,
    pub groups: Vec<GroupOutcome>,
    /// (finding kind, how many), by kind.
    pub findings: Vec<(&'static str, u64)>,
    pub lost_acked: u64,
}

impl Outcome {
    pub fn of(view: &ClusterView) -> Outcome {
        let mut partitions = Vec::new();
        for topic in view.topics.iter().filter(|t| !t.internal) {
            for p in &topic.partitions {
                let hw = p.high_watermark;
                let records = p
                    .replica_states
                    .iter()
                    .find(|r| r.is_leader)
                    .map(|r| {
                        r.records
                            .iter()
                            .filter(|rec| rec.offset < hw)
                            .map(|rec| RecordOutcome {
                                offset: rec.offset,
                                key: rec.key.as_deref().map(String::from),
                                value: rec.value.as_deref().map(String::from),
                                control: rec.control,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                partitions.push(PartitionOutcome {
                    name: format!("{}-{}", topic.name, p.partition),
                    leader: p.leader.map(|b| b.0),
                    high_watermark: hw,
                    log_start_offset: p.log_start_offset,
                    records,
                });
            }
        }
        let producers = view
            .producers
            .iter()
            .map(|p| ProducerOutcome {
                client_id: p.client_id.clone(),
                acked: p.acked,
                failed: p.failed,
                last_error: p.last_error.clone(),
            })
            .collect();
        let groups = view
            .groups
            .iter()
            .map(|g| GroupOutcome {
                group_id: g.group_id.clone(),
                assignment: g
                    .members
                    .iter()
                    .map(|m| {
                        (
                            m.client_id.clone(),
                            m.assigned.iter().map(|tp| tp.to_string()).collect(),
                        )
                    })
                    .collect(),
                committed: g
                    .offsets
                    .iter()
                    .map(|o| (o.tp.to_string(), o.committed))
                    .collect(),
            })
            .collect();
        let mut findings: Vec<(&'static str, u64)> = Vec::new();
        for f in &view.findings {
            match findings.iter_mut().find(|(k, _)| *k == f.kind) {
                Some((_, n)) => *n += 1,
                None => findings.push((f.kind, 1)),
            }
        }
        findings.sort_unstable();
        Outcome {
            partitions,
            producers,
            groups,
            findings,
            lost_acked: view.lost_acked,
        }
    }
}

/// What one difference is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Leader,
    HighWatermark,
    LogStart,
    /// The records below the high watermark.
    Records,
    Acked,
    Failed,
    LastError,
    Assignment,
    Committed,
    /// The guarantee checker's findings.
    Findings,
    /// Acknowledged records lost.
    Lost,
    /// The thing exists in one run only.
    Presence,
}

impl Field {
    /// Kafka's or the playground's name for it (as `expect` lines write it).
    pub fn name(self) -> &'static str {
        match self {
            Field::Leader => "leader",
            Field::HighWatermark => "hw",
            Field::LogStart => "log-start",
            Field::Records => "records",
            Field::Acked => "acked",
            Field::Failed => "failed",
            Field::LastError => "last-error",
            Field::Assignment => "assignment",
            Field::Committed => "committed",
            Field::Findings => "findings",
            Field::Lost => "lost",
            Field::Presence => "exists",
        }
    }
}

/// One difference between the outcomes: `subject` (`partition orders-0`, `producer p1`,
/// `group g1`, `findings`), the field, and each run's value in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub subject: String,
    pub field: Field,
    pub a: String,
    pub b: String,
}

/// Offsets as ranges: `0-4`, `0-2,5`, `none`.
fn ranges(records: &[RecordOutcome]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < records.len() {
        let start = records[i].offset;
        let mut end = start;
        while i + 1 < records.len() && records[i + 1].offset == end + 1 {
            i += 1;
            end = records[i].offset;
        }
        if !out.is_empty() {
            out.push(',');
        }
        if end == start {
            out.push_str(&format!("{start}"));
        } else {
            out.push_str(&format!("{start}-{end}"));
        }
        i += 1;
    }
    if out.is_empty() {
        out.push_str("none");
    }
    out
}

fn record_text(r: Option<&RecordOutcome>) -> String {
    match r {
        None => "none".into(),
        Some(r) => match r.control {
            Some(marker) => format!("{}={marker}", r.offset),
            None => format!(
                "{}={}:{}",
                r.offset,
                r.key.as_deref().unwrap_or("null"),
                r.value.as_deref().unwrap_or("null")
            ),
        },
    }
}

fn opt<T: fmt::Display>(v: &Option<T>) -> String {
    match v {
        Some(v) => format!("{v}"),
        None => "none".into(),
    }
}

/// `k=v` pairs separated by spaces, or `none`.
fn pairs_text(parts: impl Iterator<Item = String>) -> String {
    let parts: Vec<String> = parts.collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(" ")
    }
}

fn assignment_text(a: &[(String, Vec<String>)]) -> String {
    pairs_text(a.iter().map(|(m, ps)| format!("{m}={}", ps.join(","))))
}

fn offsets_text(c: &[(String, i64)]) -> String {
    pairs_text(c.iter().map(|(p, o)| format!("{p}={o}")))
}

fn findings_text(f: &[(&'static str, u64)]) -> String {
    pairs_text(f.iter().map(|(k, n)| format!("{k}={n}")))
}

/// The ids of `b`'s items that `a` has no item for.
fn only_in_b<'x, T>(a: &'x [T], b: &'x [T], id: fn(&T) -> &str) -> impl Iterator<Item = &'x str> {
    b.iter()
        .map(id)
        .filter(move |name| !a.iter().any(|x| id(x) == *name))
}

/// Every difference between two outcomes, partitions first, then producers, groups, findings.
/// Empty when the outcomes are equal.
pub fn differences(a: &Outcome, b: &Outcome) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut push = |subject: &str, field: Field, x: String, y: String| {
        if x != y {
            out.push(Difference {
                subject: subject.to_string(),
                field,
                a: x,
                b: y,
            });
        }
    };
    let present = |yes: bool| if yes { "yes" } else { "no" }.to_string();
    for pa in &a.partitions {
        let subject = format!("partition {}", pa.name);
        let Some(pb) = b.partitions.iter().find(|p| p.name == pa.name) else {
            push(&subject, Field::Presence, present(true), present(false));
            continue;
        };
        push(&subject, Field::Leader, opt(&pa.leader), opt(&pb.leader));
        push(
            &subject,
            Field::HighWatermark,
            format!("{}", pa.high_watermark),
            format!("{}", pb.high_watermark),
        );
        push(
            &subject,
            Field::LogStart,
            format!("{}", pa.log_start_offset),
            format!("{}", pb.log_start_offset),
        );
        if pa.records != pb.records {
            let (ra, rb) = (ranges(&pa.records), ranges(&pb.records));
            if ra != rb {
                push(&subject, Field::Records, ra, rb);
            } else {
                // Same offsets, other contents: name the first record that differs.
                let i = pa
                    .records
                    .iter()
                    .zip(&pb.records)
                    .position(|(x, y)| x != y)
                    .unwrap_or(0);
                push(
                    &subject,
                    Field::Records,
                    record_text(pa.records.get(i)),
                    record_text(pb.records.get(i)),
                );
            }
        }
    }
    for name in only_in_b(&a.partitions, &b.partitions, |p| &p.name) {
        push(
            &format!("partition {name}"),
            Field::Presence,
            present(false),
            present(true),
        );
    }
    for xa in &a.producers {
        let subject = format!("producer {}", xa.client_id);
        let Some(xb) = b.producers.iter().find(|p| p.client_id == xa.client_id) else {
            push(&subject, Field::Presence, present(true), present(false));
            continue;
        };
        push(
            &subject,
            Field::Acked,
            format!("{}", xa.acked),
            format!("{}", xb.acked),
        );
        push(
            &subject,
            Field::Failed,
            format!("{}", xa.failed),
            format!("{}", xb.failed),
        );
        push(
            &subject,
            Field::LastError,
            opt(&xa.last_error),
            opt(&xb.last_error),
        );
    }
    for name in only_in_b(&a.producers, &b.producers, |p| &p.client_id) {
        push(
            &format!("producer {name}"),
            Field::Presence,
            present(false),
            present(true),
        );
    }
    for ga in &a.groups {
        let subject = format!("group {}", ga.group_id);
        let Some(gb) = b.groups.iter().find(|g| g.group_id == ga.group_id) else {
            push(&subject, Field::Presence, present(true), present(false));
            continue;
        };
        push(
            &subject,
            Field::Assignment,
            assignment_text(&ga.assignment),
            assignment_text(&gb.assignment),
        );
        push(
            &subject,
            Field::Committed,
            offsets_text(&ga.committed),
            offsets_text(&gb.committed),
        );
    }
    for name in only_in_b(&a.groups, &b.groups, |g| &g.group_id) {
        push(
            &format!("group {name}"),
            Field::Presence,
            present(false),
            present(true),
        );
    }
    push(
        "findings",
        Field::Findings,
        findings_text(&a.findings),
        findings_text(&b.findings),
    );
    push(
        "findings",
        Field::Lost,
        format!("{}", a.lost_acked),
        format!("{}", b.lost_acked),
    );
    out
}

/// The first tick whose outcomes differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    pub tick: usize,
    pub time_ms: u64,
    /// Never empty.
    pub differences: Vec<Difference>,
}

/// One aligned moment: the simulated time and each run's timeline position there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Tick {
    time_ms: u64,
    pos_a: usize,
    pos_b: usize,
}

/// The most ticks a comparison records; past it, stepping forward stops (a stated limit that
/// keeps a browser tab responsive).
pub const MAX_TICKS: usize = 20_000;

/// Two runs of one scenario moved together by simulated time (module doc).
#[derive(Clone, Debug)]
pub struct CompareRun {
    setting: Setting,
    a: Box<Timeline>,
    b: Box<Timeline>,
    ticks: Vec<Tick>,
    cur: usize,
    /// Ticks up to here (inclusive) have been checked for divergence.
    checked: usize,
    divergence: Option<Divergence>,
}

fn run_side(script: &str, side: Side) -> Result<Sim, CompareError> {
    let mut session = Session::new();
    run_script_in(&mut session, script).map_err(|f| CompareError::Run {
        side,
        line_no: f.line_no,
        message: f.message,
    })?;
    session.sim().cloned().ok_or(CompareError::NoCluster)
}

/// Runs both timelines up to `t`. A step skips a timer whose work is done without counting it
/// (`Sim::timer_live`) and delivers the next live event, which may lie past `t`; then the other
/// run is brought up to that time too, until both clocks agree. Returns the common time.
fn align(a: &mut Timeline, b: &mut Timeline, mut t: Millis) -> Millis {
    loop {
        a.run_until(t);
        b.run_until(t);
        let reached = a.sim().now().max(b.sim().now());
        if reached == t {
            return t;
        }
        t = reached;
    }
}

impl CompareRun {
    /// Runs both variants of `script` (see [`variant_scripts`]) and aligns them at tick 0.
    pub fn open(script: &str, seed: Option<u64>, setting: Setting) -> Result<Self, CompareError> {
        let [sa, sb] = variant_scripts(script, seed, setting)?;
        let a = run_side(&sa, Side::A)?;
        let b = run_side(&sb, Side::B)?;
        let t0 = a.now().max(b.now());
        let mut a = Box::new(Timeline::new(a));
        let mut b = Box::new(Timeline::new(b));
        let t0 = align(&mut a, &mut b, t0);
        let first = Tick {
            time_ms: t0.0,
            pos_a: a.position(),
            pos_b: b.position(),
        };
        let mut run = CompareRun {
            setting,
            a,
            b,
            ticks: alloc::vec![first],
            cur: 0,
            checked: 0,
            divergence: None,
        };
        run.check(0);
        Ok(run)
    }

    pub fn setting(&self) -> Setting {
        self.setting
    }

    /// The current tick.
    pub fn tick(&self) -> usize {
        self.cur
    }

    /// Ticks recorded so far.
    pub fn ticks(&self) -> usize {
        self.ticks.len()
    }

    pub fn time_ms(&self) -> u64 {
        self.ticks[self.cur].time_ms
    }

    /// The time of a recorded tick.
    pub fn time_of(&self, tick: usize) -> Option<u64> {
        self.ticks.get(tick).map(|t| t.time_ms)
    }

    pub fn sim(&self, side: Side) -> &Sim {
        match side {
            Side::A => self.a.sim(),
            Side::B => self.b.sim(),
        }
    }

    pub fn view(&self, side: Side) -> ClusterView {
        self.sim(side).view()
    }

    /// The first divergence among the ticks recorded so far.
    pub fn divergence(&self) -> Option<&Divergence> {
        self.divergence.as_ref()
    }

    fn check(&mut self, tick: usize) {
        if self.divergence.is_some() {
            return;
        }
        let d = differences(
            &Outcome::of(&self.a.sim().view()),
            &Outcome::of(&self.b.sim().view()),
        );
        if !d.is_empty() {
            self.divergence = Some(Divergence {
                tick,
                time_ms: self.ticks[tick].time_ms,
                differences: d,
            });
        }
        self.checked = tick;
    }

    /// One tick forward: to the next recorded tick, or a new one (the next time either run
    /// has an event due). `false` when neither run has anything left or the limit is reached.
    pub fn step(&mut self) -> bool {
        if self.cur + 1 < self.ticks.len() {
            self.seek(self.cur + 1);
            return true;
        }
        if self.ticks.len() >= MAX_TICKS {
            return false;
        }
        let next = match (
            self.a.sim().next_event_time(),
            self.b.sim().next_event_time(),
        ) {
            (Some(x), Some(y)) => x.min(y),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => return false,
        };
        let from = Millis(next.0.max(self.time_ms()));
        let t = align(&mut self.a, &mut self.b, from);
        self.ticks.push(Tick {
            time_ms: t.0,
            pos_a: self.a.position(),
            pos_b: self.b.position(),
        });
        self.cur = self.ticks.len() - 1;
        if self.checked + 1 == self.cur {
            self.check(self.cur);
        }
        true
    }

    /// When the next [`CompareRun::step`] would land (a recorded tick's time, or the next
    /// event due in either run), or `None` if nothing is left.
    pub fn next_time(&self) -> Option<u64> {
        if let Some(t) = self.time_of(self.cur + 1) {
            return Some(t);
        }
        [
            self.a.sim().next_event_time(),
            self.b.sim().next_event_time(),
        ]
        .into_iter()
        .flatten()
        .min()
        .map(|t| t.0.max(self.time_ms()))
    }

    /// One tick back (exact: both timelines seek).
    pub fn step_back(&mut self) -> bool {
        if self.cur == 0 {
            return false;
        }
        self.seek(self.cur - 1);
        true
    }

    /// Goes to a recorded tick (clamped).
    pub fn seek(&mut self, tick: usize) {
        let tick = tick.min(self.ticks.len() - 1);
        let t = self.ticks[tick];
        self.a.seek(t.pos_a);
        self.b.seek(t.pos_b);
        self.cur = tick;
    }

    /// Records ticks ahead until a divergence is found, `horizon_ms` of simulated time past
    /// tick 0 is reached, or `max_ticks` ticks are recorded; then returns to the tick it was
    /// at. Returns the divergence, if any.
    pub fn look_ahead(&mut self, horizon_ms: u64, max_ticks: usize) -> Option<&Divergence> {
        let here = self.cur;
        let end = self.ticks[0].time_ms.saturating_add(horizon_ms);
        let limit = max_ticks.min(MAX_TICKS);
        self.seek(self.ticks.len() - 1);
        while self.divergence.is_none() && self.ticks.len() < limit {
            let due = [
                self.a.sim().next_event_time(),
                self.b.sim().next_event_time(),
            ]
            .into_iter()
            .flatten()
            .min();
            if due.is_none_or(|t| t.0 > end) || !self.step() {
                break;
            }
        }
        self.seek(here);
        self.divergence.as_ref()
    }
}

/// The first divergence of `script` under `setting`, looking `horizon_ms` of simulated time
/// past the end of the scripts (at most [`MAX_TICKS`] ticks). `Ok(None)`: the outcomes stay
/// equal over the horizon.
pub fn first_divergence(
    script: &str,
    seed: Option<u64>,
    setting: Setting,
    horizon_ms: u64,
) -> Result<Option<Divergence>, CompareError> {
    let mut run = CompareRun::open(script, seed, setting)?;
    Ok(run.look_ahead(horizon_ms, MAX_TICKS).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// Steps `run` until its time is at least `t` (or nothing is left).
    fn step_to(run: &mut CompareRun, t: u64) {
        while run.time_ms() < t {
            if !run.step() {
                break;
            }
        }
    }

    fn has(d: &[Difference], subject: &str, field: Field, a: &str, b: &str) -> bool {
        d.iter()
            .any(|x| x.subject == subject && x.field == field && x.a == a && x.b == b)
    }

    #[test]
    fn injection_writes_each_side_value_and_keeps_blocks() {
        let script = "cluster brokers=3 seed=4\n\
                      producer add p1 acks=1 linger.ms=0\n\
                      expect producer p1 acked=0\n\
                      kafka-console-producer --topic orders --producer-property acks=0 \\\n  --property parse.key=true\n\
                      k:v 1\n\
                      EOF\n\
                      produce p1 orders\n\
                      expect error \"x\"\n";
        let [a, b] = variant_scripts(script, Some(9), Setting::Acks).unwrap();
        assert_eq!(
            a,
            "cluster brokers=3 seed=9\n\
             producer add p1 linger.ms=0 acks=all\n\
             kafka-console-producer --topic orders --property parse.key=true --producer-property acks=all\n\
             k:v 1\n\
             EOF\n\
             produce p1 orders\n\
             expect error x\n"
        );
        assert!(b.contains("producer add p1 linger.ms=0 acks=1\n"));
        assert!(b.contains("--producer-property acks=1\n"));
        let [a, b] = variant_scripts(script, None, Setting::UncleanLeaderElection).unwrap();
        assert!(a.starts_with("cluster brokers=3 seed=4 unclean.leader.election.enable=false\n"));
        assert!(b.starts_with("cluster brokers=3 seed=4 unclean.leader.election.enable=true\n"));
    }

    #[test]
    fn a_setting_with_nothing_to_act_on_is_refused() {
        let no_producer = "cluster brokers=1\nkafka-topics --create --topic t --partitions 1 --replication-factor 1\n";
        for s in [
            Setting::Acks,
            Setting::Idempotence,
            Setting::RebalanceProtocol,
        ] {
            let e = variant_scripts(no_producer, None, s).unwrap_err();
            assert!(matches!(e, CompareError::NotApplicable(_)), "{s:?}: {e}");
        }
        let kip848 =
            "cluster brokers=1\nconsumer add c1 group=g topics=t group.protocol=consumer\n";
        let e = variant_scripts(kip848, None, Setting::RebalanceProtocol).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        let topic_level = "cluster brokers=1\nkafka-topics --create --topic t --partitions 1 --replication-factor 1 --config unclean.leader.election.enable=true\n";
        let e = variant_scripts(topic_level, None, Setting::UncleanLeaderElection).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        let open_quote = "cluster brokers=1\nproducer add 'p1\n";
        assert!(matches!(
            variant_scripts(open_quote, None, Setting::Acks),
            Err(CompareError::Script { .. })
        ));
        // A run that fails names its side: idempotence on needs acks=all (I5).
        let acks0 = "cluster brokers=1\nproducer add p1 acks=0\n";
        let e = CompareRun::open(acks0, None, Setting::Idempotence).unwrap_err();
        assert!(
            matches!(
                e,
                CompareError::Run {
                    side: Side::A,
                    line_no: 2,
                    ..
                }
            ),
            "{e}"
        );
    }

    /// Followers cut off from the leader, one record produced as the script ends. The producer
    /// has no metadata for `orders` yet (Kafka's producer fetches a topic's metadata on its
    /// first send), so: Metadata request and response (1 ms each at latency=1ms), then the
    /// Produce request (linger.ms=0). With acks=1 (B) the leader answers as soon as it appends:
    /// 1 ms more for the response, 4 ms after the produce. With acks=all (A) the request waits
    /// in purgatory for the followers, who cannot fetch (R5: only acks=all waits there). So the
    /// first difference is B's acknowledgement, and it is the only one: nothing is below any
    /// HW yet in either run.
    #[test]
    fn acks_diverge_when_the_acks_1_leader_answers() {
        let script = "cluster brokers=3 seed=7 latency=1ms\n\
                      kafka-topics --create --topic orders --replica-assignment 1:2:3\n\
                      producer add p1 linger.ms=0\n\
                      settle\n\
                      net cut 1 2\n\
                      net cut 1 3\n\
                      produce p1 orders key=k value=v1\n";
        let mut run = CompareRun::open(script, None, Setting::Acks).unwrap();
        let t0 = run.time_ms();
        let d = run
            .look_ahead(60_000, MAX_TICKS)
            .cloned()
            .expect("diverges");
        assert!(d.tick > 0);
        assert_eq!(d.time_ms, t0 + 4);
        assert_eq!(
            d.differences,
            vec![Difference {
                subject: "producer p1".into(),
                field: Field::Acked,
                a: "0".into(),
                b: "1".into(),
            }]
        );
        // The search returned to where it was.
        assert_eq!(run.tick(), 0);
    }

    /// The same, with the leader killed 100 ms after the produce. B (acks=1) was acknowledged
    /// by broker 1 alone; broker 2 takes over (it is still in the ISR, R12) without the
    /// record, so the record is lost (the checker's `lost`). A (acks=all) was never answered:
    /// after request.timeout.ms (30 s) the producer retries on the new leader, which appends
    /// it and, with broker 3 fetching from it, acknowledges it. After 60 s: A has offset 0 below
    /// its HW and no loss; B has nothing and one lost record.
    #[test]
    fn acks_1_loses_the_acked_record_on_a_leader_kill() {
        let script = "cluster brokers=3 seed=7 latency=1ms\n\
                      kafka-topics --create --topic orders --replica-assignment 1:2:3\n\
                      producer add p1 linger.ms=0\n\
                      settle\n\
                      net cut 1 2\n\
                      net cut 1 3\n\
                      produce p1 orders key=k value=v1\n\
                      run 100ms\n\
                      broker kill 1\n";
        let mut run = CompareRun::open(script, None, Setting::Acks).unwrap();
        let d = run
            .divergence()
            .cloned()
            .expect("diverged when the scripts ended");
        assert_eq!(d.tick, 0);
        assert!(has(&d.differences, "producer p1", Field::Acked, "0", "1"));
        let t0 = run.time_ms();
        step_to(&mut run, t0 + 60_000);
        let a = Outcome::of(&run.view(Side::A));
        let b = Outcome::of(&run.view(Side::B));
        let later = differences(&a, &b);
        assert!(
            has(&later, "partition orders-0", Field::Records, "0", "none"),
            "{later:?}"
        );
        assert!(has(&later, "findings", Field::Lost, "0", "1"), "{later:?}");
        assert_eq!(a.producers[0].acked, 1);
        assert_eq!(b.producers[0].acked, 1);
        assert_eq!(a.partitions[0].leader, Some(2));
        assert_eq!(b.partitions[0].leader, Some(2));
    }

    /// Broker 2 goes down and leaves the ISR; a record is acknowledged by broker 1 alone
    /// (min.insync.replicas=1); broker 1 is killed and broker 2 comes back. No ISR replica is
    /// alive: with unclean election off (A) the partition stays offline (leader none, R12);
    /// with it on (B) the controller elects broker 2, which never had the record.
    #[test]
    fn unclean_election_elects_the_out_of_sync_replica() {
        let script = "cluster brokers=2 seed=3 latency=1ms\n\
                      kafka-topics --create --topic orders --replica-assignment 1:2\n\
                      producer add p1 linger.ms=0\n\
                      settle\n\
                      broker kill 2\n\
                      run 40s\n\
                      expect partition orders-0 isr=1\n\
                      produce p1 orders key=k value=v1\n\
                      settle\n\
                      broker kill 1\n\
                      run 20s\n\
                      broker start 2\n";
        let mut run = CompareRun::open(script, None, Setting::UncleanLeaderElection).unwrap();
        assert!(run.divergence().is_none(), "{:?}", run.divergence());
        let t0 = run.time_ms();
        let d = run
            .look_ahead(60_000, MAX_TICKS)
            .cloned()
            .expect("diverges");
        assert!(d.time_ms > t0);
        assert!(
            has(
                &d.differences,
                "partition orders-0",
                Field::Leader,
                "none",
                "2"
            ),
            "{d:?}"
        );
        run.seek(d.tick - 1);
        let before = differences(
            &Outcome::of(&run.view(Side::A)),
            &Outcome::of(&run.view(Side::B)),
        );
        assert!(before.is_empty(), "{before:?}");
        step_to(&mut run, t0 + 60_000);
        let later = differences(
            &Outcome::of(&run.view(Side::A)),
            &Outcome::of(&run.view(Side::B)),
        );
        assert!(has(&later, "findings", Field::Lost, "0", "1"), "{later:?}");
    }

    /// Nothing fails, so no partition ever lacks a live ISR replica: unclean election never
    /// comes into play and the outcomes stay equal, although the two clusters differ (their
    /// broker configs) and so do their states.
    #[test]
    fn no_failure_no_divergence() {
        let script = "cluster brokers=3 seed=5\n\
                      kafka-topics --create --topic orders --partitions 2 --replication-factor 3\n\
                      producer add p1\n\
                      produce p1 orders key=a value=1 count=5\n\
                      consumer add c1 group=g1 topics=orders\n";
        let mut run = CompareRun::open(script, None, Setting::UncleanLeaderElection).unwrap();
        assert_ne!(run.sim(Side::A), run.sim(Side::B));
        assert_eq!(run.look_ahead(30_000, MAX_TICKS), None);
        assert!(run.ticks() > 100, "it looked ahead: {} ticks", run.ticks());
        assert_eq!(
            first_divergence(script, None, Setting::UncleanLeaderElection, 30_000),
            Ok(None)
        );
    }

    /// The network delivers the Produce request twice. With idempotence on (A) the leader
    /// recognises the second copy by its producer id and sequence and does not append it
    /// (I3); with it off (B) both copies are appended: offsets 0 and 1 hold the same record.
    /// After 5 s both are replicated: HW 1 against 2.
    #[test]
    fn without_idempotence_a_duplicated_request_is_written_twice() {
        let script = "cluster brokers=3 seed=11 latency=1ms\n\
                      kafka-topics --create --topic orders --replica-assignment 1:2:3\n\
                      producer add p1 linger.ms=0\n\
                      settle\n\
                      net duplicate next Produce\n\
                      produce p1 orders key=k value=v1\n";
        let mut run = CompareRun::open(script, None, Setting::Idempotence).unwrap();
        let t0 = run.time_ms();
        step_to(&mut run, t0 + 5_000);
        let a = Outcome::of(&run.view(Side::A));
        let b = Outcome::of(&run.view(Side::B));
        let d = differences(&a, &b);
        assert!(
            has(&d, "partition orders-0", Field::Records, "0", "0-1"),
            "{d:?}"
        );
        assert!(
            has(&d, "partition orders-0", Field::HighWatermark, "1", "2"),
            "{d:?}"
        );
        // The checker's `duplicate` is about producer retries (attempt > 1, sim/checker.rs);
        // a copy made by the network is no retry, so the findings agree and these two
        // differences are all there is.
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(b.partitions[0].records[1].value.as_deref(), Some("v1"));
        assert!(run.divergence().is_some());
    }

    /// Ticks align by time and a step back is exact.
    #[test]
    fn ticks_align_both_runs_by_time_and_step_back_is_exact() {
        let script = "cluster brokers=3 seed=2\n\
                      kafka-topics --create --topic orders --partitions 1 --replication-factor 3\n\
                      producer add p1\n\
                      produce p1 orders count=3\n";
        let mut run = CompareRun::open(script, None, Setting::Idempotence).unwrap();
        let mut seen = Vec::new();
        for _ in 0..50 {
            let (a, b) = (run.view(Side::A), run.view(Side::B));
            assert_eq!(a.time_ms, run.time_ms());
            assert_eq!(b.time_ms, run.time_ms());
            seen.push((a, b));
            assert!(run.step());
        }
        for k in (0..50).rev() {
            assert!(run.step_back());
            assert_eq!(run.tick(), k);
            assert_eq!((run.view(Side::A), run.view(Side::B)), seen[k]);
        }
        assert!(!run.step_back());
        // Times strictly increase from tick to tick.
        for k in 1..50 {
            assert!(run.time_of(k).unwrap() > run.time_of(k - 1).unwrap());
        }
    }

    #[test]
    fn setting_ids_round_trip() {
        for s in Setting::ALL {
            assert_eq!(Setting::from_id(s.id()), Some(s));
        }
        assert_eq!(Setting::from_id("linger"), None);
        assert_eq!(Setting::Acks.label(Side::B), "acks=1");
    }
}
