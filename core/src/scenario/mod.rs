//! The scenario language (`scenario-language.md`): one plain-text language for the console,
//! the guided tours, shared links and the transcript tests.
//!
//! * [`lex`]: lines, comments, `\` continuations, shell-like words, durations and sizes, and
//!   the records block that follows `kafka-console-producer` up to `EOF`.
//! * [`parse`]: words → a typed [`ast::Stmt`], with Kafka's tools and their real flags, the
//!   playground commands and every `expect` line; usage errors read like the real tools'.
//! * [`interp`]: a [`Session`] that owns the [`Sim`](crate::sim::Sim), turns statements into
//!   [`Command`](crate::sim::Command)s and time control, prints output in the real tools'
//!   formats and checks `expect` lines against the [`ClusterView`](crate::view::ClusterView).
//!
//! The same line does the same thing in the console ([`Session::run_line`]) and in a script
//! ([`run_script`]). Nothing here panics on any input; every input has a stated size limit.
//!
//! Choices the spec leaves open, documented here:
//! * `cluster` without `seed=` uses seed 0; without `brokers=` it starts 3 brokers.
//! * The internal topics' settings (`offsets.topic.replication.factor`,
//!   `transaction.state.log.replication.factor`, `transaction.state.log.min.isr`) are capped at
//!   the broker count unless the `cluster` line sets them.
//! * `produce` without `value=` sends the value `v` (a null value is written `tombstone`).
//! * Playground `k=v` configs (on `cluster`, `producer add`, `consumer add`) may carry units:
//!   `linger.ms=1s`, `segment.bytes=1MiB`. Kafka's own tools take Kafka's plain values.
//! * `expect` lines do not change what `expect error` refers to: it checks the last command
//!   that was not an `expect`.
//! * `kafka-topics --describe` leaves out `TopicId:` (the view has no topic ids yet), as the
//!   real tool does for a zero id; `Elr:` and `LastKnownElr:` are empty (ELR is off by default).
//! * `kafka-console-producer` uses one producer client per distinct set of
//!   `--producer-property` values (`console-producer`, `console-producer-2`, …) and, like the
//!   real tool at end of input, waits until its records are acknowledged or failed.
//! * A failed `settle` changes nothing, like every failed line.
//!
//! Beyond the spec's minimum (all documented in `help`):
//! * `help [COMMAND]`; `bin/kafka-topics.sh` and `kafka-topics.sh` name the same tool.
//! * `kafka-topics --describe` takes `--under-replicated-partitions`, `--unavailable-partitions`,
//!   `--under-min-isr-partitions`, `--at-min-isr-partitions`, `--exclude-internal`;
//!   `--create` takes `--if-not-exists`.
//! * `kafka-configs --delete-config k[,k]`; `--topic T` stands for
//!   `--entity-type topics --entity-name T`.
//! * `kafka-configs --entity-type brokers`: `--describe [--entity-name N | --entity-default]`
//!   prints `Dynamic configs for broker N are:` / `Default configs for brokers in the cluster
//!   are:` as the real tool; `--alter --entity-default --add-config k=v` / `--delete-config k`
//!   changes a cluster-wide dynamic default (`--broker N` and `--broker-defaults` are the
//!   tool's shortcuts). Only the broker configs whose Kafka update mode is `cluster-wide`
//!   ([`crate::config::DYNAMIC_BROKER_CONFIGS`]) can change; a read-only one is refused with
//!   Kafka's `INVALID_REQUEST: Cannot update these configs dynamically: Set(…)`. Per-broker
//!   values (`--alter --entity-name N`) are validated the same way, then refused as not
//!   supported yet. Kafka accepts unknown (custom) broker config names; the playground refuses
//!   them like every unknown key.
//! * `expect group G … moved=N stopped=c1,c2 duplicates=N skipped=N`: the partitions that
//!   changed owner in the last completed rebalance, the members that stopped consuming because
//!   it revoked all they owned (eager, G7), and the group's at-least-once duplicates and
//!   at-most-once gaps. `expect consumer C state=fenced generation=N last-error=FENCED_INSTANCE_ID`.
//! * `expect assignment` finds a member by its CLIENT-ID or by the member id of the consumer
//!   of that name: a static member restarted under a new `client.id` keeps the old client id
//!   in the group, as Kafka does (`ClassicGroup.replaceStaticMember`).
//! * `settle` also waits until the LeaveGroup of a consumer closed with `consumer remove`
//!   has reached the coordinator (a static member sends none, G6, and is not waited for).
//! * `kafka-consumer-groups --describe --state`; `--reset-offsets` without `--execute` prints
//!   the plan, as the tool's dry run does.
//! * `net delay next API by=…` and `net duplicate next API`; nodes may be written `broker-2`.
//! * `step N` prints each event it delivers (the first 50).
//! * `expect partition … replicas=1,2,3` (in order), `expect replica …@N in-isr=true`,
//!   `expect broker N state=running|fenced|shutting-down|stopped|killed|powered-off`,
//!   `expect findings read-above-hw=0 two-leaders=0`, `last-error=none`.
//! * Transactions: `producer kill P` (a crash: no close, no abort), `expect producer P
//!   txn-state=IN_TRANSACTION` (the client's `TransactionManager` state), `expect findings
//!   uncommitted-read=0`. `txn commit`/`txn abort` return at once (Kafka's block): run or settle
//!   before the next `txn begin`. A `txn begin` right after `producer add` waits for
//!   `initTransactions`, which Kafka's application would have waited for. `expect records`
//!   counts control records (markers take offsets).
//! * Not supported yet: `kafka-console-consumer` (so no `--isolation-level` flag); use
//!   `consumer add … isolation.level=read_committed`.
//! * [`complete`] offers tab completions for the console.

pub mod ast;
pub mod complete;
pub mod export;
mod groups;
pub mod interp;
pub mod lex;
pub mod parse;

use alloc::string::String;
use core::fmt;

use crate::error::CommandError;

pub use complete::complete;
pub use interp::{
    run_script, run_script_in, Output, ScriptFailure, Session, Transcript, TranscriptEntry,
};
pub use parse::{CommandHelp, COMMANDS};

/// Why a line failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    /// The line could not be read or parsed (unknown command, missing argument, bad quote).
    Usage(String),
    /// The simulation refused the command (Kafka's own error when there is one).
    Command(CommandError),
    /// An `expect` line did not hold: names each field, the expected and the actual value.
    Expect(String),
    /// Understood, but the simulation does not model it yet. Said plainly, never faked.
    NotSupported(String),
    /// A playground limit that keeps the browser responsive.
    Limit(String),
    /// The command ran but did not reach its goal (`settle` timed out, a topic is missing).
    Failed(String),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Usage(m)
            | ScenarioError::Expect(m)
            | ScenarioError::Limit(m)
            | ScenarioError::Failed(m) => f.write_str(m),
            ScenarioError::Command(e) => write!(f, "{e}"),
            ScenarioError::NotSupported(m) => write!(f, "not supported yet: {m}"),
        }
    }
}

impl From<CommandError> for ScenarioError {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::NotSupported(m) => ScenarioError::NotSupported(m),
            other => ScenarioError::Command(other),
        }
    }
}
