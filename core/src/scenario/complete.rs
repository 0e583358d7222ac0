//! Tab completion for the console: commands, subcommands, a tool's flags, and the names in the
//! running cluster (topics, partitions, producers, brokers, controllers). The console calls
//! [`complete`] with the text before the cursor and offers the returned words in place of the
//! word being typed.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::parse::{tool_options, COMMANDS, ENTITY_TYPES, EXPECT_KINDS};
use crate::view::ClusterView;

/// The most candidates returned, so a huge cluster never floods the console.
pub const MAX_COMPLETIONS: usize = 64;

fn subcommands(cmd: &str) -> &'static [&'static str] {
    match cmd {
        "broker" => &["stop", "kill", "power-off", "start"],
        "controller" => &["kill", "start"],
        "net" => &[
            "isolate",
            "cut",
            "slow",
            "drop",
            "delay",
            "duplicate",
            "heal",
        ],
        "txn" => &["begin", "commit", "abort", "send-offsets"],
        "consumer" => &["add", "remove", "kill", "pause"],
        "producer" => &["add", "kill"],
        "expect" => EXPECT_KINDS,
        _ => &[],
    }
}

fn expect_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "partition" => &[
            "leader=",
            "isr=",
            "replicas=",
            "hw=",
            "leo=",
            "epoch=",
            "log-start=",
            "lso=",
        ],
        "replica" => &["leo=", "hw=", "log-start=", "in-isr="],
        "controller" => &["active=", "epoch="],
        "broker" => &["state="],
        "records" => &["count=", "keys="],
        "log" => &["segments=", "log-start="],
        "producer" => &["acked=", "failed=", "pending=", "last-error=", "txn-state="],
        "record" => &["key=", "partition="],
        "consumer" => &["state=", "generation=", "last-error="],
        "findings" => &[
            "lost=",
            "duplicate=",
            "reorder=",
            "read-above-hw=",
            "two-leaders=",
            "uncommitted-read=",
        ],
        _ => &[],
    }
}

struct Names {
    topics: Vec<String>,
    partitions: Vec<String>,
    replicas: Vec<String>,
    producers: Vec<String>,
    brokers: Vec<String>,
    controllers: Vec<String>,
}

impl Names {
    fn of(view: Option<&ClusterView>) -> Self {
        let mut n = Names {
            topics: Vec::new(),
            partitions: Vec::new(),
            replicas: Vec::new(),
            producers: Vec::new(),
            brokers: Vec::new(),
            controllers: Vec::new(),
        };
        let Some(v) = view else { return n };
        for t in &v.topics {
            n.topics.push(t.name.clone());
            for p in &t.partitions {
                n.partitions.push(format!("{}-{}", t.name, p.partition));
                for r in &p.replicas {
                    n.replicas
                        .push(format!("{}-{}@{}", t.name, p.partition, r.0));
                }
            }
        }
        n.producers = v.producers.iter().map(|p| p.client_id.clone()).collect();
        n.brokers = v.brokers.iter().map(|b| b.id.0.to_string()).collect();
        n.controllers = v.controllers.iter().map(|c| c.name.clone()).collect();
        n
    }

    fn nodes(&self) -> Vec<String> {
        let mut all = self.brokers.clone();
        all.extend(self.controllers.iter().cloned());
        all.extend(self.producers.iter().cloned());
        all
    }
}

/// Candidates for the word being typed at the end of `before_cursor`.
pub fn complete(before_cursor: &str, view: Option<&ClusterView>) -> Vec<String> {
    // Only the current line matters, and only a sane amount of it.
    let line = before_cursor.rsplit('\n').next().unwrap_or("");
    if line.len() > super::lex::MAX_LINE_CHARS {
        return Vec::new();
    }
    let mut words: Vec<&str> = line.split_whitespace().collect();
    let current = if line.ends_with([' ', '\t']) || line.is_empty() {
        ""
    } else {
        words.pop().unwrap_or("")
    };
    let names = Names::of(view);
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let candidates: Vec<String> = match words.as_slice() {
        [] => COMMANDS.iter().map(|c| c.name.to_string()).collect(),
        [first, rest @ ..] => {
            let cmd = first.rsplit('/').next().unwrap_or(first);
            let cmd = cmd.strip_suffix(".sh").unwrap_or(cmd);
            let flags = tool_options(cmd);
            if !flags.is_empty() {
                match rest.last().copied() {
                    Some("--topic") | Some("--entity-name") => names.topics.clone(),
                    Some("--election-type") => owned(&["preferred", "unclean"]),
                    Some("--entity-type") => owned(ENTITY_TYPES),
                    _ => flags.iter().map(|f| format!("--{f}")).collect(),
                }
            } else {
                match (cmd, rest) {
                    ("help", []) => COMMANDS.iter().map(|c| c.name.to_string()).collect(),
                    ("produce", []) => names.producers.clone(),
                    ("produce", [_]) => names.topics.clone(),
                    ("produce", _) => owned(&[
                        "key=",
                        "value=",
                        "partition=",
                        "count=",
                        "null-key",
                        "tombstone",
                    ]),
                    (_, []) => owned(subcommands(cmd)),
                    ("broker", [_]) => names.brokers.clone(),
                    ("controller", [_]) => names.controllers.clone(),
                    ("net", [sub, ..]) if matches!(*sub, "drop" | "delay" | "duplicate") => {
                        if rest.len() == 1 {
                            owned(&["next"])
                        } else if rest.len() == 2 {
                            crate::sim::ApiKey::ALL
                                .iter()
                                .map(|k| k.name().to_string())
                                .collect()
                        } else {
                            owned(&["from=", "by="])
                        }
                    }
                    ("net", [_, ..]) => names.nodes(),
                    ("txn", [_]) => names.producers.clone(),
                    ("expect", [kind]) => match *kind {
                        "partition" | "records" => names.partitions.clone(),
                        "replica" | "log" => names.replicas.clone(),
                        "producer" => names.producers.clone(),
                        "record" => names.topics.clone(),
                        "broker" => names.brokers.clone(),
                        _ => owned(expect_fields(kind)),
                    },
                    ("expect", [kind, ..]) => owned(expect_fields(kind)),
                    _ => Vec::new(),
                }
            }
        }
    };
    candidates
        .into_iter()
        .filter(|c| c.starts_with(current))
        .take(MAX_COMPLETIONS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Session;

    #[test]
    fn completes_commands_flags_and_names() {
        assert_eq!(complete("kafka-t", None), ["kafka-topics"]);
        assert!(complete("", None).contains(&"cluster".to_string()));
        assert_eq!(complete("kafka-topics --cr", None), ["--create"]);
        assert_eq!(complete("broker st", None), ["stop", "start"]);
        assert_eq!(complete("net drop next Fe", None), ["Fetch"]);
        let mut s = Session::new();
        s.run_line("cluster brokers=2").unwrap();
        s.run_line("kafka-topics --create --topic orders --partitions 2 --replication-factor 2")
            .unwrap();
        s.run_line("producer add p1").unwrap();
        let v = s.view();
        assert_eq!(
            complete("kafka-topics --describe --topic o", v.as_ref()),
            ["orders"]
        );
        assert_eq!(complete("produce ", v.as_ref()), ["p1"]);
        assert_eq!(complete("produce p1 ", v.as_ref()), ["orders"]);
        assert_eq!(
            complete("expect partition ", v.as_ref()),
            ["orders-0", "orders-1"]
        );
        assert_eq!(complete("expect partition orders-0 h", v.as_ref()), ["hw="]);
        assert_eq!(complete("broker kill ", v.as_ref()), ["1", "2"]);
        assert!(complete("'unbalanced", v.as_ref()).is_empty());
    }
}
